import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCallStore } from '#adapters/dynamodb-call-store.ts';
import type { StoredCall } from '#domain/ports.ts';
import type { LocalStack } from '#local/stack.ts';
import { validNotes } from '../support/fakes.ts';
import { startTestStack } from '../support/local-stack.ts';

let stack: LocalStack;
let store: DynamoDbCallStore;

beforeAll(async () => {
  stack = await startTestStack();
  store = new DynamoDbCallStore(stack.resources.table, stack.clients.dynamodb);
}, 60_000);
afterAll(() => stack?.close());

const call = (callId: string): StoredCall => ({
  callId,
  agentId: 'agent-7',
  startedAt: '2026-11-20T09:00:00.000Z',
  status: 'done',
  transcriptHash: `h-${callId}`,
  transcriptUri: `s3://b/transcripts/${callId}.json`,
  format: 'turns',
  speakerRoles: {},
  turnCount: 4,
  notes: validNotes(),
  model: { id: 'model', version: 'base', mode: 'tool' },
  usage: { inputTokens: 10, outputTokens: 5, modelCalls: 1 },
  latencyMs: 3,
  receivedAt: '2026-11-20T09:00:01.000Z',
  processedAt: '2026-11-20T09:00:02.000Z',
});

describe('DynamoDbCallStore.getCalls on the local stack', () => {
  it('reads stored calls by id in batches of 100, as getCall reads them, and leaves out unknown ids', async () => {
    const ids = Array.from({ length: 130 }, (_, i) => `batch-${i}`);
    for (const id of ids.slice(0, 120)) await store.putCall(call(id));

    const found = await store.getCalls([...ids, 'batch-0']);

    expect(found.size).toBe(120);
    expect([...found.keys()].sort()).toEqual(ids.slice(0, 120).sort());
    expect(found.get('batch-7')).toEqual(await store.getCall('batch-7'));
    expect(found.has('batch-125')).toBe(false);
  });
});
