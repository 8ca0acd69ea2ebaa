import { readFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallNotesSchema } from '#domain/notes.ts';
import { startIngestPipeline, type IngestPipeline } from '#local/pipeline.ts';
import { lambdaContext, queueDepth as depthOf, type BatchOutcome } from '#local/sqs-event-source.ts';
import type { LocalStack } from '#local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';

const sample = (name: string) => readFileSync(`events/calls/${name}.json`, 'utf8');
const withCallId = (body: string, callId: string) => JSON.stringify({ ...JSON.parse(body), callId });

describe('Integration: ingest function on the local stack', () => {
  let stack: LocalStack;
  let pipeline: IngestPipeline;
  const batches: BatchOutcome[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
    pipeline = await startIngestPipeline(stack, { env: { CALLNOTES_RETRY_BASE_SECONDS: '1', CALLNOTES_MODEL_RETRY_MAX_SECONDS: '3', LOG_LEVEL: 'ERROR' }, onBatch: (b) => batches.push(b) });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await stack?.close();
  });

  const queueDepth = (queueUrl: string) => depthOf(stack.clients.sqs, queueUrl);

  it('turns a message on the queue into a stored call with valid notes', async () => {
    // Prepare
    const cpuBefore = await pipeline.functionCpuMs();
    const [id] = await pipeline.send([withCallId(sample('lost-card'), 'it-lost-card')]);

    // Act
    const outcome = (await pipeline.waitFor([id!], 20_000)).get(id!);

    // Assess
    expect(outcome?.status).toBe('processed');
    // The function's own thread did the work (the benchmark splits a call's CPU with this figure);
    // Worker.cpuUsage needs Node 22.19 or later, and npm scripts run Node 24 (the node@24 devDependency).
    expect(cpuBefore, 'Worker.cpuUsage() is missing: run the tests with npm test (Node 24)').toBeDefined();
    expect((await pipeline.functionCpuMs())! - cpuBefore!).toBeGreaterThan(0);
    if (outcome?.status !== 'processed') return;
    expect(CallNotesSchema.safeParse(outcome.call.notes).success).toBe(true);
    expect(outcome.call.model.id).toBe(stack.functionEnv('ingest').CALLNOTES_MODEL_ID);
    expect(outcome.call.usage.inputTokens).toBeGreaterThan(0);
    expect(outcome.call.transcriptUri).toMatch(new RegExp(`^s3://${stack.resources.bucket}/transcripts/it-lost-card/`));
    expect(await queueDepth(stack.resources.queueUrl)).toBe(0);
  });

  it('stores a rejection for a malformed message and does not retry it', async () => {
    const body = JSON.stringify({ type: 'call.transcript.v1', callId: 'it-bad', startedAt: '2026-11-20T10:00:00Z', transcript: 'Agent: hi' });
    const [id] = await pipeline.send([body]);

    const outcome = (await pipeline.waitFor([id!], 20_000)).get(id!);

    expect(outcome).toMatchObject({ status: 'rejected', callId: 'it-bad', field: 'agentId' });
    const failedBatches = batches.filter((b) => b.failedIds.includes(id!));
    expect(failedBatches).toHaveLength(0);
    expect(await queueDepth(stack.resources.queueUrl)).toBe(0);
    expect(await queueDepth(stack.resources.dlqUrl)).toBe(0);
  });

  it('absorbs a short burst of throttling inside the invocation, without burning a receive', async () => {
    stack.bedrock.setFaults({ throttleNext: 2 });
    const [id] = await pipeline.send([withCallId(sample('plan-upgrade'), 'it-burst')]);

    const outcome = (await pipeline.waitFor([id!], 30_000)).get(id!);

    expect(outcome?.status).toBe('processed');
    expect(batches.filter((b) => b.failedIds.includes(id!)).map((b) => b.error ?? b.failedIds)).toEqual([]);
  });

  it('reports sustained throttling as a batch item failure and succeeds on redelivery', async () => {
    // Throttled for longer than the function keeps retrying (CALLNOTES_MODEL_RETRY_MAX_SECONDS=3 here).
    stack.bedrock.setFaults({ throttleRate: 1 });
    const [id] = await pipeline.send([withCallId(sample('billing-dispute'), 'it-throttled')]);
    await expect.poll(() => batches.some((b) => b.failedIds.includes(id!)), { timeout: 15_000 }).toBe(true);
    stack.bedrock.setFaults({ throttleRate: 0 });

    const outcome = (await pipeline.waitFor([id!], 30_000)).get(id!);

    expect(outcome?.status).toBe('processed');
    const redelivered = batches.filter((b) => b.records.some((r) => r.messageId === id));
    expect(Number(redelivered.at(-1)!.records.find((r) => r.messageId === id)!.attributes.ApproximateReceiveCount)).toBeGreaterThanOrEqual(2);
    const doc = DynamoDBDocumentClient.from(stack.clients.dynamodb);
    const { Items = [] } = await doc.send(new ScanCommand({ TableName: stack.resources.table, FilterExpression: 'callId = :c AND entity = :e', ExpressionAttributeValues: { ':c': 'it-throttled', ':e': 'call' } }));
    expect(Items).toHaveLength(1);
  });

  it('one model call for a call sent twice whose copies land in different batches', async () => {
    // A model slow enough that the second copy, held up to 1 s by the batching window, arrives while the first is with it.
    stack.bedrock.setFaults({ latencyMs: { min: 3000, max: 3000 } });
    try {
      const before = stack.bedrock.stats().converseCalls;
      const body = withCallId(sample('lost-card'), 'it-sent-twice');
      const [first] = await pipeline.send([body]);
      await expect.poll(() => stack.bedrock.stats().converseCalls > before, { timeout: 10_000, interval: 20 }).toBe(true);
      const [second] = await pipeline.send([body]);

      await pipeline.waitFor([first!, second!], 30_000);

      // What the function said of each (the pipeline's outcome of a duplicate is the stored call).
      const batchOf = (id: string) => batches.find((b) => b.records.some((r) => r.messageId === id))!;
      const said = (id: string) => (batchOf(id).results?.[id] as { status: string }[] | undefined)?.[0]?.status;
      expect([said(first!), said(second!)]).toEqual(['processed', 'duplicate']);
      expect(stack.bedrock.stats().converseCalls - before).toBe(1);
      expect(batchOf(first!)).not.toBe(batchOf(second!));
    } finally {
      stack.bedrock.setFaults({ latencyMs: { min: 0, max: 0 } });
    }
  });

  it('reads a transcript uploaded to the bucket when its S3 notification arrives', async () => {
    const key = 'incoming/it-s3-upload.txt';
    await stack.clients.s3.send(
      new PutObjectCommand({
        Bucket: stack.resources.bucket,
        Key: key,
        Body: 'Agent: Thanks for calling.\nCustomer: My package never arrived.\nAgent: I will send a replacement today.',
        Metadata: { 'agent-id': 'agent-s3', 'started-at': '2026-11-21T12:00:00Z' },
      }),
    );
    const notification = { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: stack.region, eventTime: '2026-11-21T12:05:00.000Z', eventName: 'ObjectCreated:Put', s3: { bucket: { name: stack.resources.bucket }, object: { key, size: 90 } } }] };

    const [id] = await pipeline.send([JSON.stringify(notification)]);
    const outcome = (await pipeline.waitFor([id!], 20_000)).get(id!);

    expect(outcome).toMatchObject({ status: 'processed', callId: 'it-s3-upload' });
    if (outcome?.status === 'processed') expect(outcome.call).toMatchObject({ agentId: 'agent-s3', startedAt: '2026-11-21T12:00:00.000Z', turnCount: 3 });
  });

  it('processes the Lambda-shaped sample event as `serverless invoke local` would', async () => {
    const { handler } = await import('#functions/ingest.ts');
    const event = JSON.parse(readFileSync('events/sqs/batch.json', 'utf8'));

    const response = await handler(event, lambdaContext('ingest', stack.region, 1024, () => 60_000));

    expect(response).toEqual({ batchItemFailures: [] });
  });
});
