import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ModelThrottledError } from '../../domain/errors.ts';
import type { IngestResult } from '../../domain/ingest.ts';
import type { CallMetrics } from '../../functions/lib/call-metrics.ts';
import { lambdaContext } from '../../local/sqs-event-source.ts';
import { fakeDeps, message, ScriptedModel, SlowModel, validNotes } from '../support/fakes.ts';

// functions/ingest.ts builds its deployed handler when loaded; these tests use makeHandler with fakes.
let makeHandler: typeof import('../../functions/ingest.ts').makeHandler;
beforeAll(async () => {
  vi.stubEnv('CALLNOTES_MODEL_ID', 'anthropic.claude-3-haiku-20240307-v1:0');
  vi.stubEnv('CALLNOTES_TABLE', 'callnotes-test');
  vi.stubEnv('CALLNOTES_BUCKET', 'callnotes-test');
  vi.stubEnv('AWS_REGION', 'us-west-2');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  ({ makeHandler } = await import('../../functions/ingest.ts'));
  vi.unstubAllEnvs();
});

const record = (messageId: string, body: string): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1796224440000', SenderId: 'test', ApproximateFirstReceiveTimestamp: '1796224440412' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-west-2:000000000000:callnotes-test-calls-inbound',
  awsRegion: 'us-west-2',
});

describe('Function: ingest handler (makeHandler)', () => {
  it('one model call for a call delivered twice in a batch; counts published once for the invocation', async () => {
    // Prepare
    const model = new SlowModel([{ kind: 'tool', input: validNotes() }]);
    const counted: string[] = [];
    const publishCounts = vi.fn();
    const callMetrics = { record: (_id: string, r: IngestResult) => counted.push(r.status), publishCounts, throttled: () => {} } as unknown as CallMetrics;
    const results = new Map<string, string>();
    const handler = makeHandler(fakeDeps(model), { callMetrics, minRecordMs: 0, onResults: (r, [first]) => results.set(r.messageId, first!.status) });
    const event: SQSEvent = {
      Records: [record('m1', message({ callId: 'call-1' })), record('m2', message({ callId: 'call-2' })), record('m3', message({ callId: 'call-1' })), record('m4', '{"type":')],
    };

    // Act
    const response = await handler(event, lambdaContext('ingest', 'us-west-2', 1024, () => 60_000));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(model.prompts).toHaveLength(2);
    expect(Object.fromEntries(results)).toEqual({ m1: 'processed', m2: 'processed', m3: 'duplicate', m4: 'rejected' });
    expect(counted.sort()).toEqual(['duplicate', 'processed', 'processed', 'rejected']);
    expect(publishCounts).toHaveBeenCalledTimes(1);
  });

  it('publishes the counts even when a record fails and is reported for a retry', async () => {
    const publishCounts = vi.fn();
    const callMetrics = { record: () => {}, publishCounts, throttled: () => {} } as unknown as CallMetrics;
    const handler = makeHandler(fakeDeps(new ScriptedModel([new Error('model down')])), { callMetrics, minRecordMs: 0 });

    const response = await handler({ Records: [record('m1', message({ callId: 'call-9' }))] }, lambdaContext('ingest', 'us-west-2', 1024, () => 60_000));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(publishCounts).toHaveBeenCalledTimes(1);
  });

  it('a copy of a call whose first message failed in the batch writes the notes without waiting for that one', async () => {
    const deps = fakeDeps(new SlowModel([new ModelThrottledError('slow down'), { kind: 'tool', input: validNotes() }]));
    const handler = makeHandler(deps, { minRecordMs: 0 });

    const response = await handler({ Records: [record('m1', message({ callId: 'call-1' })), record('m2', message({ callId: 'call-1' }))] }, lambdaContext('ingest', 'us-west-2', 1024, () => 60_000));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(deps.calls.calls.get('call-1')?.messageId).toBe('m2');
    expect(deps.calls.reads).toBe(2); // one read a record: m2 did not poll for m1's notes
  });
});
