import { describe, expect, it } from 'vitest';
import {
  capTopics,
  checkRecord,
  curateDataset,
  decidingRating,
  FAMILY_LIMITS,
  historyCallId,
  historyCorrections,
  importHistoryDialogue,
  InvalidWindowError,
  jaccard,
  minHashSignature,
  parseHistoryLine,
  HistoryLineError,
  NearDuplicateFilter,
  removeNearDuplicates,
  shingleHashes,
  selectNotes,
  shingles,
  splitRecords,
  toTuningRecord,
  trainingTexts,
  type CuratedDataset,
  type CurationDeps,
  type DatasetFiles,
  type DatasetStore,
  type TuningFamily,
} from '#domain/curation/index.ts';
import type { CallNotes } from '#domain/notes.ts';
import type { RatingStore, StoredCall } from '#domain/ports.ts';
import type { Rating } from '#domain/ratings.ts';
import type { Transcript } from '#domain/transcript.ts';
import { fakeDeps, MemoryCallStore, MemoryRatingStore, MemoryTranscriptStore, ScriptedModel, validNotes } from '../support/fakes.ts';

// ---------------------------------------------------------------------------------------------
// Fakes of the curation ports

class MemoryDatasetStore implements DatasetStore {
  readonly items = new Map<string, CuratedDataset>();
  readonly files = new Map<string, string>();

  locate(version: string) {
    return { train: `s3://test-bucket/datasets/${version}/train.jsonl`, validation: `s3://test-bucket/datasets/${version}/validation.jsonl`, manifest: `s3://test-bucket/datasets/${version}/manifest.json` };
  }
  async getDataset(version: string) {
    return structuredClone(this.items.get(version));
  }
  async listDatasets() {
    return [...this.items.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
  async putDataset(dataset: CuratedDataset, files: DatasetFiles) {
    const location = this.locate(dataset.version);
    this.files.set(location.train, files.train);
    this.files.set(location.validation, files.validation);
    this.files.set(location.manifest, files.manifest);
    if (this.items.has(dataset.version)) return false;
    this.items.set(dataset.version, structuredClone(dataset));
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Builders

const WORDS = 'account balance billing card charge delivery device email error fee invoice login modem order outage package password payment plan refund router shipment signal subscription upgrade warranty'.split(' ');

/** A transcript whose wording depends on n, so two different n are not near-duplicates. */
function transcriptFor(callId: string, n: number): Transcript {
  const pick = (k: number) => WORDS[(n * 7 + k * 13 + Math.floor(n / WORDS.length) * k) % WORDS.length]!;
  const turns = Array.from({ length: 6 }, (_, i) => ({
    role: i % 2 === 0 ? ('agent' as const) : ('customer' as const),
    text: `Turn ${i} of call ${n}: the ${pick(i)} and the ${pick(i + 1)} need a look, ${pick(i + 2)} ${pick(i + 3)} number ${n * 31 + i} then ${pick(i + 4)}.`,
  }));
  return { callId, turns, meta: { format: 'turns', speakerRoles: {} } };
}

const notesFor = (topic: string): CallNotes => ({ ...validNotes(), topics: [topic] });

const rating = (callId: string, overrides: Partial<Rating> = {}): Rating => ({
  callId,
  raterId: 'agent-7',
  raterRole: 'agent',
  agentId: 'agent-7',
  score: 5,
  ratedAt: '2026-11-20T10:00:00.000Z',
  version: 1,
  ...overrides,
});

function curationWorld() {
  const calls = new MemoryCallStore();
  const transcripts = new MemoryTranscriptStore();
  const ratings = new MemoryRatingStore();
  const datasets = new MemoryDatasetStore();
  const deps: CurationDeps = { ratings, calls, transcripts, datasets, clock: { now: () => new Date('2026-11-23T12:00:00.000Z') } };

  async function addCall(callId: string, options: { n?: number; topic?: string; transcript?: Transcript; notes?: CallNotes } = {}) {
    const transcript = options.transcript ?? transcriptFor(callId, options.n ?? Number(callId.replace(/\D/g, '') || 0));
    const { uri } = await transcripts.putTranscript(transcript, 'h1', 'm-1');
    const call: StoredCall = {
      callId,
      agentId: 'agent-7',
      startedAt: '2026-11-16T09:12:00Z',
      status: 'done',
      transcriptHash: 'h1',
      transcriptUri: uri,
      format: 'turns',
      speakerRoles: {},
      turnCount: transcript.turns.length,
      notes: options.notes ?? notesFor(options.topic ?? 'lost card'),
      model: { id: 'model', version: 'base', mode: 'tool' },
      usage: { inputTokens: 1, outputTokens: 1, modelCalls: 1 },
      latencyMs: 1,
      receivedAt: '2026-11-16T09:12:00Z',
      processedAt: '2026-11-16T09:12:01Z',
    };
    await calls.putCall(call);
    return call;
  }
  return { deps, calls, transcripts, ratings, datasets, addCall };
}

const WINDOW = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' };

// ---------------------------------------------------------------------------------------------

describe('Curation: selection', () => {
  describe('Function: decidingRating', () => {
    it('lets a supervisor win over a later agent rating', () => {
      // Prepare
      const ratings = [
        rating('c1', { raterId: 'sup-1', raterRole: 'supervisor', score: 2, ratedAt: '2026-11-20T10:00:00Z' }),
        rating('c1', { raterId: 'agent-7', score: 5, ratedAt: '2026-11-21T10:00:00Z' }),
      ];

      // Act
      const decided = decidingRating(ratings);

      // Assess
      expect(decided?.raterId).toBe('sup-1');
    });

    it('takes the most recent rating when no supervisor rated', () => {
      const ratings = [rating('c1', { raterId: 'a', score: 5, ratedAt: '2026-11-21T10:00:00Z' }), rating('c1', { raterId: 'b', score: 2, ratedAt: '2026-11-22T10:00:00Z' })];

      expect(decidingRating(ratings)?.raterId).toBe('b');
    });

    it('takes the latest of two supervisors', () => {
      const ratings = [
        rating('c1', { raterId: 's1', raterRole: 'supervisor', ratedAt: '2026-11-22T10:00:00Z' }),
        rating('c1', { raterId: 's2', raterRole: 'supervisor', ratedAt: '2026-11-21T10:00:00Z' }),
      ];

      expect(decidingRating(ratings)?.raterId).toBe('s1');
    });
  });

  describe('Function: selectNotes', () => {
    const model = notesFor('billing');

    it.each([5, 4])('keeps the model notes for score %i without corrections', (score) => {
      const selection = selectNotes(model, rating('c1', { score }));

      expect(selection).toMatchObject({ kind: 'selected', source: 'model', notes: model });
    });

    it('leaves out score <= 2 without corrections as low-score', () => {
      expect(selectNotes(model, rating('c1', { score: 2 }))).toMatchObject({ kind: 'dropped', reason: 'low-score' });
      expect(selectNotes(model, rating('c1', { score: 1 }))).toMatchObject({ kind: 'dropped', reason: 'low-score' });
    });

    it('leaves out score 3 without corrections as neutral-score', () => {
      expect(selectNotes(model, rating('c1', { score: 3 }))).toMatchObject({ kind: 'dropped', reason: 'neutral-score' });
    });

    it('uses the corrected notes whatever the score', () => {
      const selection = selectNotes(model, rating('c1', { score: 1, corrections: { topics: ['refund request'], outcome: 'escalated' } }));

      expect(selection).toMatchObject({ kind: 'selected', source: 'corrected' });
      if (selection.kind === 'selected') expect(selection.notes).toEqual({ ...model, topics: ['refund request'], outcome: 'escalated' });
    });

    it('treats an empty corrections object as no correction', () => {
      expect(selectNotes(model, rating('c1', { score: 3, corrections: {} }))).toMatchObject({ kind: 'dropped', reason: 'neutral-score' });
    });

    it('drops corrections that do not make valid notes', () => {
      const selection = selectNotes(model, rating('c1', { corrections: { topics: [] } }));

      expect(selection).toMatchObject({ kind: 'dropped', reason: 'invalid-correction' });
    });
  });
});

describe('Curation: records', () => {
  const transcript = transcriptFor('c1', 1);
  const texts = trainingTexts(transcript, '2026-11-16', notesFor('lost card'));

  describe('Function: toTuningRecord', () => {
    it('writes Claude 3 records as {system, messages: [user, assistant]} with string contents and no other keys', () => {
      const record = toTuningRecord('claude3', texts) as any;

      expect(Object.keys(record).sort()).toEqual(['messages', 'system']);
      expect(record.messages.map((m: any) => m.role)).toEqual(['user', 'assistant']);
      for (const m of record.messages) expect(Object.keys(m).sort()).toEqual(['content', 'role']);
      expect(typeof record.messages[0].content).toBe('string');
      expect(record.messages[0].content).toContain('Call date: 2026-11-16');
      expect(JSON.parse(record.messages[1].content)).toEqual(notesFor('lost card'));
    });

    it('writes Nova records in the bedrock-conversation-2024 schema with text blocks', () => {
      const record = toTuningRecord('nova', texts) as any;

      expect(Object.keys(record).sort()).toEqual(['messages', 'schemaVersion', 'system']);
      expect(record.schemaVersion).toBe('bedrock-conversation-2024');
      expect(record.system).toEqual([{ text: texts.system }]);
      expect(record.messages.map((m: any) => m.role)).toEqual(['user', 'assistant']);
      for (const m of record.messages) {
        expect(Object.keys(m).sort()).toEqual(['content', 'role']);
        expect(m.content).toHaveLength(1);
        expect(Object.keys(m.content[0])).toEqual(['text']);
      }
      expect(record.messages.at(-1).content[0].text).toBe(texts.assistant);
    });

    it('renders the user turn with the one prompt function in json-text mode', () => {
      expect(texts.system).toMatch(/JSON/);
      expect(texts.user).toContain('<transcript>\nAgent: Turn 0 of call 1');
    });
  });

  describe('Function: checkRecord', () => {
    it('accepts a clean record and estimates its tokens over the whole line', () => {
      const check = checkRecord('claude3', texts);

      expect(check.ok).toBe(true);
      if (check.ok) expect(check.tokens).toBe(Math.ceil(check.line.length / 4));
    });

    it('drops a record with PII that survived (here in a corrected summary)', () => {
      const planted = trainingTexts(transcript, '2026-11-16', { ...notesFor('lost card'), summary: 'The customer gave card 4111 1111 1111 1111 to pay. The agent took the payment.' });

      expect(checkRecord('claude3', planted)).toMatchObject({ ok: false, reason: 'pii' });
    });

    it('drops a record over the family token limit', () => {
      const long: Transcript = { ...transcript, turns: Array.from({ length: 3000 }, (_, i) => ({ role: 'agent' as const, text: `sentence number ${i} about the router and the modem settings` })) };

      expect(checkRecord('claude3', trainingTexts(long, '2026-11-16', notesFor('x')))).toMatchObject({ ok: false, reason: 'over-token-limit' });
    });

    it('drops a Nova record whose prompt holds a reserved keyword, and keeps it for Claude 3', () => {
      const reserved: Transcript = { ...transcript, turns: [{ role: 'customer', text: 'The screen says User: admin and then freezes.' }] };
      const t = trainingTexts(reserved, '2026-11-16', notesFor('login'));

      expect(checkRecord('nova', t)).toMatchObject({ ok: false, reason: 'reserved-keyword' });
      expect(checkRecord('claude3', t).ok).toBe(true);
    });
  });
});

describe('Curation: near-duplicates', () => {
  it('estimates Jaccard with MinHash close to the exact value', () => {
    const a = shingles(transcriptFor('a', 1).turns.map((t) => t.text).join(' '));
    const b = shingles(transcriptFor('b', 2).turns.map((t) => t.text).join(' '));
    const [sa, sb] = [minHashSignature(a), minHashSignature(a)];

    expect(sa).toEqual(sb);
    expect(jaccard(a, a)).toBe(1);
    expect(jaccard(a, b)).toBeLessThan(0.5);
  });

  it('keeps the first (best rated) of two near-identical transcripts and removes the other', () => {
    const base = transcriptFor('x', 3).turns.map((t) => t.text).join(' ');
    const items = [
      { id: 'better', text: base },
      { id: 'other', text: transcriptFor('y', 4).turns.map((t) => t.text).join(' ') },
      { id: 'worse', text: `${base} okay` },
    ];

    const { kept, removed } = removeNearDuplicates(items, (i) => i.text, 0.9);

    expect(kept.map((i) => i.id)).toEqual(['better', 'other']);
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ item: { id: 'worse' }, duplicateOf: { id: 'better' } });
    expect(removed[0]!.similarity).toBeGreaterThanOrEqual(0.9);
  });
  it('decides the same offered one at a time as with every item known in advance', () => {
    const texts = Array.from({ length: 60 }, (_, n) => transcriptFor(`c${n}`, n % 20).turns.map((t) => t.text).join(' ') + (n >= 20 ? ` again ${n}` : ''));
    const items = texts.map((text, id) => ({ id, text, hashes: shingleHashes(text) }));
    const decide = (filter: NearDuplicateFilter<(typeof items)[number]>) => items.map((item) => filter.offer(item)?.duplicateOf.id ?? null);

    const known = decide(new NearDuplicateFilter(0.8, items, (i) => i.hashes, (i) => i.text));
    const streamed = decide(NearDuplicateFilter.streaming(0.8, 4, (i) => i.hashes, (i) => i.text));

    expect(streamed).toEqual(known);
    expect(known.filter((d) => d !== null).length).toBeGreaterThan(0);
  });
});

describe('Curation: balance and split', () => {
  it('caps each first topic, keeping the first (best) items, case-insensitively', () => {
    const items = ['Billing', 'billing', 'billing ', 'refund', 'BILLING'].map((topic, i) => ({ i, topic }));

    const { kept, removed } = capTopics(items, (x) => x.topic, 2);

    expect(kept.map((x) => x.i)).toEqual([0, 1, 3]);
    expect(removed.map((x) => x.i)).toEqual([2, 4]);
  });

  it('splits by a hash of the call id: the same ids always land in the same split', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `call-${i}`);
    const limits = FAMILY_LIMITS.claude3;

    const first = splitRecords(ids, (id) => id, 0.1, limits);
    const second = splitRecords([...ids].reverse(), (id) => id, 0.1, limits);

    expect(second).toEqual(first);
    expect(first.validation.length).toBeGreaterThan(5);
    expect(first.validation.length).toBeLessThan(40);
    expect(first.train.length + first.validation.length).toBe(200);
    const fewer = splitRecords(ids.slice(0, 100), (id) => id, 0.1, limits);
    for (const id of fewer.validation) expect(first.validation).toContain(id);
  });

  it('holds out at least one validation record from 10 records, none below 10', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `c${i}`);

    expect(splitRecords(ten, (id) => id, 0.0001, FAMILY_LIMITS.claude3).validation).toHaveLength(1);
    expect(splitRecords(ten.slice(0, 9), (id) => id, 0.5, FAMILY_LIMITS.claude3).validation).toHaveLength(0);
  });

  it('cuts deterministically to the family record limits', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `c${i}`);
    const limits = { maxTrainRecords: 20, maxValidationRecords: 2, maxTotalRecords: 21 };

    const split = splitRecords(ids, (id) => id, 0.2, limits);

    expect(split.validation).toHaveLength(2);
    expect(split.train).toHaveLength(19);
    expect(split.overLimit).toHaveLength(29);
    expect(splitRecords(ids, (id) => id, 0.2, limits)).toEqual(split);
  });
});

describe('Curation: curateDataset', () => {
  async function ratedWorld(count: number, family: TuningFamily = 'claude3') {
    const world = curationWorld();
    for (let i = 0; i < count; i++) {
      const callId = `call-${String(i).padStart(3, '0')}`;
      await world.addCall(callId, { n: i, topic: i % 2 ? 'billing' : 'lost card' });
      await world.ratings.putRating(rating(callId, { ratedAt: `2026-11-20T10:${String(i % 60).padStart(2, '0')}:00.000Z` }));
    }
    return { ...world, family };
  }

  it('writes train and validation JSONL and a manifest, with counts by reason', async () => {
    // Prepare
    const world = await ratedWorld(30);
    await world.addCall('call-low', { n: 900 });
    await world.ratings.putRating(rating('call-low', { score: 2 }));
    await world.addCall('call-meh', { n: 901 });
    await world.ratings.putRating(rating('call-meh', { score: 3 }));
    await world.addCall('call-fixed', { n: 902 });
    await world.ratings.putRating(rating('call-fixed', { score: 2, corrections: { topics: ['refund request'] } }));
    await world.ratings.putRating(rating('call-outside', { ratedAt: '2026-10-01T00:00:00.000Z' }));

    // Act
    const result = await curateDataset(WINDOW, world.deps, { family: 'claude3' });

    // Assess
    expect(result.status).toBe('created');
    if (result.status !== 'created') return;
    const { dataset, manifest } = result;
    expect(dataset.counts).toMatchObject({ considered: 33, selected: 31, sources: { model: 30, corrected: 1 } });
    expect(dataset.counts.dropped).toMatchObject({ 'low-score': 1, 'neutral-score': 1, pii: 0 });
    expect(dataset.counts.train + dataset.counts.validation).toBe(31);
    expect(dataset.counts.validation).toBeGreaterThanOrEqual(1);
    const train = world.datasets.files.get(dataset.files.train.uri)!;
    const validation = world.datasets.files.get(dataset.files.validation.uri)!;
    expect(train.trim().split('\n')).toHaveLength(dataset.counts.train);
    expect(validation.trim().split('\n')).toHaveLength(dataset.counts.validation);
    expect(train).toContain('refund request');
    expect(manifest?.sourceCallIds.train.length).toBe(dataset.counts.train);
    expect(manifest?.sourceCallIds.train).not.toContain('call-low');
    expect(manifest?.topics).toMatchObject({ 'lost card': 15, billing: 15, 'refund request': 1 });
    expect(manifest?.dropped.map((d) => d.callId)).toEqual(['call-low', 'call-meh']);
    expect(JSON.parse(world.datasets.files.get(dataset.manifestUri)!)).toMatchObject({ version: dataset.version, window: WINDOW, family: 'claude3' });
    expect(dataset.files.train.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('over the record limits keeps the best-rated calls per split and reads only the transcripts it needs', async () => {
    // Prepare: 80 calls, scores 5 and 4 alternating, limits far below the calls
    const world = curationWorld();
    for (let i = 0; i < 80; i++) {
      const callId = `call-${String(i).padStart(3, '0')}`;
      await world.addCall(callId, { n: i, topic: `topic ${i}` });
      await world.ratings.putRating(rating(callId, { score: i % 2 ? 4 : 5 }));
    }
    let reads = 0;
    const getTranscript = world.deps.transcripts.getTranscript.bind(world.deps.transcripts);
    const deps: CurationDeps = { ...world.deps, concurrency: 1, transcripts: { getTranscript: (uri) => ((reads += 1), getTranscript(uri)) } };
    const limits = { maxTrainRecords: 12, maxValidationRecords: 3, maxTotalRecords: 15 };

    // Act
    const result = await curateDataset(WINDOW, deps, { validationFraction: 0.3 }, limits);

    // Assess
    expect(result.status).toBe('created');
    if (result.status !== 'created') return;
    const { counts } = result.dataset;
    expect([counts.train, counts.validation]).toEqual([12, 3]);
    expect(counts.dropped['over-record-limit']).toBe(65);
    const kept = [...result.manifest!.sourceCallIds.train, ...result.manifest!.sourceCallIds.validation];
    const score = (callId: string) => (Number(callId.slice(5)) % 2 ? 4 : 5);
    expect(kept.every((id) => score(id) === 5)).toBe(true); // 40 calls scored 5 fill both splits
    expect(reads).toBe(15); // only the calls kept: 12 + 3
    const cut = result.manifest!.dropped.filter((d) => d.reason === 'over-record-limit');
    expect(cut.every((d) => /the (train|validation) split is full/.test(d.detail ?? ''))).toBe(true);
  });

  it('over the limits, a call dropped on its checks frees its place for the next best call', async () => {
    const world = curationWorld();
    for (let i = 0; i < 30; i++) {
      const callId = `call-${String(i).padStart(3, '0')}`;
      const transcript = transcriptFor(callId, i);
      if (i === 0) transcript.turns[1]!.text += ' You can write to jane.doe@example.com about it.';
      await world.addCall(callId, { transcript, topic: `topic ${i}` });
      await world.ratings.putRating(rating(callId));
    }

    const result = await curateDataset(WINDOW, world.deps, { validationFraction: 0.3 }, { maxTrainRecords: 12, maxValidationRecords: 3, maxTotalRecords: 15 });

    expect(result.status).toBe('created');
    if (result.status !== 'created') return;
    expect(result.dataset.counts.dropped).toMatchObject({ pii: 1, 'over-record-limit': 14 });
    expect(result.dataset.counts.train + result.dataset.counts.validation).toBe(15);
  });

  it('over a total limit shared by both splits, leaves to training what validation does not use', async () => {
    // Nova-like limits (train and total equal): few calls hash into validation at fraction 0.05.
    const world = curationWorld();
    for (let i = 0; i < 40; i++) {
      const callId = `call-${String(i).padStart(3, '0')}`;
      await world.addCall(callId, { n: i, topic: `topic ${i}` });
      await world.ratings.putRating(rating(callId));
    }

    const result = await curateDataset(WINDOW, world.deps, { validationFraction: 0.05 }, { maxTrainRecords: 20, maxValidationRecords: 5, maxTotalRecords: 20 });

    expect(result.status).toBe('created');
    if (result.status !== 'created') return;
    expect(result.dataset.counts.validation).toBeLessThan(5);
    expect(result.dataset.counts.train + result.dataset.counts.validation).toBe(20);
  });

  it('over the limits, makes the same version whatever the concurrency', async () => {
    const world = curationWorld();
    for (let i = 0; i < 60; i++) {
      const callId = `call-${String(i).padStart(3, '0')}`;
      await world.addCall(callId, { n: i, topic: `topic ${i % 7}` });
      await world.ratings.putRating(rating(callId, { score: 4 + (i % 2), ratedAt: `2026-11-20T10:${String(i % 60).padStart(2, '0')}:00.000Z` }));
    }
    const limits = { maxTrainRecords: 9, maxValidationRecords: 2, maxTotalRecords: 11 };

    const runs = [];
    for (const concurrency of [1, 3, 8]) runs.push(await curateDataset(WINDOW, { ...world.deps, concurrency }, { validationFraction: 0.2 }, limits));

    expect(runs.map((r) => r.status)).toEqual(['created', 'existing', 'existing']);
    const versions = runs.map((r) => (r.status === 'empty' ? undefined : r.dataset.version));
    expect(new Set(versions).size).toBe(1);
  });

  it('returns the existing version when the same window is curated again', async () => {
    const world = await ratedWorld(12);

    const first = await curateDataset(WINDOW, world.deps);
    const second = await curateDataset(WINDOW, world.deps);

    expect(first.status).toBe('created');
    expect(second.status).toBe('existing');
    if (first.status === 'empty' || second.status === 'empty') return;
    expect(second.dataset.version).toBe(first.dataset.version);
    expect(world.datasets.items.size).toBe(1);
  });

  it('makes a different version for another family or window', async () => {
    const world = await ratedWorld(12);

    const claude = await curateDataset(WINDOW, world.deps, { family: 'claude3' });
    const nova = await curateDataset(WINDOW, world.deps, { family: 'nova' });
    const wider = await curateDataset({ ...WINDOW, from: '2026-10-01T00:00:00.000Z' }, world.deps);

    const versions = [claude, nova, wider].map((r) => (r.status === 'empty' ? undefined : r.dataset.version));
    expect(new Set(versions).size).toBe(3);
    if (nova.status === 'created') expect(JSON.parse(world.datasets.files.get(nova.dataset.files.train.uri)!.split('\n')[0]!).schemaVersion).toBe('bedrock-conversation-2024');
  });

  it('lets a supervisor rating made before the window decide a call rated in the window', async () => {
    const world = curationWorld();
    await world.addCall('c1', { n: 1 });
    await world.ratings.putRating(rating('c1', { raterId: 'sup', raterRole: 'supervisor', score: 1, ratedAt: '2026-10-15T00:00:00.000Z' }));
    await world.ratings.putRating(rating('c1', { raterId: 'agent-7', score: 5, ratedAt: '2026-11-20T00:00:00.000Z' }));

    const result = await curateDataset(WINDOW, world.deps);

    expect(result).toMatchObject({ status: 'empty', counts: { considered: 1, selected: 0, dropped: { 'low-score': 1 } } });
  });

  it('drops a planted PII record, a near-duplicate (keeping the better rated) and records over the topic cap', async () => {
    const world = curationWorld();
    for (let i = 0; i < 8; i++) {
      await world.addCall(`c${i}`, { n: i, topic: 'billing' });
      await world.ratings.putRating(rating(`c${i}`, { score: 4 }));
    }
    const twin = transcriptFor('twin', 1);
    twin.turns.at(-1)!.text += ' Okay, thanks.';
    await world.addCall('twin', { transcript: twin, topic: 'refund' });
    await world.ratings.putRating(rating('twin', { score: 5 }));
    const leaked: Transcript = { ...transcriptFor('leak', 50), turns: [{ role: 'customer', text: 'My email is jane.doe@example.com and my card is 4111 1111 1111 1111.' }] };
    await world.addCall('leak', { transcript: leaked, topic: 'refund' });
    await world.ratings.putRating(rating('leak'));

    const result = await curateDataset(WINDOW, world.deps, { topicCap: 5 });

    expect(result.status).toBe('created');
    if (result.status !== 'created') return;
    expect(result.dataset.counts.dropped).toMatchObject({ pii: 1, 'near-duplicate': 1, 'topic-cap': 2 });
    const dropped = Object.fromEntries(result.manifest!.dropped.map((d) => [d.callId, d.reason]));
    expect(dropped).toMatchObject({ leak: 'pii', c1: 'near-duplicate' });
    const all = [...result.manifest!.sourceCallIds.train, ...result.manifest!.sourceCallIds.validation];
    expect(all).toContain('twin');
    expect(world.datasets.files.get(result.dataset.files.train.uri)).not.toContain('4111');
  });

  it('starts the default window where the latest dataset window ended', async () => {
    const world = await ratedWorld(3);
    await curateDataset(WINDOW, world.deps);
    await world.addCall('late', { n: 77 });
    await world.ratings.putRating(rating('late', { ratedAt: '2026-11-23T06:00:00.000Z' }));

    const result = await curateDataset({}, world.deps);

    expect(result.window).toEqual({ from: WINDOW.to, to: '2026-11-23T12:00:00.000Z' });
    expect(result.status === 'empty' ? result.counts.considered : result.dataset.counts.considered).toBe(1);
  });

  it('reaches firstWindowDays back when there is no earlier dataset', async () => {
    const world = curationWorld();

    const result = await curateDataset({}, world.deps, { firstWindowDays: 30 });

    expect(result.window).toEqual({ from: '2026-10-24T12:00:00.000Z', to: '2026-11-23T12:00:00.000Z' });
  });

  it('refuses a window that ends before it starts, or is not ISO 8601', async () => {
    const world = curationWorld();

    await expect(curateDataset({ from: WINDOW.to, to: WINDOW.from }, world.deps)).rejects.toBeInstanceOf(InvalidWindowError);
    await expect(curateDataset({ from: 'yesterday' }, world.deps)).rejects.toThrow(/from/);
  });

  it('writes nothing when no rating selects a record', async () => {
    const world = curationWorld();
    await world.addCall('c1', { n: 1 });
    await world.ratings.putRating(rating('c1', { score: 3 }));

    const result = await curateDataset(WINDOW, world.deps);

    expect(result.status).toBe('empty');
    expect(world.datasets.items.size).toBe(0);
  });
});

describe('Curation: history import', () => {
  const line = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({
      id: 'd-1',
      turns: [
        { speaker: 'customer', text: 'My router keeps dropping the connection every evening.' },
        { speaker: 'agent', text: 'I will send a technician tomorrow to replace it.' },
      ],
      reference: { summary: 'The customer reported an unstable router. The agent booked a technician.', topics: ['internet_outage', 'router', 'a', 'b', 'c', 'd'], actions: ['book technician'] },
      meta: {},
      ...overrides,
    });

  describe('Function: parseHistoryLine', () => {
    it('names the line and field of a malformed dialogue', () => {
      expect(() => parseHistoryLine('{"id": 1, "turns": []}', 7)).toThrow(HistoryLineError);
      expect(() => parseHistoryLine('not json', 3)).toThrow(/line 3/);
      expect(parseHistoryLine('   ', 2)).toBeUndefined();
    });
  });

  describe('Function: historyCorrections', () => {
    it('keeps topic labels exactly as given (trimmed to 5), the summary, and the actions as agent items', () => {
      const dialogue = parseHistoryLine(line(), 1)!;

      const { corrections } = historyCorrections(dialogue.reference, validNotes());

      expect(corrections.topics).toEqual(['internet_outage', 'router', 'a', 'b', 'c']);
      expect(corrections.summary).toBe('The customer reported an unstable router. The agent booked a technician.');
      expect(corrections.actionItems).toEqual([{ owner: 'agent', text: 'book technician', due: null }]);
      expect(corrections).not.toHaveProperty('outcome');
    });

    it('skips a label the notes schema refuses instead of rewriting it', () => {
      const { corrections, skipped } = historyCorrections({ summary: 'One. Two. Three. Four. Five. Six. Seven.', topics: ['billing'], actions: [] }, validNotes());

      expect(corrections).toEqual({ topics: ['billing'] });
      expect(skipped.join()).toMatch(/summary/);
    });
  });

  describe('Function: historyCallId', () => {
    it('is hist-<id>, with a hash suffix only for ids with other characters', () => {
      expect(historyCallId('abc_1')).toBe('hist-abc_1');
      expect(historyCallId('a b/c')).toMatch(/^hist-a-b-c-[0-9a-f]{8}$/);
      expect(historyCallId('a b/c')).not.toBe(historyCallId('a-b-c'));
    });
  });

  describe('Function: importHistoryDialogue', () => {
    it('creates the call through ingest and a supervisor rating, and changes nothing on a second import', async () => {
      // Prepare
      const ingest = fakeDeps(new ScriptedModel([{ kind: 'tool', input: validNotes() }]));
      const ratings = new MemoryRatingStore();
      const deps = { ingest, ratings, clock: ingest.clock };
      const dialogue = parseHistoryLine(line(), 1)!;
      const options = { raterId: 'supervisor-import', agentId: 'history-import' };

      // Act
      const first = await importHistoryDialogue(dialogue, deps, options);
      const second = await importHistoryDialogue(dialogue, deps, options);

      // Assess
      expect(first).toMatchObject({ status: 'imported', callId: 'hist-d-1', call: 'processed', rating: 'created' });
      expect(second).toMatchObject({ status: 'imported', call: 'duplicate', rating: 'unchanged' });
      expect(ingest.calls.calls.size).toBe(1);
      const stored = await ratings.getRating('hist-d-1', 'supervisor-import');
      expect(stored).toMatchObject({ raterRole: 'supervisor', score: 5, agentId: 'history-import', version: 1, corrections: { topics: ['internet_outage', 'router', 'a', 'b', 'c'] } });
      expect(ratings.history).toHaveLength(0);
    });

    it('reports a dialogue ingest rejects', async () => {
      const ingest = fakeDeps();
      const dialogue = parseHistoryLine(line({ turns: [{ speaker: 'agent', text: '   ' }, { speaker: 'customer', text: 'hi' }] }), 1)!;
      dialogue.turns = [{ speaker: 'agent', text: '  ' }];

      const result = await importHistoryDialogue(dialogue, { ingest, ratings: new MemoryRatingStore(), clock: ingest.clock }, { raterId: 'r', agentId: 'a' });

      expect(result).toMatchObject({ status: 'rejected', reason: 'invalid-transcript' });
    });
  });
});
