import { createHash } from 'node:crypto';
import { curateDataset, type CuratedDataset, type CurationDeps, type DatasetFiles, type DatasetStore } from '#domain/curation/index.ts';
import type { CallNotes } from '#domain/notes.ts';
import type { StoredCall } from '#domain/ports.ts';
import type { Rating } from '#domain/ratings.ts';
import type { Transcript } from '#domain/transcript.ts';
import { every, say, sampleHeap } from './progress.ts';
import { fmt, metric, type BenchOptions, type BenchResult } from './types.ts';

const NAME = 'curation';

const WORDS = (
  'account balance billing card charge delivery device email error fee invoice login modem order outage package password payment plan ' +
  'refund router shipment signal subscription upgrade warranty address appointment technician contract discount credit transfer pin ' +
  'voicemail roaming coverage battery screen charger replacement tracking courier parcel statement overdraft limit loan mortgage'
).split(' ');

/** A six-turn call whose wording depends on n, so two calls are rarely near-duplicates. */
function transcriptFor(callId: string, n: number): Transcript {
  const pick = (k: number) => WORDS[(n * 7 + k * 13 + Math.floor(n / WORDS.length) * (k + 3) + Math.floor(n / 997) * k) % WORDS.length]!;
  const turns = Array.from({ length: 6 }, (_, i) => ({
    role: i % 2 === 0 ? ('agent' as const) : ('customer' as const),
    text: `About the ${pick(i)} and the ${pick(i + 1)}: ${pick(i + 2)} ${pick(i + 3)} reference ${n * 31 + i}, then the ${pick(i + 4)} on ${pick(i + 5)} ${n % 97}.`,
  }));
  return { callId, turns, meta: { format: 'turns', speakerRoles: {} } };
}

function notesFor(n: number): CallNotes {
  return {
    summary: `The customer called about the ${WORDS[n % WORDS.length]} issue. The agent checked the account and explained the next steps.`,
    topics: [`${WORDS[n % WORDS.length]} ${WORDS[(n >> 3) % WORDS.length]}`],
    actionItems: n % 3 === 0 ? [] : [{ owner: 'company', text: `Send an update about the ${WORDS[(n >> 2) % WORDS.length]}`, due: '2026-11-25' }],
    outcome: n % 4 === 0 ? 'follow_up' : 'resolved',
  };
}

/** The ports in memory, indexed as the DynamoDB tables are (no scans). */
function world(ratingsTotal: number) {
  const calls = new Map<string, StoredCall>();
  const transcripts = new Map<string, string>(); // the stored objects' text, as S3 holds them
  const byCall = new Map<string, Rating[]>();
  const all: Rating[] = [];
  const callCount = Math.round(ratingsTotal * 0.9); // a tenth of the calls also get a supervisor's rating
  const day = Date.parse('2026-11-01T00:00:00Z');
  for (let n = 0; n < callCount; n++) {
    const callId = `call-${n}`;
    const uri = `s3://bench/transcripts/${callId}/h.json`;
    transcripts.set(uri, JSON.stringify(transcriptFor(callId, n)));
    calls.set(callId, {
      callId, agentId: `agent-${n % 200}`, startedAt: '2026-11-10T09:00:00Z', status: 'done', transcriptHash: 'h', transcriptUri: uri,
      format: 'turns', speakerRoles: {}, turnCount: 6, notes: notesFor(n), model: { id: 'm', version: 'base', mode: 'tool' },
      usage: { inputTokens: 1, outputTokens: 1, modelCalls: 1 }, latencyMs: 1, receivedAt: '2026-11-10T09:00:00Z', processedAt: '2026-11-10T09:00:01Z',
    });
    const ratedAt = new Date(day + (n % 20) * 86_400_000 + n).toISOString();
    const score = [5, 4, 5, 3, 2, 5, 4, 1, 5, 4][n % 10]!;
    const corrections = n % 11 === 0 ? { topics: [`corrected ${WORDS[n % WORDS.length]}`] } : undefined;
    const list: Rating[] = [{ callId, raterId: `agent-${n % 200}`, raterRole: 'agent', agentId: `agent-${n % 200}`, score, ratedAt, version: 1, ...(corrections ? { corrections } : {}) }];
    if (n % 9 === 0 && all.length + list.length < ratingsTotal) {
      list.push({ callId, raterId: 'sup-1', raterRole: 'supervisor', agentId: `agent-${n % 200}`, score: 4, ratedAt: new Date(Date.parse(ratedAt) + 3_600_000).toISOString(), version: 1 });
    }
    byCall.set(callId, list);
    all.push(...list);
  }
  for (let n = 0; all.length < ratingsTotal; n++) {
    const r: Rating = { ...byCall.get(`call-${n}`)![0]!, raterId: `peer-${n}`, score: 5 };
    byCall.get(r.callId)!.push(r);
    all.push(r);
  }
  all.sort((a, b) => a.ratedAt.localeCompare(b.ratedAt));
  let hashedBytes = 0;
  let transcriptReads = 0;
  const datasets: DatasetStore = {
    locate: (version) => ({ train: `s3://bench/datasets/${version}/train.jsonl`, validation: `s3://bench/datasets/${version}/validation.jsonl`, manifest: `s3://bench/datasets/${version}/manifest.json` }),
    getDataset: async () => undefined,
    listDatasets: async () => [],
    // No upload: the bytes are hashed, as an S3 PUT's checksum would be, and dropped.
    putDataset: async (_dataset: CuratedDataset, files: DatasetFiles) => {
      for (const text of [files.train, files.validation, files.manifest]) {
        createHash('sha256').update(text).digest();
        hashedBytes += Buffer.byteLength(text);
      }
      return true;
    },
  };
  const deps: CurationDeps = {
    ratings: {
      async *listRatingsBetween(from: string, to: string) {
        for (const r of all) if (r.ratedAt >= from && r.ratedAt < to) yield r;
      },
      listRatingsForCall: async (callId: string) => byCall.get(callId) ?? [],
    },
    calls: { getCall: async (callId: string) => calls.get(callId) },
    // Parsed on every read, as the S3 adapter parses the body it downloads.
    transcripts: { getTranscript: async (uri: string) => ((transcriptReads += 1), JSON.parse(transcripts.get(uri)!) as Transcript) },
    datasets,
    clock: { now: () => new Date('2026-11-23T12:00:00Z') },
  };
  return { deps, ratings: all.length, calls: callCount, hashedBytes: () => hashedBytes, transcriptReads: () => transcriptReads };
}

/** Benchmark 5: 100,000 ratings into a dataset with in-memory ports (no S3 upload). */
export async function run(_options: BenchOptions): Promise<Omit<BenchResult, 'wallMs'>> {
  const total = 100_000;
  const w = world(total);
  say(`${NAME}: ${w.ratings} ratings on ${w.calls} calls`);
  let phase = '';
  const heap = sampleHeap();
  const stop = every(2000, () => say(`${NAME}: ${phase}`));
  const started = performance.now();
  // When each phase last reported: ratings read, calls read and checked, records ranked/deduplicated/split.
  const lastAt: Record<string, number> = {};
  const result = await curateDataset({ from: '2026-11-01T00:00:00Z', to: '2026-11-23T00:00:00Z' }, {
    ...w.deps,
    onProgress: (p) => {
      lastAt[p.phase] = (performance.now() - started) / 1000;
      phase = `${p.phase} ${p.done}${p.total ? `/${p.total}` : ''}`;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const phaseSeconds = {
    readRatings: lastAt.ratings ?? 0,
    readAndCheckCalls: (lastAt.calls ?? 0) - (lastAt.ratings ?? 0),
    rankDedupeCapSplit: (lastAt.records ?? 0) - (lastAt.calls ?? 0),
    serializeAndHash: seconds - (lastAt.records ?? 0),
  };
  stop();
  const memory = heap.stop();
  const counts = result.status === 'empty' ? result.counts : result.dataset.counts;
  return {
    name: NAME,
    metrics: [
      metric(NAME, `${w.ratings.toLocaleString('en-US')} ratings -> dataset (no upload)`, seconds, 's', fmt(seconds, 2), { text: '<= 10 s', pass: seconds <= 10 }),
      metric(NAME, 'records selected (train + validation)', counts.selected, '', `${counts.train} + ${counts.validation}`),
      metric(NAME, 'transcripts read (calls made into records)', w.transcriptReads(), '', `${w.transcriptReads().toLocaleString('en-US')} of ${w.calls.toLocaleString('en-US')} calls`),
    ],
    details: { ratings: w.ratings, calls: w.calls, seconds, phaseSeconds, status: result.status, counts, hashedBytes: w.hashedBytes(), memory },
    notes: [],
  };
}
