import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors.ts';
import type { StoredCall } from '../ports.ts';
import type { Rating } from '../ratings.ts';
import { renderTranscript } from '../prompt.ts';
import type { Transcript } from '../transcript.ts';
import { InvalidWindowError } from './errors.ts';
import { NearDuplicateFilter, shingleHashes } from './near-duplicates.ts';
import type { CurationDeps, DatasetFiles } from './ports.ts';
import { checkRecord, FAMILY_FORMAT, FAMILY_LIMITS, recordUserText, trainingTexts } from './records.ts';
import { betterRatingFirst, decidingRating, selectNotes, type Selection } from './selection.ts';
import { splitPosition, splitRecords, topicKey } from './split.ts';
import {
  DEFAULT_CURATION_SETTINGS,
  DROP_REASONS,
  type CandidateRecord,
  type CuratedDataset,
  type CurationSettings,
  type DecidingRating,
  type FamilyLimits,
  type DatasetCounts,
  type DatasetManifest,
  type DroppedCall,
  type DropReason,
  type RatingWindow,
} from './types.ts';

/** Most topics kept on the DynamoDB item (the manifest has them all). */
const ITEM_TOPICS = 20;

export type CurationResult =
  | { status: 'created' | 'existing'; window: RatingWindow; dataset: CuratedDataset; manifest?: DatasetManifest }
  /** Nothing in the window made a record: no version is written, so the next window starts at the same place. */
  | { status: 'empty'; window: RatingWindow; counts: DatasetCounts; dropped: DroppedCall[] };

/**
 * Curates the ratings made in a window into a dataset version (DESIGN §1, §4): per call the deciding
 * rating picks the notes, the record is rendered by the one prompt function and checked (PII again,
 * family limits), near-duplicates and over-represented topics are thinned, and the rest is split by
 * a hash of the call id. Calls are made into records best-rated first while their split has room,
 * so over the family's record limits the best-rated calls are kept and the rest are never read. The version is a hash of the window, the family and the records, so
 * curating the same window again finds the version it made the first time.
 */
export async function curateDataset(
  request: Partial<RatingWindow>,
  deps: CurationDeps,
  settingsOverride: Partial<CurationSettings> = {},
  limitsOverride: Partial<FamilyLimits> = {},
): Promise<CurationResult> {
  const settings = { ...DEFAULT_CURATION_SETTINGS, ...settingsOverride };
  const limits = { ...FAMILY_LIMITS[settings.family], ...limitsOverride };
  const window = await resolveWindow(request, deps, settings.firstWindowDays);
  const progress = deps.onProgress ?? (() => {});

  const callIds = new Set<string>();
  for await (const rating of deps.ratings.listRatingsBetween(window.from, window.to)) {
    callIds.add(rating.callId);
    if (callIds.size % 500 === 0) progress({ phase: 'ratings', done: callIds.size });
  }
  progress({ phase: 'ratings', done: callIds.size });

  // Cheap first: each call's deciding rating and notes (table reads only).
  const dropped: DroppedCall[] = [];
  const prospects: Prospect[] = [];
  let done = 0;
  await forEachLimited([...callIds].sort(), deps.concurrency ?? 8, async (callId) => {
    const outcome = await prospectFor(callId, window, settings, deps);
    if ('reason' in outcome) dropped.push(outcome);
    else prospects.push(outcome);
    done += 1;
    if (done % 100 === 0 || done === callIds.size) progress({ phase: 'calls', done, total: callIds.size });
  });

  // Then best first, one pass: a call is only made into a record (transcript read, rendered,
  // checked) while its split has room, so a window with more good calls than the family's limits
  // reads the transcripts of the calls it keeps, not of all of them. A near-duplicate of a better
  // call goes, then a call whose topic already has `topicCap` records (a call cut by the cap still
  // counts as kept for near-duplicates).
  const ranked = prospects.sort(betterRatingFirst);
  const room = splitRoom(limits, ranked.filter((p) => p.split === 'validation').length);
  const taken = { train: 0, validation: 0 };
  const nearDuplicates = NearDuplicateFilter.streaming<CandidateRecord>(
    settings.nearDuplicateThreshold,
    Math.min(ranked.length, room.train + room.validation), // grows if topic-capped calls take more
    (c) => c.shingleHashes,
    (c) => candidateTranscript(c, settings.family),
  );
  const prompt: PromptLayout = { checked: false, holdsTranscript: true };
  const duplicates: DroppedCall[] = [];
  const capped: DroppedCall[] = [];
  const overLimit: DroppedCall[] = [];
  const full = (p: Prospect) => taken[p.split] >= room[p.split];
  const cut = (p: Prospect) => overLimit.push({ callId: p.callId, reason: 'over-record-limit', detail: `the ${p.split} split is full (${room[p.split]} better-rated records)` });
  const perTopic = new Map<string, number>();
  const balanced: CandidateRecord[] = [];
  const chunkSize = Math.max(1, deps.concurrency ?? 8) * 8;
  for (let next = 0; next < ranked.length; ) {
    // The next calls with room in their split, no more than the room left (drops free more).
    const chunk: Prospect[] = [];
    const pending = { train: 0, validation: 0 };
    while (next < ranked.length && chunk.length < chunkSize) {
      const prospect = ranked[next]!;
      if (full(prospect)) {
        cut(prospect);
      } else {
        if (pending[prospect.split] >= room[prospect.split] - taken[prospect.split]) break;
        pending[prospect.split] += 1;
        chunk.push(prospect);
      }
      next += 1;
    }
    const built = await mapLimited(chunk, deps.concurrency ?? 8, (p) => recordFor(p, settings, deps, prompt));
    chunk.forEach((prospect, k) => {
      const candidate = built[k]!;
      if ('reason' in candidate) return dropped.push(candidate);
      const duplicate = nearDuplicates.offer(candidate);
      if (duplicate) {
        return duplicates.push({ callId: candidate.callId, reason: 'near-duplicate', detail: `${Math.round(duplicate.similarity * 100)}% like ${duplicate.duplicateOf.callId}` });
      }
      const key = topicKey(candidate.topic);
      const count = perTopic.get(key) ?? 0;
      if (count >= settings.topicCap) {
        return capped.push({ callId: candidate.callId, reason: 'topic-cap', detail: `topic "${candidate.topic}" has ${settings.topicCap} records` });
      }
      perTopic.set(key, count + 1);
      balanced.push(candidate);
      taken[prospect.split] += 1;
    });
    progress({ phase: 'records', done: next, total: ranked.length });
  }
  dropped.push(...duplicates, ...capped, ...overLimit);
  const split = splitRecords(balanced, (c) => c.callId, settings.validationFraction, limits);
  for (const item of split.overLimit) dropped.push({ callId: item.callId, reason: 'over-record-limit' });
  progress({ phase: 'records', done: ranked.length, total: ranked.length });

  dropped.sort((a, b) => a.callId.localeCompare(b.callId));
  const selected = [...split.train, ...split.validation];
  const counts: DatasetCounts = {
    considered: callIds.size,
    selected: selected.length,
    train: split.train.length,
    validation: split.validation.length,
    sources: { model: selected.filter((c) => c.source === 'model').length, corrected: selected.filter((c) => c.source === 'corrected').length },
    dropped: Object.fromEntries(DROP_REASONS.map((reason) => [reason, dropped.filter((d) => d.reason === reason).length])) as Record<DropReason, number>,
  };
  if (selected.length === 0) return { status: 'empty', window, counts, dropped };

  const trainText = jsonl(split.train.map((c) => c.line));
  const validationText = jsonl(split.validation.map((c) => c.line));
  const checksums = { train: sha256(trainText), validation: sha256(validationText) };
  const version = datasetVersion(window, settings.family, checksums);

  const existing = await deps.datasets.getDataset(version);
  if (existing) return { status: 'existing', window, dataset: existing };

  const location = deps.datasets.locate(version);
  const topics = topicHistogram(selected);
  const dataset: CuratedDataset = {
    version,
    createdAt: deps.clock.now().toISOString(),
    family: settings.family,
    format: FAMILY_FORMAT[settings.family],
    window,
    counts,
    topics: Object.fromEntries(Object.entries(topics).slice(0, ITEM_TOPICS)),
    files: {
      train: { uri: location.train, records: split.train.length, bytes: Buffer.byteLength(trainText), sha256: checksums.train },
      validation: { uri: location.validation, records: split.validation.length, bytes: Buffer.byteLength(validationText), sha256: checksums.validation },
    },
    manifestUri: location.manifest,
  };
  const manifest: DatasetManifest = {
    ...dataset,
    topics,
    sourceCallIds: { train: split.train.map((c) => c.callId), validation: split.validation.map((c) => c.callId) },
    settings,
    limits,
    dropped,
  };
  const files: DatasetFiles = { train: trainText, validation: validationText, manifest: `${JSON.stringify(manifest, null, 2)}\n` };
  progress({ phase: 'writing', done: 0, total: 1 });
  const created = await deps.datasets.putDataset(dataset, files);
  progress({ phase: 'writing', done: 1, total: 1 });
  if (!created) {
    // Another run made the same version between our check and our write.
    const raced = await deps.datasets.getDataset(version);
    if (raced) return { status: 'existing', window, dataset: raced };
  }
  return { status: 'created', window, dataset, manifest };
}

/**
 * What one run learned about the prompt: the json-text user text is the call date and the
 * transcript as `renderTranscript` renders it, between fixed lines, so the transcript is sliced
 * from it rather than rendered (and compacted) a second time. Checked against `renderTranscript`
 * on the first record of a run; if that differs, every record renders it on its own.
 */
interface PromptLayout {
  checked: boolean;
  holdsTranscript: boolean;
}

const TRANSCRIPT_END = '\n</transcript>';

function locateTranscript(user: string, callDate: string, transcript: Transcript, layout: PromptLayout): CandidateRecord['transcript'] {
  const start = `Call date: ${callDate}\n<transcript>\n`.length;
  const end = user.length - TRANSCRIPT_END.length;
  const sliceable = layout.holdsTranscript && end >= start && user.startsWith(`Call date: ${callDate}\n<transcript>\n`) && user.endsWith(TRANSCRIPT_END);
  if (sliceable && layout.checked) return { start, end };
  const text = renderTranscript(transcript);
  if (!layout.checked) {
    layout.checked = true;
    layout.holdsTranscript = sliceable && user.slice(start, end) === text;
  }
  return { text };
}

/** The transcript text of a candidate as the prompt shows it (what near-duplicates are compared on). */
function candidateTranscript(candidate: CandidateRecord, family: CurationSettings['family']): string {
  const where = candidate.transcript;
  return 'text' in where ? where.text : recordUserText(family, candidate.line).slice(where.start, where.end);
}

/** A call whose deciding rating selects notes, before its transcript is read. */
interface Prospect {
  callId: string;
  call: StoredCall;
  selection: Extract<Selection, { kind: 'selected' }>;
  rating: DecidingRating;
  split: 'train' | 'validation';
}

/**
 * Records per split while curating: the family's limits, with room kept in the total for the
 * validation calls there are (at most its limit), so a window with many calls still holds some out
 * and one with few validation calls leaves the rest of the total to training.
 */
function splitRoom(limits: FamilyLimits, validationProspects: number): Record<Prospect['split'], number> {
  const validation = Math.min(limits.maxValidationRecords, validationProspects);
  return { validation, train: Math.min(limits.maxTrainRecords, limits.maxTotalRecords - validation) };
}

async function prospectFor(callId: string, window: RatingWindow, settings: CurationSettings, deps: CurationDeps): Promise<Prospect | DroppedCall> {
  // Every current rating of the call up to the window's end: a supervisor's earlier rating still wins.
  const ratings: Rating[] = (await deps.ratings.listRatingsForCall(callId)).filter((r) => r.ratedAt < window.to);
  const rating = decidingRating(ratings);
  if (!rating) return { callId, reason: 'call-not-found', detail: 'no current rating before the window end' };
  const call = await deps.calls.getCall(callId);
  if (!call) return { callId, reason: 'call-not-found' };
  const selection = selectNotes(call.notes, rating);
  if (selection.kind === 'dropped') return { callId, reason: selection.reason, detail: `score ${rating.score} by ${rating.raterRole} ${rating.raterId}` };
  const split = splitPosition(callId) < settings.validationFraction ? 'validation' : 'train';
  return { callId, call, selection, rating: selection.rating, split };
}

async function recordFor(prospect: Prospect, settings: CurationSettings, deps: CurationDeps, layout: PromptLayout): Promise<CandidateRecord | DroppedCall> {
  const { callId, call, selection } = prospect;
  let transcript;
  try {
    transcript = await deps.transcripts.getTranscript(call.transcriptUri);
  } catch (error) {
    if (error instanceof InvalidInputError && error.reason === 'transcript-not-found') return { callId, reason: 'transcript-not-found', detail: call.transcriptUri };
    throw error;
  }
  const callDate = call.startedAt.slice(0, 10);
  const texts = trainingTexts(transcript, callDate, selection.notes);
  const check = checkRecord(settings.family, texts);
  if (!check.ok) return { callId, reason: check.reason, detail: check.detail };
  const where = locateTranscript(texts.user, callDate, transcript, layout);
  return {
    callId,
    source: selection.source,
    rating: selection.rating,
    topic: selection.notes.topics[0]!.trim(),
    line: check.line,
    tokens: check.tokens,
    shingleHashes: shingleHashes('text' in where ? where.text : texts.user.slice(where.start, where.end)),
    transcript: where,
  };
}

/**
 * The window asked for, with defaults: up to now, from where the latest earlier window ended. With
 * no earlier dataset it reaches `firstWindowDays` back: ratings are indexed by day, so "since 1970"
 * would cost a query per day (about 20,000); a year covers every rating a new deployment has, and
 * an operator can pass an explicit `from` for more.
 */
export async function resolveWindow(request: Partial<RatingWindow>, deps: Pick<CurationDeps, 'datasets' | 'clock'>, firstWindowDays = DEFAULT_CURATION_SETTINGS.firstWindowDays): Promise<RatingWindow> {
  const to = request.to !== undefined ? isoInstant(request.to, 'to') : deps.clock.now().toISOString();
  let from: string;
  if (request.from !== undefined) {
    from = isoInstant(request.from, 'from');
  } else {
    // The latest window end, not the latest created: a backfill of an old window must not rewind the schedule.
    const ends = (await deps.datasets.listDatasets()).map((d) => d.window.to).filter((end) => end <= to);
    from = ends.sort().at(-1) ?? new Date(Date.parse(to) - firstWindowDays * 86_400_000).toISOString();
  }
  if (from >= to) throw new InvalidWindowError('window', `from (${from}) must be before to (${to})`);
  return { from, to };
}

function isoInstant(value: string, field: 'from' | 'to'): string {
  // Date-times with an offset, or a plain date (its midnight UTC).
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidWindowError(field, `"${value}" is not an ISO 8601 date or date-time with an offset, such as 2026-11-23T00:00:00Z`);
  }
  return new Date(value).toISOString();
}

/** Deterministic version id: the window's end date and a hash of window, family and file contents. */
export function datasetVersion(window: RatingWindow, family: string, checksums: { train: string; validation: string }): string {
  const hash = sha256(JSON.stringify({ from: window.from, to: window.to, family, train: checksums.train, validation: checksums.validation }));
  return `${window.to.slice(0, 10).replace(/-/g, '')}-${hash.slice(0, 12)}`;
}

function topicHistogram(records: readonly CandidateRecord[]): Record<string, number> {
  const byKey = new Map<string, { label: string; count: number }>();
  for (const record of records) {
    const key = topicKey(record.topic);
    const entry = byKey.get(key) ?? { label: record.topic, count: 0 };
    entry.count += 1;
    byKey.set(key, entry);
  }
  return Object.fromEntries(
    [...byKey.values()].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)).map((e) => [e.label, e.count]),
  );
}

const jsonl = (lines: readonly string[]): string => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

async function mapLimited<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachLimited(items.map((item, index) => ({ item, index })), concurrency, async ({ item, index }) => {
    results[index] = await work(item);
  });
  return results;
}

async function forEachLimited<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
