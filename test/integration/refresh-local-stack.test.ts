import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BedrockClient, ListModelCustomizationJobsCommand } from '@aws-sdk/client-bedrock';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalStackSettings } from '#adapters/config.ts';
import { ChampionNotesModel } from '#adapters/bedrock-notes-model.ts';
import { S3DynamoDbDatasetStore } from '#adapters/dataset-store.ts';
import { DynamoDbCallStore } from '#adapters/dynamodb-call-store.ts';
import { DynamoDbRatingStore } from '#adapters/dynamodb-rating-store.ts';
import { DynamoDbModelRegistry, ModelPointerCache } from '#adapters/model-registry.ts';
import { S3TranscriptStore } from '#adapters/s3-transcript-store.ts';
import { curateDataset, importHistoryDialogue, parseHistoryLine, type HistoryDialogue } from '#domain/curation/index.ts';
import { ingestMessage } from '#domain/ingest.ts';
import type { IngestDeps } from '#domain/ports.ts';
import type { ModelLineView } from '#domain/refresh/operator.ts';
import { LOCAL_CREDENTIALS, startLocalStack, type LocalStack } from '#local/stack.ts';
import { starDialogues } from '../fixtures/tuning/star-dialogues.ts';

const run = promisify(execFile);

/** Project-made labelled calls (STAR-like tasks the untrained embedded model cannot name), as history lines. */
function labelledHistory(count: number, seed: number): HistoryDialogue[] {
  return starDialogues({ count, seed }).map((d, i) =>
    parseHistoryLine(
      JSON.stringify({ id: d.callId, turns: d.transcript.turns.map((t) => ({ speaker: t.role, text: t.text })), reference: { summary: null, topics: d.labels, actions: [] }, meta: { startedAt: `${d.callDate}T10:00:00Z` } }),
      i + 1,
    )!,
  );
}

describe('Integration: tuning refresh on the local stack', () => {
  let stack: LocalStack;
  let stateDir: string;
  let ingestDeps: IngestDeps;
  let baseModelId: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'callnotes-refresh-'));
    const settings = loadLocalStackSettings({
      CALLNOTES_SQS_PORT: '0', CALLNOTES_DYNAMODB_PORT: '0', CALLNOTES_S3_PORT: '0', CALLNOTES_BEDROCK_PORT: '0', CALLNOTES_API_PORT: '0',
      CALLNOTES_STATE_DIR: stateDir,
    });
    stack = await startLocalStack({ settings, writeStateFile: true });
    const { table, bucket } = stack.resources;
    baseModelId = stack.functionEnv('ingest').CALLNOTES_MODEL_ID!;
    const registry = new DynamoDbModelRegistry(table, stack.clients.dynamodb);
    // TTL 0: every call reads the pointer, so the test sees a promotion or rollback at once.
    const pointer = new ModelPointerCache(registry, { line: 'notes', ttlMs: 0 });
    ingestDeps = {
      model: new ChampionNotesModel({
        modelId: baseModelId,
        modelVersion: 'base',
        maxOutputTokens: 1024,
        client: new BedrockRuntimeClient({ region: stack.region, endpoint: stack.endpoints.bedrock, credentials: LOCAL_CREDENTIALS }),
        served: () => pointer.current(),
      }),
      calls: new DynamoDbCallStore(table, stack.clients.dynamodb),
      transcripts: new S3TranscriptStore(bucket, stack.clients.s3),
      clock: { now: () => new Date() },
      limits: { maxInlineBytes: 240_000, maxObjectBytes: 1_000_000 },
    };
  });

  afterAll(async () => {
    await stack?.close();
  });

  const cli = async (script: string, args: string[]) => {
    const result = await run(process.execPath, ['--import', 'tsx', `cli/${script}.ts`, ...args], {
      env: { ...process.env, CALLNOTES_STATE_DIR: stateDir, CALLNOTES_STAGE: '', LOG_LEVEL: 'ERROR', CALLNOTES_REFRESH_MIN_NEW_EXAMPLES: '20' },
      timeout: 120_000,
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
    );
    return result;
  };

  const callMessage = (callId: string) =>
    JSON.stringify({
      type: 'call.transcript.v1', callId, agentId: 'agent-7', startedAt: '2026-11-23T09:00:00Z', format: 'turns',
      transcript: [
        { role: 'agent', text: 'Thanks for calling, how can I help you today?' },
        { role: 'customer', text: 'I forgot my password and the reset email never arrives, can you reset it for me?' },
        { role: 'agent', text: 'I have sent a new password reset link to the address on file; it is valid for one hour.' },
      ],
    });

  it('imports labelled calls, curates, trains, approves, evaluates and promotes; ingest then serves the new model, and rollback restores the previous one', { timeout: 180_000 }, async () => {
    // Prepare: labelled history through the ingest use case, with supervisor ratings carrying the labels; one dataset.
    const ratings = new DynamoDbRatingStore(stack.resources.table, stack.clients.dynamodb);
    for (const dialogue of labelledHistory(48, 20251101)) {
      const result = await importHistoryDialogue(dialogue, { ingest: ingestDeps, ratings, clock: ingestDeps.clock }, { raterId: 'supervisor-import', agentId: 'history-import' });
      expect(result.status).toBe('imported');
    }
    const curated = await curateDataset({}, {
      ratings,
      calls: ingestDeps.calls,
      transcripts: ingestDeps.transcripts,
      datasets: new S3DynamoDbDatasetStore(stack.resources.bucket, stack.resources.table, { s3: stack.clients.s3, dynamodb: stack.clients.dynamodb }),
      clock: { now: () => new Date() },
    }, { family: 'claude3' });
    expect(curated.status).toBe('created');
    const before = (await ingestMessage({ messageId: 'm-before', body: callMessage('refresh-before') }, ingestDeps))[0]!;
    expect(before.status === 'processed' && before.call.model).toEqual({ id: baseModelId, version: 'base', mode: 'tool' });

    // Act 1: one pass starts the job; running it again starts no second job; --wait runs to the approval gate.
    const first = await cli('refresh', []);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/notes-v1\s+train\s+CreateModelCustomizationJob/);
    const again = await cli('refresh', ['--wait', '--timeout', '60']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain('CreateModelCustomizationJob');
    expect(again.stdout).toMatch(/approve with `npm run models -- approve notes-v1`/);
    const bedrock = new BedrockClient({ region: stack.region, endpoint: stack.endpoints.bedrock, credentials: LOCAL_CREDENTIALS });
    expect((await bedrock.send(new ListModelCustomizationJobsCommand({}))).modelCustomizationJobSummaries).toHaveLength(1);

    // Act 2: the operator approves (provisioned throughput), and the refresh serves, evaluates and promotes.
    const approved = await cli('models', ['approve', 'notes-v1', '--by', 'ops-test']);
    expect(approved.code, approved.stderr).toBe(0);
    const promoted = await cli('refresh', ['--wait', '--timeout', '60']);
    expect(promoted.code, promoted.stderr).toBe(0);
    const listed = await cli('models', ['--json']);
    const view = JSON.parse(listed.stdout) as ModelLineView;

    // Assess: the registry
    const v1 = view.versions.find((v) => v.id === 'notes-v1')!;
    expect(`${approved.stdout}${promoted.stdout}`).toMatch(/notes-v1\s+promote/);
    expect(v1).toMatchObject({ status: 'champion', approval: { by: 'ops-test' }, job: { status: 'Completed' }, serving: { kind: 'provisioned', status: 'ready' }, evaluation: { decision: 'promote' } });
    expect(v1.job.trainingLoss).toBeTypeOf('number');
    expect(v1.evaluation!.candidate.topicAccuracy!).toBeGreaterThanOrEqual(v1.evaluation!.champion.topicAccuracy! + 0.02);
    expect(view.champion).toMatchObject({ version: 1, modelId: v1.serving!.arn, modelVersion: 'notes-v1', mode: 'json-text' });

    // Assess: ingest's next call is served by the promoted model (its stored model id is the serving ARN).
    const after = (await ingestMessage({ messageId: 'm-after', body: callMessage('refresh-after') }, ingestDeps))[0]!;
    expect(after.status).toBe('processed');
    if (after.status !== 'processed') return;
    expect(after.call.model).toEqual({ id: v1.serving!.arn, version: 'notes-v1', mode: 'json-text' });

    // Act 3 + assess: rollback; the next call uses the previous model (the base model here).
    const rolledBack = await cli('models', ['rollback', '--by', 'ops-test']);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(rolledBack.stdout).toContain('from notes-v1');
    const afterRollback = (await ingestMessage({ messageId: 'm-rollback', body: callMessage('refresh-rollback') }, ingestDeps))[0]!;
    expect(afterRollback.status === 'processed' && afterRollback.call.model).toEqual({ id: baseModelId, version: 'base', mode: 'tool' });
    const finalView = JSON.parse((await cli('models', ['--json'])).stdout) as ModelLineView;
    expect(finalView.versions.find((v) => v.id === 'notes-v1')!.status).toBe('retired');
    expect(finalView.rollbackTo).toBeUndefined();
  });
});
