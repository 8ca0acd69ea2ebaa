import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalStackSettings } from '#adapters/config.ts';
import { BedrockNotesModel } from '#adapters/bedrock-notes-model.ts';
import { S3DynamoDbDatasetStore } from '#adapters/dataset-store.ts';
import { DynamoDbCallStore } from '#adapters/dynamodb-call-store.ts';
import { DynamoDbRatingStore } from '#adapters/dynamodb-rating-store.ts';
import { S3TranscriptStore } from '#adapters/s3-transcript-store.ts';
import { curateDataset, type CurationDeps } from '#domain/curation/index.ts';
import { ingestMessage } from '#domain/ingest.ts';
import { CallNotesSchema } from '#domain/notes.ts';
import type { IngestDeps } from '#domain/ports.ts';
import type { Rating } from '#domain/ratings.ts';
import { parseTuningFile } from '#local/bedrock/control-plane/tuning-dataset.ts';
import { lambdaContext } from '#local/sqs-event-source.ts';
import { LOCAL_CREDENTIALS, startLocalStack, type LocalStack } from '#local/stack.ts';

const run = promisify(execFile);

/** PII a dataset must never hold: planted in transcripts (ingest should redact) and in corrections typed by raters. */
const PLANTED_PII = ['4111 1111 1111 1111', '4111111111111111', '123-45-6789', 'jane.planted@example.com', '(555) 201-7788', '555-201-7788'];

const CUSTOMER_LINES = [
  'My internet keeps dropping every evening around eight.', 'I was charged twice for the same order last week.', 'The replacement card never arrived in the mail.',
  'I cannot log in since the app updated on Tuesday.', 'My package shows delivered but it is not at my door.', 'I want to move my plan to the cheaper tier.',
  'The modem lights are blinking orange and nothing loads.', 'There is a late fee on my bill I do not understand.', 'I need to change the address for my deliveries.',
  'The technician did not show up for the appointment.', 'My streaming service stopped working on the smart television.', 'I would like to cancel the premium add-on.',
  'The refund you promised has not reached my account.', 'My password reset link expires before I can use it.', 'The order arrived with a cracked screen.',
  'Roaming charges appeared even though I stayed home.', 'My loyalty points disappeared from the account page.', 'The heating unit makes a loud knocking noise.',
];
const AGENT_LINES = [
  'I can see a signal problem on your line and I am resetting the port now.', 'I have opened a dispute for the duplicate charge.', 'I have ordered a new card with express shipping.',
  'I cleared the session and sent you a fresh login link.', 'I have started a trace with the carrier for the package.', 'I have switched the plan and the change applies from the next cycle.',
  'Please unplug the modem for thirty seconds while I push new settings.', 'I have waived the late fee as a one-time courtesy.', 'The delivery address is updated for future orders.',
  'I booked a new technician visit for Friday morning.', 'I refreshed the entitlement so the app should work after a restart.', 'The add-on is removed and you will not be billed again.',
  'I escalated the refund to our payments team for review.', 'I extended the reset link so it stays valid for an hour.', 'A replacement unit will ship today with a return label.',
  'I reversed the roaming charges on this bill.', 'I restored the points and flagged the account for monitoring.', 'An engineer will call you to arrange a heating inspection.',
];

/** A deterministic, varied call: lines drawn by a small PRNG so no two calls are near-duplicates. */
function syntheticTurns(n: number): { role: 'agent' | 'customer'; text: string }[] {
  let seed = (n + 1) * 2654435761;
  const next = () => ((seed = (Math.imul(seed ^ (seed >>> 15), 2246822519) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  const turns: { role: 'agent' | 'customer'; text: string }[] = [{ role: 'agent', text: `Thanks for calling, this is desk ${n % 7}, how can I help?` }];
  for (let i = 0; i < 5; i++) {
    turns.push({ role: 'customer', text: `${CUSTOMER_LINES[Math.floor(next() * CUSTOMER_LINES.length)]} Reference ${1000 + n * 17 + i}.` });
    turns.push({ role: 'agent', text: AGENT_LINES[Math.floor(next() * AGENT_LINES.length)]! });
  }
  return turns;
}

describe('Integration: curation on the local stack', () => {
  let stack: LocalStack;
  let stateDir: string;
  let ingestDeps: IngestDeps;
  let ratings: DynamoDbRatingStore;
  let curationDeps: CurationDeps;
  const window = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'callnotes-curation-'));
    const settings = loadLocalStackSettings({
      CALLNOTES_SQS_PORT: '0', CALLNOTES_DYNAMODB_PORT: '0', CALLNOTES_S3_PORT: '0', CALLNOTES_BEDROCK_PORT: '0', CALLNOTES_API_PORT: '0',
      CALLNOTES_STATE_DIR: stateDir,
    });
    stack = await startLocalStack({ settings, writeStateFile: true });
    const { table, bucket } = stack.resources;
    ingestDeps = {
      model: new BedrockNotesModel({
        modelId: stack.functionEnv('ingest').CALLNOTES_MODEL_ID!,
        modelVersion: 'base',
        maxOutputTokens: 1024,
        client: new BedrockRuntimeClient({ region: stack.region, endpoint: stack.endpoints.bedrock, credentials: LOCAL_CREDENTIALS }),
      }),
      calls: new DynamoDbCallStore(table, stack.clients.dynamodb),
      transcripts: new S3TranscriptStore(bucket, stack.clients.s3),
      clock: { now: () => new Date() },
      limits: { maxInlineBytes: 240_000, maxObjectBytes: 1_000_000 },
    };
    ratings = new DynamoDbRatingStore(table, stack.clients.dynamodb);
    curationDeps = {
      ratings,
      calls: ingestDeps.calls,
      transcripts: ingestDeps.transcripts,
      datasets: new S3DynamoDbDatasetStore(bucket, table, { s3: stack.clients.s3, dynamodb: stack.clients.dynamodb }),
      clock: { now: () => new Date('2026-11-23T12:00:00.000Z') },
    };
  });

  afterAll(async () => {
    await stack?.close();
  });

  const readObject = async (uri: string) => {
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri)!;
    const response = await stack.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return response.Body!.transformToString('utf-8');
  };

  const cli = (script: string, args: string[]) =>
    run(process.execPath, ['--import', 'tsx', `cli/${script}.ts`, ...args], {
      env: { ...process.env, CALLNOTES_STATE_DIR: stateDir, CALLNOTES_STAGE: '', LOG_LEVEL: 'ERROR' },
      timeout: 120_000,
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
    );

  it('curates ratings on 55 calls into valid Claude 3 Haiku records with none of a planted PII set, once per window', { timeout: 120_000 }, async () => {
    // Prepare: calls through the ingest use case, some with PII in the transcript; ratings of every kind.
    for (let n = 0; n < 55; n++) {
      const turns = syntheticTurns(n);
      if (n === 4) turns.push({ role: 'customer', text: 'My card number is 4111 1111 1111 1111 if you need it.' });
      if (n === 5) turns.push({ role: 'customer', text: 'My social security number is 123-45-6789.' });
      const body = JSON.stringify({ type: 'call.transcript.v1', callId: `cur-${n}`, agentId: 'agent-7', startedAt: '2026-11-19T09:00:00Z', format: 'turns', transcript: turns });
      const [result] = await ingestMessage({ messageId: `m-${n}`, body }, ingestDeps);
      expect(result?.status).toBe('processed');
    }
    for (let n = 0; n < 55; n++) {
      const base: Rating = { callId: `cur-${n}`, raterId: 'agent-7', raterRole: 'agent', agentId: 'agent-7', score: 5, ratedAt: `2026-11-20T10:${String(n).padStart(2, '0')}:00.000Z`, version: 1 };
      const kind = n % 10;
      if (kind === 0) await ratings.putRating({ ...base, score: 2 });
      else if (kind === 1) await ratings.putRating({ ...base, score: 3 });
      else if (kind === 2) await ratings.putRating({ ...base, score: 2, corrections: { topics: ['billing question'], outcome: 'follow_up' } });
      else if (kind === 3) {
        await ratings.putRating({ ...base, score: 5 });
        await ratings.putRating({ ...base, raterId: 'sup-1', raterRole: 'supervisor', score: 1, ratedAt: `2026-11-20T11:${String(n).padStart(2, '0')}:00.000Z` });
      } else if (n === 6) await ratings.putRating({ ...base, corrections: { summary: 'The customer asked for a callback. Reach her at jane.planted@example.com or (555) 201-7788.' } });
      else await ratings.putRating({ ...base, score: kind % 2 === 0 ? 5 : 4 });
    }

    // Act
    const first = await curateDataset(window, curationDeps, { family: 'claude3' });
    const again = await curateDataset(window, curationDeps, { family: 'claude3' });

    // Assess
    expect(first.status).toBe('created');
    if (first.status === 'empty') return;
    const { dataset } = first;
    expect(dataset.counts.considered).toBe(55);
    expect(dataset.counts.dropped).toMatchObject({ 'low-score': 12, 'neutral-score': 6 });
    expect(dataset.counts.dropped.pii).toBeGreaterThanOrEqual(1);
    expect(dataset.counts.sources.corrected).toBe(6);
    expect(dataset.counts.validation).toBeGreaterThanOrEqual(1);

    const train = await readObject(dataset.files.train.uri);
    const validation = await readObject(dataset.files.validation.uri);
    const limits = { maxRecords: 10_000, minRecords: 1, maxTokensPerRecord: 32_000 };
    // The Bedrock emulator's own checks of a Claude 3 tuning file (keys, roles, order, size).
    const records = [...parseTuningFile(train, 'train.jsonl', 'claude-3', limits), ...parseTuningFile(validation, 'validation.jsonl', 'claude-3', { ...limits, maxRecords: 1_000 })];
    expect(records).toHaveLength(dataset.counts.selected);
    for (const line of `${train}${validation}`.trim().split('\n')) {
      const record = JSON.parse(line);
      expect(Object.keys(record).sort()).toEqual(['messages', 'system']);
      expect(record.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
      expect(CallNotesSchema.safeParse(JSON.parse(record.messages[1].content)).success).toBe(true);
    }
    for (const pii of PLANTED_PII) expect(`${train}${validation}`).not.toContain(pii);
    expect(train + validation).toContain('billing question');

    const manifest = JSON.parse(await readObject(dataset.manifestUri));
    expect(manifest).toMatchObject({ version: dataset.version, window, family: 'claude3', format: 'bedrock-claude3-messages' });
    expect(manifest.files.train.sha256).toBe(dataset.files.train.sha256);
    expect([...manifest.sourceCallIds.train, ...manifest.sourceCallIds.validation]).toHaveLength(dataset.counts.selected);

    expect(again).toMatchObject({ status: 'existing', dataset: { version: dataset.version } });
    expect(await curationDeps.datasets.listDatasets()).toHaveLength(1);
  });

  it('imports a labelled history file through the CLI, idempotently, and curates records carrying its labels', { timeout: 180_000 }, async () => {
    // Prepare
    const fixture = 'test/fixtures/history/labelled-calls.jsonl';
    const from = new Date(Date.now() - 60_000).toISOString();

    // Act
    const imported = await cli('import-history', [fixture, '--json']);
    const reimported = await cli('import-history', [fixture, '--json']);
    const to = new Date(Date.now() + 60_000).toISOString();
    const curated = await cli('curate', ['--from', from, '--to', to, '--json']);
    const recurated = await cli('curate', ['--from', from, '--to', to, '--json']);
    const listed = await cli('datasets', ['--json']);

    // Assess
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ dialogues: 12, failed: 0, calls: { processed: 12 }, ratings: { created: 12 } });
    expect(JSON.parse(reimported.stdout)).toMatchObject({ dialogues: 12, calls: { processed: 0, duplicate: 12 }, ratings: { created: 0, unchanged: 12 } });
    expect(curated.code, curated.stderr).toBe(0);
    const result = JSON.parse(curated.stdout);
    expect(result).toMatchObject({ status: 'created', dataset: { counts: { considered: 12, selected: 12, sources: { corrected: 12 } } } });
    expect(JSON.parse(recurated.stdout)).toMatchObject({ status: 'existing', dataset: { version: result.dataset.version } });
    const text = (await readObject(result.dataset.files.train.uri)) + (await readObject(result.dataset.files.validation.uri));
    const answers = text.trim().split('\n').map((line) => JSON.parse(JSON.parse(line).messages[1].content));
    expect(answers.map((a) => a.topics)).toContainEqual(['internet_outage', 'technician_visit']);
    expect(answers.map((a) => a.summary)).toContain('The customer was billed twice for October. The agent confirmed the duplicate and issued a refund.');
    expect(answers.flatMap((a) => a.actionItems)).toContainEqual({ owner: 'agent', text: 'open carrier trace', due: null });
    expect(JSON.parse(listed.stdout).map((d: { version: string }) => d.version)).toContain(result.dataset.version);
  });

  it('reports a malformed history line with its number, imports the rest, and exits non-zero', { timeout: 60_000 }, async () => {
    const file = join(stateDir, 'with-bad-line.jsonl');
    const good = JSON.stringify({ id: 'bad-file-ok', turns: [{ speaker: 'customer', text: 'My order is late.' }, { speaker: 'agent', text: 'I have expedited it.' }], reference: { summary: null, topics: ['late_order'], actions: [] } });
    writeFileSync(file, `${good}\n{"id": "broken", "turns": [}\n`);

    const result = await cli('import-history', [file]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 2/);
    expect(result.stdout).toMatch(/1 of 1 dialogues imported/);
  });

  it('runs the curate function for an on-demand window, a schedule event and a bad event', { timeout: 60_000 }, async () => {
    // Prepare: the function's environment as serverless.yml's provider section gives it.
    Object.assign(process.env, stack.functionEnv('ingest'), { LOG_LEVEL: 'ERROR' });
    const { handler } = await import('#functions/curate.ts');
    const context = lambdaContext('curate', stack.region, 1024, () => 300_000);
    const schedule = { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', time: new Date().toISOString(), region: stack.region, resources: [], detail: {} };

    // Act
    const onDemand = await handler(window, context);
    const scheduled = await handler(schedule, context);
    const bad = await handler({ from: 'last tuesday' }, context);

    // Assess
    expect(onDemand).toMatchObject({ status: 'existing', window });
    expect(['created', 'existing', 'empty']).toContain(scheduled.status);
    expect(bad).toMatchObject({ status: 'rejected' });
    if (bad.status === 'rejected') expect(bad.message).toMatch(/from/);
  });
});
