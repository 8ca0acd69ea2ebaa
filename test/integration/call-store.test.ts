import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDbCallStore } from '#adapters/dynamodb-call-store.ts';
import { S3TranscriptStore } from '#adapters/s3-transcript-store.ts';
import type { StoredCall } from '#domain/ports.ts';
import type { Transcript } from '#domain/transcript.ts';
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

describe('S3TranscriptStore.putTranscript on the local stack (S3 conditional writes)', () => {
  const transcript = (callId: string) => ({ callId, turns: [{ role: 'agent' as const, text: 'Hello' }], meta: { format: 'turns', speakerRoles: {} } }) as unknown as Transcript;

  it('the first message to store a transcript version holds it; another message learns who and since when', async () => {
    const transcripts = new S3TranscriptStore(stack.resources.bucket, stack.clients.s3);
    const before = Date.now();

    const first = await transcripts.putTranscript(transcript('claim-1'), 'h1', 'message-a');
    const again = await transcripts.putTranscript(transcript('claim-1'), 'h1', 'message-a');
    const copy = await transcripts.putTranscript(transcript('claim-1'), 'h1', 'message-b');
    const otherVersion = await transcripts.putTranscript(transcript('claim-1'), 'h2', 'message-b');

    expect(first).toEqual({ uri: `s3://${stack.resources.bucket}/transcripts/claim-1/h1.json` });
    expect(again).toEqual(first);
    expect(copy.heldBy?.messageId).toBe('message-a');
    // S3's Last-Modified has whole seconds.
    expect(copy.heldBy!.since.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(copy.heldBy!.since.getTime()).toBeLessThanOrEqual(Date.now());
    expect(otherVersion.heldBy).toBeUndefined();
    expect(await transcripts.getTranscript(first.uri)).toEqual(transcript('claim-1'));
  });

  it('the local S3 refuses a second conditional write of a key, as S3 does', async () => {
    const put = (body: string) =>
      stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.resources.bucket, Key: 'conditional/one.txt', Body: body, IfNoneMatch: '*' })).then(
        () => 'stored',
        (error: { name: string; $metadata: { httpStatusCode?: number } }) => `${error.name} ${error.$metadata.httpStatusCode}`,
      );

    expect(await put('first')).toBe('stored');
    expect(await put('again')).toBe('PreconditionFailed 412');
  });
});
