import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCallStore } from '#adapters/dynamodb-call-store.ts';
import { SqsDeadLetterQueue } from '#adapters/sqs-dlq.ts';
import { startIngestPipeline, type IngestPipeline } from '#local/pipeline.ts';
import type { LocalStack } from '#local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';

const run = promisify(execFile);
const sample = (name: string, callId: string) => JSON.stringify({ ...JSON.parse(readFileSync(`events/calls/${name}.json`, 'utf8')), callId });

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('Integration: dlq command on the local stack', () => {
  let stack: LocalStack;
  let pipeline: IngestPipeline;
  let stateDir: string;
  let store: DynamoDbCallStore;
  const callIds = ['dlq-it-1', 'dlq-it-2', 'dlq-it-3'];

  /** `npm run dlq -- <args>` against this stack (found through its local.json). */
  const dlqCommand = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'cli/dlq.ts', ...args], { env: { ...process.env, CALLNOTES_STATE_DIR: stateDir, CALLNOTES_STAGE: '' }, timeout: 60_000 });

  const depth = async (queueUrl: string) => {
    const { Attributes = {} } = await stack.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(Attributes.ApproximateNumberOfMessages);
  };

  beforeAll(async () => {
    stack = await startTestStack({ writeStateFile: true });
    stateDir = dirname(stack.auth.keyFile);
    store = new DynamoDbCallStore(stack.resources.table, stack.clients.dynamodb);
    // Quick retries, and no retrying inside a receive: five failed receives take seconds.
    pipeline = await startIngestPipeline(stack, {
      env: { CALLNOTES_RETRY_BASE_SECONDS: '1', CALLNOTES_RETRY_MAX_SECONDS: '2', CALLNOTES_MODEL_MAX_ATTEMPTS: '1', LOG_LEVEL: 'SILENT' },
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await stack?.close();
  });

  it('lists messages that every receive failed on, with their call and receive count, without consuming them', { timeout: 90_000 }, async () => {
    // Prepare: the model times out on everything, so each message fails 5 receives and is dead-lettered.
    // (Timeouts, not throttles: after a throttle the concurrency limiter's pause would pace these attempts.)
    stack.bedrock.setFaults({ timeoutRate: 1 });
    await pipeline.send([sample('lost-card', callIds[0]!), sample('billing-dispute', callIds[1]!), sample('plan-upgrade', callIds[2]!)]);
    await until('3 dead letters', async () => (await depth(stack.resources.dlqUrl)) === 3, 60_000);

    // Act
    const { stdout } = await dlqCommand('list', '--json');
    const again = JSON.parse((await dlqCommand('list', '--json', '--limit', '2')).stdout);

    // Assess
    const listed = JSON.parse(stdout);
    expect(listed.depth.visible).toBe(3);
    expect(listed.messages.map((m: { callId: string }) => m.callId).sort()).toEqual(callIds);
    for (const m of listed.messages) {
      expect(m.receiveCount).toBeGreaterThanOrEqual(1);
      expect(Date.parse(m.sentAt)).not.toBeNaN();
      expect(m.reason).toBe('transient failures exhausted 5 receives (see ingest logs / metrics)');
    }
    expect(again.messages).toHaveLength(2);
    expect(await depth(stack.resources.dlqUrl)).toBe(3);
  });

  it('moves nothing on a dry run', { timeout: 60_000 }, async () => {
    // Act
    const { stdout } = await dlqCommand('redrive', '--dry-run');

    // Assess
    expect(stdout).toContain('would move 3 message(s)');
    expect(await depth(stack.resources.dlqUrl)).toBe(3);
    expect(await depth(stack.resources.queueUrl)).toBe(0);
  });

  it('redrives dead letters to the inbound queue, where they are processed once the faults are gone', { timeout: 90_000 }, async () => {
    // Prepare
    stack.bedrock.setFaults({ timeoutRate: 0 });

    // Act
    const { stdout } = await dlqCommand('redrive');

    // Assess
    expect(stdout).toMatch(/moved 3 message\(s\) .*StartMessageMoveTask/);
    const stored = await until('3 stored calls', async () => {
      const calls = await Promise.all(callIds.map((id) => store.getCall(id)));
      return calls.every(Boolean) && calls;
    }, 45_000);
    expect(stored.map((c) => c!.callId)).toEqual(callIds);
    expect(await depth(stack.resources.dlqUrl)).toBe(0);
  });

  it('re-sends then deletes, at most --max messages, where a move task is not wanted', { timeout: 60_000 }, async () => {
    // Prepare: two dead letters put straight into the DLQ.
    const dlq = new SqsDeadLetterQueue(stack.resources.dlqUrl, stack.resources.queueUrl, stack.clients.sqs);
    for (const id of ['dlq-it-4', 'dlq-it-5']) {
      await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.dlqUrl, MessageBody: sample('internet-outage', id) }));
    }

    // Act
    const first = await dlq.redrive({ max: 1 });
    const rest = await dlq.redrive({ method: 'resend' });

    // Assess
    expect(first).toMatchObject({ method: 'resend', moved: 1 });
    expect(rest).toMatchObject({ method: 'resend', moved: 1 });
    await until('both stored', async () => (await store.getCall('dlq-it-4')) && (await store.getCall('dlq-it-5')), 45_000);
    expect((await dlq.depth()).visible).toBe(0);
  });

  it('says when there is nothing to redrive', async () => {
    // Act
    const { stdout } = await dlqCommand('redrive');

    // Assess
    expect(stdout).toContain('nothing to redrive');
  });
});
