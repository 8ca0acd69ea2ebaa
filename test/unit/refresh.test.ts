import { beforeEach, describe, expect, it } from 'vitest';
import { ChampionNotesModel } from '../../adapters/bedrock-notes-model.ts';
import { ModelPointerCache } from '../../adapters/model-registry.ts';
import type { CuratedDataset } from '../../domain/curation/types.ts';
import type { ModelAnswer, NotesModel } from '../../domain/ports.ts';
import type { ModelMode, NotesPrompt } from '../../domain/prompt.ts';
import {
  approveVersion,
  CustomizationRequestError,
  decidePromotion,
  declineVersion,
  hyperParameterProblems,
  jobToken,
  ModelCommandError,
  newExamples,
  refreshLine,
  RefreshSettingsError,
  RegistryConflictError,
  rollbackChampion,
  type ChampionPointer,
  type CustomizationJobRequest,
  type CustomizationJobState,
  type ModelCustomization,
  type ModelRegistry,
  type ModelScores,
  type ModelVersion,
  type RefreshDeps,
  type RefreshSettings,
  type ServingKind,
  type ServingRequest,
} from '../../domain/refresh/index.ts';

// ---------- fakes ----------

class MemoryModelRegistry implements ModelRegistry {
  readonly versions = new Map<string, ModelVersion>();
  readonly pointers = new Map<string, ChampionPointer>();
  /** Fails the next createVersion as if another pass had taken the number. */
  raceNextCreate = false;

  async listVersions(line: string) {
    return [...this.versions.values()].filter((v) => v.line === line).sort((a, b) => a.version - b.version).map((v) => structuredClone(v));
  }
  async getVersion(line: string, version: number) {
    const v = this.versions.get(`${line}#${version}`);
    return v && structuredClone(v);
  }
  async createVersion(v: ModelVersion) {
    if (this.raceNextCreate || this.versions.has(`${v.line}#${v.version}`)) {
      this.raceNextCreate = false;
      return false;
    }
    this.versions.set(`${v.line}#${v.version}`, structuredClone(v));
    return true;
  }
  async saveVersion(v: ModelVersion) {
    const stored = this.versions.get(`${v.line}#${v.version}`);
    if (!stored || stored.revision !== v.revision) throw new RegistryConflictError(`${v.id} changed`);
    const next = { ...structuredClone(v), revision: v.revision + 1 };
    this.versions.set(`${v.line}#${v.version}`, next);
    return structuredClone(next);
  }
  async getChampion(line: string) {
    const p = this.pointers.get(line);
    return p && structuredClone(p);
  }
  async putChampion(p: ChampionPointer, expected: number | undefined) {
    const stored = this.pointers.get(p.line);
    if (stored?.revision !== expected) throw new RegistryConflictError('pointer changed');
    this.pointers.set(p.line, structuredClone(p));
    return structuredClone(p);
  }
}

interface FakeJob {
  request: CustomizationJobRequest;
  arn: string;
  state: CustomizationJobState;
}

class FakeCustomization implements ModelCustomization {
  readonly jobs: FakeJob[] = [];
  readonly serving = new Map<string, { kind: ServingKind; request: ServingRequest; status: 'creating' | 'ready' | 'failed' | 'deleted' }>();
  failNextStart: Error | undefined;

  async startJob(request: CustomizationJobRequest) {
    const same = this.jobs.find((j) => j.request.clientRequestToken === request.clientRequestToken);
    if (this.failNextStart) {
      const error = this.failNextStart;
      this.failNextStart = undefined;
      // The job may have started before the answer was lost: that is the case a token covers.
      if (!same) this.jobs.push({ request, arn: `arn:job/${this.jobs.length + 1}`, state: { status: 'InProgress' } });
      throw error;
    }
    if (same) return { jobArn: same.arn };
    const job = { request, arn: `arn:job/${this.jobs.length + 1}`, state: { status: 'InProgress' as const } };
    this.jobs.push(job);
    return { jobArn: job.arn };
  }
  async getJob(arn: string) {
    return this.jobs.find((j) => j.arn === arn)!.state;
  }
  complete(index: number, modelArn = `arn:custom-model/${index + 1}`) {
    this.jobs[index]!.state = { status: 'Completed', outputModelArn: modelArn, trainingLoss: 0.12, validationLoss: 0.2, endTime: '2026-11-23T13:00:00.000Z' };
  }
  async createServing(request: ServingRequest) {
    const arn = `arn:${request.kind}/${request.clientRequestToken}`;
    if (!this.serving.has(arn)) this.serving.set(arn, { kind: request.kind, request, status: 'creating' });
    return { arn };
  }
  async getServing(_kind: ServingKind, arn: string) {
    const s = this.serving.get(arn)!;
    return { status: s.status === 'deleted' ? ('failed' as const) : s.status };
  }
  readyAll() {
    for (const s of this.serving.values()) if (s.status === 'creating') s.status = 'ready';
  }
  async deleteServing(_kind: ServingKind, arn: string) {
    this.serving.get(arn)!.status = 'deleted';
  }
}

/** A notes model whose answers are right (topic from the transcript's TOPIC marker), wrong, or never valid JSON. */
class TopicModel implements NotesModel {
  readonly mode: ModelMode;
  constructor(
    readonly modelId: string,
    readonly modelVersion: string,
    readonly quality: 'right' | 'wrong' | 'invalid',
  ) {
    this.mode = modelId.startsWith('arn:') ? 'json-text' : 'tool';
  }
  async generate(prompt: NotesPrompt): Promise<ModelAnswer> {
    const topic = /TOPIC (\w+)/.exec(prompt.messages[0]!.text)?.[1] ?? 'unknown';
    const notes = { summary: 'The customer called. The agent helped.', topics: [this.quality === 'right' ? topic : 'general_enquiry'], actionItems: [], outcome: 'resolved' };
    const usage = { inputTokens: 10, outputTokens: 10 };
    if (this.quality === 'invalid') return { output: { kind: 'text', text: 'no notes today' }, usage, latencyMs: 1 };
    return { output: this.mode === 'tool' ? { kind: 'tool', input: notes } : { kind: 'text', text: JSON.stringify(notes) }, usage, latencyMs: 1 };
  }
}

const TOPICS = ['book_table', 'reset_password', 'track_order', 'update_address'];

function validationJsonl(count: number): string {
  return Array.from({ length: count }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length]!;
    const user = `Call date: 2026-11-0${(i % 9) + 1}\n<transcript>\nAgent: Hello, how can I help?\nCustomer: I need help, TOPIC ${topic} please.\n</transcript>`;
    const assistant = JSON.stringify({ summary: 'The customer asked for help. The agent helped.', topics: [topic], actionItems: [], outcome: 'resolved' });
    return JSON.stringify({ system: 'Write call notes.', messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });
  }).join('\n');
}

function dataset(version: string, records: { train: number; validation: number }, window = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-20T00:00:00.000Z' }, family: 'claude3' | 'nova' = 'claude3'): CuratedDataset {
  const file = (name: string, n: number) => ({ uri: `s3://bucket/datasets/${version}/${name}.jsonl`, records: n, bytes: 100, sha256: 'x' });
  return {
    version,
    createdAt: window.to,
    family,
    format: 'bedrock-claude3-messages',
    window,
    counts: { considered: records.train + records.validation, selected: records.train + records.validation, train: records.train, validation: records.validation, sources: { model: 0, corrected: 0 }, dropped: {} as never },
    topics: {},
    files: { train: file('train', records.train), validation: file('validation', records.validation) },
    manifestUri: `s3://bucket/datasets/${version}/manifest.json`,
  };
}

const SETTINGS: RefreshSettings = {
  line: 'notes',
  family: 'claude3',
  baseModelId: 'anthropic.claude-3-haiku-20240307-v1:0:200k',
  servingModelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  servingModelVersion: 'base',
  roleArn: 'arn:aws:iam::000000000000:role/tuning',
  outputS3Uri: 's3://bucket/model-output/',
  namePrefix: 'callnotes-test',
  minNewExamples: 20,
  hyperParameters: { epochCount: '2', batchSize: '8', learningRateMultiplier: '1' },
  autoProvision: false,
  modelUnits: 1,
  metric: 'topicAccuracy',
  margin: 0.02,
  evalMaxRecords: 100,
  evalConcurrency: 2,
};

function harness(settings: Partial<RefreshSettings> = {}) {
  const registry = new MemoryModelRegistry();
  const customization = new FakeCustomization();
  const datasets: CuratedDataset[] = [];
  const files = new Map<string, string>();
  const quality = new Map<string, 'right' | 'wrong' | 'invalid'>();
  const counted = { jobFailed: [] as string[], promoted: 0, rejected: 0 };
  const deps: RefreshDeps = {
    registry,
    customization,
    datasets: { listDatasets: async () => [...datasets].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) },
    files: { readText: async (uri) => files.get(uri) ?? '' },
    models: { forModel: (id, version) => new TopicModel(id, version, quality.get(id) ?? (id.startsWith('arn:') ? 'right' : 'wrong')) },
    clock: { now: () => new Date('2026-11-23T12:00:00.000Z') },
    metrics: { jobFailed: (_line, status) => counted.jobFailed.push(status), promoted: () => (counted.promoted += 1), rejected: () => (counted.rejected += 1) },
  };
  const addDataset = (d: CuratedDataset) => {
    datasets.push(d);
    files.set(d.files.validation.uri, validationJsonl(d.files.validation.records));
  };
  return { registry, customization, datasets, files, quality, counted, deps, addDataset, settings: { ...SETTINGS, ...settings } };
}

type Harness = ReturnType<typeof harness>;

/** Drives v<n> of the line from a started job to a decision (the approve path for Claude without autoProvision). */
async function trainAndDecide(h: Harness, jobIndex: number) {
  h.customization.complete(jobIndex);
  await refreshLine(h.settings, h.deps);
  const waiting = (await h.registry.listVersions('notes')).find((v) => v.status === 'awaiting-approval');
  if (waiting) await approveVersion(waiting.id, 'ops', h.settings, h.deps);
  await refreshLine(h.settings, h.deps);
  h.customization.readyAll();
  return refreshLine(h.settings, h.deps);
}

// ---------- tests ----------

describe('Function: refreshLine', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  it('starts one customization job for a new dataset with enough records, with a token derived from (line, dataset)', async () => {
    // Prepare
    h.addDataset(dataset('d1', { train: 27, validation: 3 }));

    // Act
    const report = await refreshLine(h.settings, h.deps);

    // Assess
    expect(h.customization.jobs).toHaveLength(1);
    const request = h.customization.jobs[0]!.request;
    expect(request).toMatchObject({
      baseModelId: SETTINGS.baseModelId,
      roleArn: SETTINGS.roleArn,
      clientRequestToken: jobToken('notes', 'd1'),
      trainingS3Uri: 's3://bucket/datasets/d1/train.jsonl',
      validationS3Uri: 's3://bucket/datasets/d1/validation.jsonl',
      outputS3Uri: 's3://bucket/model-output/',
      hyperParameters: SETTINGS.hyperParameters,
    });
    expect(request.jobName).toMatch(/^callnotes-test-notes-v1-[0-9a-f]{8}$/);
    const [v1] = await h.registry.listVersions('notes');
    expect(v1).toMatchObject({ id: 'notes-v1', status: 'training', job: { arn: 'arn:job/1' } });
    expect(report.steps.map((s) => s.action)).toEqual(['candidate', 'train', 'wait']);
    expect(report.pending).toBe(true);
  });

  it('leaves validation out of the job when the validation file has no records', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 0 }));

    await refreshLine(h.settings, h.deps);

    expect(h.customization.jobs[0]!.request.validationS3Uri).toBeUndefined();
  });

  it('starts nothing when the dataset adds fewer than minNewExamples records, and says so', async () => {
    h.addDataset(dataset('d1', { train: 15, validation: 2 }));

    const report = await refreshLine(h.settings, h.deps);

    expect(h.customization.jobs).toHaveLength(0);
    expect(report.steps[0]).toMatchObject({ action: 'idle' });
    expect(report.steps[0]!.reason).toContain('adds 17 records');
    expect(report.steps[0]!.reason).toContain('at least 20');
  });

  it('refuses hyperparameters outside Bedrock\'s ranges before calling Bedrock', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 3 }));

    await expect(refreshLine({ ...h.settings, hyperParameters: { epochCount: '11', batchSize: '2' } }, h.deps)).rejects.toThrow(RefreshSettingsError);
    expect(h.customization.jobs).toHaveLength(0);
  });

  it('is safe to re-run after a pass was cut short: the same token finds the job already started, no second job', async () => {
    // Prepare: the job starts at Bedrock, but the answer never reaches the pass (a crash, a timeout).
    h.addDataset(dataset('d1', { train: 30, validation: 3 }));
    h.customization.failNextStart = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    await expect(refreshLine(h.settings, h.deps)).rejects.toThrow('socket hang up');
    expect((await h.registry.listVersions('notes'))[0]!.status).toBe('candidate');

    // Act
    await refreshLine(h.settings, h.deps);
    await refreshLine(h.settings, h.deps);

    // Assess
    expect(h.customization.jobs).toHaveLength(1);
    const versions = await h.registry.listVersions('notes');
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ status: 'training', job: { arn: 'arn:job/1' } });
  });

  it('never runs two jobs at once on a line, even when a newer dataset arrives', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 3 }));
    await refreshLine(h.settings, h.deps);
    h.addDataset(dataset('d2', { train: 40, validation: 4 }, { from: '2026-11-20T00:00:00.000Z', to: '2026-11-22T00:00:00.000Z' }));

    await refreshLine(h.settings, h.deps);

    expect(h.customization.jobs).toHaveLength(1);
    expect(await h.registry.listVersions('notes')).toHaveLength(1);
  });

  it('yields to another pass that created the same version number first', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 3 }));
    h.registry.raceNextCreate = true;

    const report = await refreshLine(h.settings, h.deps);

    expect(report.steps.at(-1)).toMatchObject({ action: 'skip' });
    expect(h.customization.jobs).toHaveLength(0);
  });

  it('records the losses of a completed Claude job and waits for approval before buying provisioned throughput', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 3 }));
    await refreshLine(h.settings, h.deps);
    h.customization.complete(0);

    const report = await refreshLine(h.settings, h.deps);

    const [v1] = await h.registry.listVersions('notes');
    expect(v1).toMatchObject({ status: 'awaiting-approval', job: { status: 'Completed', trainingLoss: 0.12, validationLoss: 0.2, outputModelArn: 'arn:custom-model/1' } });
    expect(h.customization.serving.size).toBe(0);
    expect(report.awaitingApproval).toBe(true);
  });

  it('serves, evaluates and promotes an approved candidate that beats the base model, and points ingest at it', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 8 }));
    await refreshLine(h.settings, h.deps);

    const report = await trainAndDecide(h, 0);

    const [v1] = await h.registry.listVersions('notes');
    expect(v1!.status).toBe('champion');
    expect(v1!.approval).toEqual({ by: 'ops', at: '2026-11-23T12:00:00.000Z' });
    expect(v1!.evaluation).toMatchObject({ decision: 'promote', records: 8, candidate: { topicAccuracy: 1, schemaValidRate: 1 }, champion: { topicAccuracy: 0, modelId: SETTINGS.servingModelId } });
    const pointer = await h.registry.getChampion('notes');
    expect(pointer).toMatchObject({ version: 1, modelId: v1!.serving!.arn, modelVersion: 'notes-v1', mode: 'json-text', previous: [{ version: 0, modelId: SETTINGS.servingModelId }] });
    expect([...h.customization.serving.values()][0]).toMatchObject({ kind: 'provisioned', request: { modelArn: 'arn:custom-model/1', modelUnits: 1 } });
    expect(report.steps.map((s) => s.action)).toContain('promote');
    expect(h.counted.promoted).toBe(1);
  });

  it('provisions without asking when autoProvision is on', async () => {
    h = harness({ autoProvision: true });
    h.addDataset(dataset('d1', { train: 30, validation: 4 }));
    await refreshLine(h.settings, h.deps);
    h.customization.complete(0);

    await refreshLine(h.settings, h.deps);

    expect((await h.registry.listVersions('notes'))[0]!.status).toBe('evaluating');
    expect(h.customization.serving.size).toBe(1);
  });

  it('serves a Nova candidate through an on-demand deployment, without approval', async () => {
    h = harness({ family: 'nova', baseModelId: 'amazon.nova-micro-v1:0:128k', hyperParameters: { epochCount: '2' } });
    h.addDataset(dataset('d1', { train: 30, validation: 4 }, undefined, 'nova'));
    await refreshLine(h.settings, h.deps);

    await trainAndDecide(h, 0);

    expect([...h.customization.serving.values()][0]!.kind).toBe('deployment');
    expect((await h.registry.getChampion('notes'))!.version).toBe(1);
  });

  it('records why a failed job failed, counts it for the alarm, and promotes nothing', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 3 }));
    await refreshLine(h.settings, h.deps);
    h.customization.jobs[0]!.state = { status: 'Failed', failureMessage: 'train.jsonl: line 3 is not valid JSON' };

    const report = await refreshLine(h.settings, h.deps);

    const [v1] = await h.registry.listVersions('notes');
    expect(v1).toMatchObject({ status: 'failed', job: { status: 'Failed', failureMessage: 'train.jsonl: line 3 is not valid JSON' } });
    expect(v1!.reason).toContain('line 3 is not valid JSON');
    expect(h.counted.jobFailed).toEqual(['Failed']);
    expect(await h.registry.getChampion('notes')).toBeUndefined();
    expect(report.pending).toBe(false);
  });

  it('treats a stopped job as failed', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 3 }));
    await refreshLine(h.settings, h.deps);
    h.customization.jobs[0]!.state = { status: 'Stopped' };

    await refreshLine(h.settings, h.deps);

    expect((await h.registry.listVersions('notes'))[0]!.status).toBe('failed');
    expect(h.counted.jobFailed).toEqual(['Stopped']);
  });

  it('fails the version when Bedrock refuses the job for good', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 3 }));
    h.customization.failNextStart = new CustomizationRequestError('ValidationException', 'Hyperparameter batchSize is not supported');

    await refreshLine(h.settings, h.deps);

    expect((await h.registry.listVersions('notes'))[0]).toMatchObject({ status: 'failed' });
    expect(h.counted.jobFailed).toEqual(['ValidationException']);
  });

  it('rejects a candidate that is not better and releases its provisioned throughput', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 8 }));
    await refreshLine(h.settings, h.deps);
    h.quality.set('arn:provisioned/' + jobToken('notes', 'd1') + '-serve', 'wrong');

    await trainAndDecide(h, 0);

    const [v1] = await h.registry.listVersions('notes');
    expect(v1).toMatchObject({ status: 'rejected', evaluation: { decision: 'reject' }, serving: { status: 'deleted' } });
    expect(await h.registry.getChampion('notes')).toBeUndefined();
    expect(h.counted.rejected).toBe(1);
  });

  it('rejects a candidate that wins on topics but produces schema-valid notes less often', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 8 }));
    await refreshLine(h.settings, h.deps);
    h.quality.set('arn:provisioned/' + jobToken('notes', 'd1') + '-serve', 'invalid');

    await trainAndDecide(h, 0);

    const [v1] = await h.registry.listVersions('notes');
    expect(v1!.status).toBe('rejected');
    expect(v1!.reason).toContain('schema-valid rate would drop');
  });

  it('compares a second candidate with the champion and retires the champion it replaces', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 8 }));
    await refreshLine(h.settings, h.deps);
    await trainAndDecide(h, 0);
    const v1Arn = (await h.registry.getChampion('notes'))!.modelId;
    h.quality.set(v1Arn, 'wrong');
    h.addDataset(dataset('d2', { train: 30, validation: 8 }, { from: '2026-11-20T00:00:00.000Z', to: '2026-11-22T00:00:00.000Z' }));
    await refreshLine(h.settings, h.deps);

    await trainAndDecide(h, 1);

    const [v1, v2] = await h.registry.listVersions('notes');
    expect(v2!.evaluation!.champion).toMatchObject({ modelId: v1Arn, modelVersion: 'notes-v1' });
    expect(v2!.status).toBe('champion');
    expect(v1!.status).toBe('retired');
    expect((await h.registry.getChampion('notes'))!.previous.map((p) => p.modelVersion)).toEqual(['notes-v1', 'base']);
  });

  it('repairs statuses a cut-short promotion left behind: the pointer decides', async () => {
    h.addDataset(dataset('d1', { train: 30, validation: 8 }));
    await refreshLine(h.settings, h.deps);
    await trainAndDecide(h, 0);
    const v1 = (await h.registry.getVersion('notes', 1))!;
    await h.registry.saveVersion({ ...v1, status: 'evaluating' });

    const report = await refreshLine(h.settings, h.deps);

    expect((await h.registry.getVersion('notes', 1))!.status).toBe('champion');
    expect(report.steps[0]).toMatchObject({ action: 'reconcile', version: 'notes-v1' });
  });
});

describe('Function: approveVersion / declineVersion', () => {
  it('throws unless the version awaits approval', async () => {
    const h = harness();
    h.addDataset(dataset('d1', { train: 30, validation: 3 }));
    await refreshLine(h.settings, h.deps);

    await expect(approveVersion('notes-v1', 'ops', h.settings, h.deps)).rejects.toThrow(ModelCommandError);
    await expect(approveVersion('notes-v9', 'ops', h.settings, h.deps)).rejects.toThrow('no model version notes-v9');
  });

  it('declines a trained version so it is never served', async () => {
    const h = harness();
    h.addDataset(dataset('d1', { train: 30, validation: 3 }));
    await refreshLine(h.settings, h.deps);
    h.customization.complete(0);
    await refreshLine(h.settings, h.deps);

    const declined = await declineVersion('v1', 'ops', h.settings, h.deps);
    await refreshLine(h.settings, h.deps);

    expect(declined.status).toBe('rejected');
    expect(h.customization.serving.size).toBe(0);
  });
});

describe('Function: rollbackChampion', () => {
  it('restores the previous champion, then the base model, then refuses', async () => {
    // Prepare: two promotions.
    const h = harness();
    h.addDataset(dataset('d1', { train: 30, validation: 8 }));
    await refreshLine(h.settings, h.deps);
    await trainAndDecide(h, 0);
    h.quality.set((await h.registry.getChampion('notes'))!.modelId, 'wrong');
    h.addDataset(dataset('d2', { train: 30, validation: 8 }, { from: '2026-11-20T00:00:00.000Z', to: '2026-11-22T00:00:00.000Z' }));
    await refreshLine(h.settings, h.deps);
    await trainAndDecide(h, 1);

    // Act + assess: back to v1
    const first = await rollbackChampion('ops', h.settings, h.deps);
    expect(first.from.modelVersion).toBe('notes-v2');
    expect(first.to.modelVersion).toBe('notes-v1');
    expect((await h.registry.getChampion('notes'))).toMatchObject({ version: 1, modelVersion: 'notes-v1', mode: 'json-text' });
    const [v1, v2] = await h.registry.listVersions('notes');
    expect(v1!.status).toBe('champion');
    expect(v2!.status).toBe('retired');

    // A refresh pass after the rollback starts no job on the dataset v2 already used.
    const report = await refreshLine(h.settings, h.deps);
    expect(h.customization.jobs).toHaveLength(2);
    expect(report.steps.at(-1)!.reason).toContain('already used by notes-v2');

    // Back to the base model, then nothing earlier.
    const second = await rollbackChampion('ops', h.settings, h.deps);
    expect(second.to).toEqual({ version: 0, modelId: SETTINGS.servingModelId, modelVersion: 'base', mode: 'tool' });
    expect((await h.registry.listVersions('notes'))[0]!.status).toBe('retired');
    await expect(rollbackChampion('ops', h.settings, h.deps)).rejects.toThrow(ModelCommandError);
  });
});

describe('Function: decidePromotion', () => {
  const scores = (topicAccuracy: number | null, schemaValidRate = 1): ModelScores => ({
    modelId: 'm', modelVersion: 'v', dialogues: 50, topicAccuracy, topicF1: null, rougeL: null, actionRecall: null, schemaValidRate, errors: 0,
  });
  const rule = { metric: 'topicAccuracy' as const, margin: 0.02 };

  it('promotes at exactly the margin', () => {
    expect(decidePromotion(scores(0.92), scores(0.9), rule).decision).toBe('promote');
  });

  it('rejects below the margin', () => {
    expect(decidePromotion(scores(0.91), scores(0.9), rule)).toMatchObject({ decision: 'reject' });
  });

  it('rejects any drop in schema-valid rate, however much the metric gains', () => {
    const verdict = decidePromotion(scores(1, 0.98), scores(0.2, 1), rule);
    expect(verdict.decision).toBe('reject');
    expect(verdict.reason).toContain('schema-valid');
  });

  it('rejects when the split has no references for the metric', () => {
    expect(decidePromotion(scores(null), scores(null), rule).decision).toBe('reject');
  });
});

describe('Function: newExamples / hyperParameterProblems', () => {
  const ref = (records: number, from: string, to: string) => ({ version: 'x', createdAt: to, window: { from, to }, records, train: records, validation: 0, trainUri: '', validationUri: '' });

  it('counts all records of a later, disjoint window and the growth of an overlapping one', () => {
    const champion = ref(100, '2026-01-01', '2026-02-01');
    expect(newExamples(ref(30, '2026-02-01', '2026-03-01'), champion)).toBe(30);
    expect(newExamples(ref(130, '2026-01-01', '2026-03-01'), champion)).toBe(30);
    expect(newExamples(ref(30, '2026-01-01', '2026-03-01'), undefined)).toBe(30);
  });

  it('checks Claude 3 and Nova ranges', () => {
    expect(hyperParameterProblems('claude3', { epochCount: '10', batchSize: '4', learningRateMultiplier: '0.1', earlyStoppingThreshold: '0.1', earlyStoppingPatience: '1' })).toEqual([]);
    expect(hyperParameterProblems('claude3', { epochCount: '0', batchSize: '257', learningRateMultiplier: '3', learningRate: '1' })).toHaveLength(4);
    expect(hyperParameterProblems('nova', { epochCount: '6' })).toHaveLength(1);
  });
});

describe('Class: ModelPointerCache', () => {
  it('reads the pointer at most once per TTL, and keeps the last one when the table cannot be read', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const pointer = { line: 'notes', version: 1, modelId: 'arn:a', modelVersion: 'notes-v1', mode: 'json-text', previous: [], updatedAt: '', reason: '', revision: 1 } as ChampionPointer;
    const cache = new ModelPointerCache({ getChampion: async () => { reads += 1; if (fail) throw new Error('down'); return pointer; } }, { line: 'notes', ttlMs: 60_000, now: () => now });

    await Promise.all([cache.current(), cache.current()]);
    now = 59_999;
    await cache.current();
    expect(reads).toBe(1);

    now = 60_001;
    fail = true;
    expect(await cache.current()).toEqual(pointer);
    expect(reads).toBe(2);
  });
});

describe('Class: ChampionNotesModel', () => {
  it('follows the pointer: id, version and mode of the resolved model, the configured model without one', async () => {
    let served: { modelId: string; modelVersion: string; mode: ModelMode } | undefined;
    const model = new ChampionNotesModel({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', modelVersion: 'base', maxOutputTokens: 512, served: async () => served });

    const base = await model.resolve();
    served = { modelId: 'arn:aws:bedrock:us-west-2:000000000000:provisioned-model/abc', modelVersion: 'notes-v1', mode: 'json-text' };
    const tuned = await model.resolve();

    expect([base.modelId, base.modelVersion, base.mode]).toEqual(['anthropic.claude-3-haiku-20240307-v1:0', 'base', 'tool']);
    expect([tuned.modelId, tuned.modelVersion, tuned.mode]).toEqual([served.modelId, 'notes-v1', 'json-text']);
    expect(model.modelId).toBe(served.modelId);
  });
});
