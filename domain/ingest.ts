import { createHash } from 'node:crypto';
import pRetry from 'p-retry';
import { InvalidInputError, OversizedInputError } from './errors.ts';
import {
  classifyInbound,
  decodeS3Key,
  messageForObject,
  parseBody,
  parseInboundMessage,
  salvageIds,
  type InboundMessage,
  type ParsedBody,
  type S3Notification,
} from './inbound.ts';
import { redactTranscript } from './pii.ts';
import { writeNotes } from './write-notes.ts';
import type { CallStore, IngestDeps, StoredCall } from './ports.ts';
import { parseTranscriptDocument } from './formats/index.ts';
import type { Transcript } from './transcript.ts';

export interface InboundRecord {
  messageId: string;
  body: string;
  /** The body decoded once (readRecord), for a batch whose records are read more than once; else decoded here. */
  parsed?: ParsedBody;
}

/** A record with its body decoded, so a batch's prefetch and each record's processing share one JSON.parse. */
export function readRecord(messageId: string, body: string): InboundRecord {
  return { messageId, body, parsed: parseBody(body) };
}

export interface IngestOptions {
  /** Epoch ms by which this message must be done (the Lambda invocation's remaining time, less a margin). */
  deadline?: number;
  /** Messages of this invocation that already failed: a copy does not wait for their notes. */
  failed?: ReadonlySet<string>;
}

export type IngestResult =
  | { status: 'processed'; call: StoredCall }
  | { status: 'duplicate'; callId: string }
  | { status: 'ignored'; reason: string }
  | { status: 'rejected'; callId?: string; reason: string; field: string; message: string };

/**
 * One SQS message to stored call notes: an inline call message, or an S3 event notification for
 * transcript objects. Input that can never succeed is rejected with a stored reason and
 * acknowledged; anything else that fails is thrown so the message is retried.
 */
export async function ingestMessage(record: InboundRecord, deps: IngestDeps, options: IngestOptions = {}): Promise<IngestResult[]> {
  const body = record.parsed ?? parseBody(record.body);
  let inbound;
  try {
    inbound = classifyInbound(body);
  } catch (error) {
    return [await rejectOrThrow(error, record, salvageIds(body), deps)];
  }
  switch (inbound.kind) {
    case 's3-test-event':
      return [{ status: 'ignored', reason: 'S3 test event (sent when a bucket notification is configured)' }];
    case 's3-notification': {
      const results: IngestResult[] = [];
      for (const object of inbound.notification.Records) results.push(await ingestObject(record, object, deps, options));
      return results;
    }
    case 'message':
      return [await ingestInline(record, body, deps, options)];
  }
}

/**
 * Reads the calls a batch's inline messages name in one request (`CallStore.getCalls`) before the
 * records are processed, instead of one read a record. A prefetched answer serves the first
 * lookup of its call id only: a second lookup (another delivery of the same call in the batch, a
 * re-read after a lost race) goes to the store. The write is conditional either way, so a read
 * that is stale by the time the notes are written cannot overwrite anything.
 */
export async function prefetchCalls(records: readonly InboundRecord[], deps: IngestDeps): Promise<IngestDeps> {
  const store = deps.calls;
  const ids = [...new Set(records.map((r) => salvageIds(r.parsed ?? r.body).callId).filter((id): id is string => id !== undefined))];
  if (!store.getCalls || ids.length < 2) return deps;
  const found = await store.getCalls(ids);
  const pending = new Set(ids);
  const calls: CallStore = {
    getCall: async (callId) => (pending.delete(callId) ? found.get(callId) : store.getCall(callId)),
    putCall: (call, previous) => store.putCall(call, previous),
    putRejection: (rejection) => store.putRejection(rejection),
  };
  return { ...deps, calls };
}

/**
 * Runs a batch's records of the same call one after another; records of different calls still run
 * at once. A call sent twice in quick succession (a producer retrying its send) often lands in
 * one batch: run together, both deliveries would miss the other's notes and call the model, and
 * the conditional write would keep one record of the two. Run in turn, the second finds the
 * first's notes and is a duplicate. S3 notifications name their call only once the object is read,
 * so they run at once as before.
 */
export function oneAtATimePerCall(): <T>(record: InboundRecord, work: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (record, work) => {
    const { callId } = salvageIds(record.parsed ?? record.body);
    if (callId === undefined) return work();
    const result = (tails.get(callId) ?? Promise.resolve()).then(work);
    tails.set(callId, result.catch(() => undefined));
    return result;
  };
}

/** The call in an inline message (kept for callers that know the body is one). */
export async function ingestCall(record: InboundRecord, deps: IngestDeps, options: IngestOptions = {}): Promise<IngestResult> {
  const [result] = await ingestMessage(record, deps, options);
  return result!;
}

async function ingestInline(record: InboundRecord, body: ParsedBody, deps: IngestDeps, options: IngestOptions): Promise<IngestResult> {
  let message: InboundMessage;
  let transcript: Transcript;
  try {
    message = parseInboundMessage(body);
    transcript = parseTranscript(message, await loadTranscript(message, deps), deps);
  } catch (error) {
    return rejectOrThrow(error, record, salvageIds(body), deps);
  }
  return processCall(record, message, transcript, deps, options);
}

async function ingestObject(record: InboundRecord, object: S3Notification['Records'][number], deps: IngestDeps, options: IngestOptions): Promise<IngestResult> {
  const key = decodeS3Key(object.s3.object.key);
  const uri = `s3://${object.s3.bucket.name}/${key}`;
  let message: InboundMessage;
  let transcript: Transcript;
  try {
    const document = await deps.transcripts.readObject(uri, deps.limits.maxObjectBytes);
    message = messageForObject({ bucket: object.s3.bucket.name, key, eventTime: object.eventTime }, document);
    // Already read from S3 within maxObjectBytes: the inline limit is for SQS bodies only.
    transcript = parseTranscript(message, await loadTranscript(message, deps, Number.POSITIVE_INFINITY), deps);
  } catch (error) {
    const fileName = key.split('/').pop()!.replace(/\.\w+$/, '');
    return rejectOrThrow(error, record, { callId: salvageIds(JSON.stringify({ callId: fileName })).callId }, deps);
  }
  return processCall(record, message, transcript, deps, options);
}

async function rejectOrThrow(
  error: unknown,
  record: InboundRecord,
  ids: { callId?: string; agentId?: string },
  deps: IngestDeps,
): Promise<IngestResult> {
  if (!(error instanceof InvalidInputError)) throw error;
  await deps.calls.putRejection({
    messageId: record.messageId,
    ...ids,
    reason: error.reason,
    field: error.field,
    message: error.message,
    rejectedAt: deps.clock.now().toISOString(),
  });
  return { status: 'rejected', callId: ids.callId, reason: error.reason, field: error.field, message: error.message };
}

async function processCall(
  record: InboundRecord,
  message: InboundMessage,
  parsed: Transcript,
  deps: IngestDeps,
  options: IngestOptions,
): Promise<IngestResult> {
  const receivedAt = deps.clock.now().toISOString();
  // Nothing downstream (model, store, datasets) ever sees the unredacted transcript.
  const { transcript, counts: redactions } = redactTranscript(parsed);
  const transcriptHash = hashTranscript(transcript);
  const existing = await deps.calls.getCall(message.callId);
  if (existing && knownVersions(existing).includes(transcriptHash)) {
    return { status: 'duplicate', callId: message.callId };
  }

  const kept = await deps.transcripts.putTranscript(transcript, transcriptHash, record.messageId);
  if (kept.heldBy && !options.failed?.has(kept.heldBy.messageId) && (await notesOfOtherMessage(message.callId, transcriptHash, kept.heldBy.since, deps, options))) {
    return { status: 'duplicate', callId: message.callId };
  }
  const transcriptUri = kept.uri;
  // One model for the whole call: the champion pointer may move while it runs.
  const model = deps.model.resolve ? await deps.model.resolve() : deps.model;
  const written = await writeNotes(
    transcript,
    { callDate: message.startedAt.slice(0, 10), maxInputTokens: deps.limits.maxInputTokens },
    model,
    { deadline: options.deadline },
  );
  const call: StoredCall = {
    callId: message.callId,
    agentId: message.agentId,
    queue: message.queue,
    startedAt: message.startedAt,
    language: message.language,
    status: 'done',
    version: (existing?.version ?? (existing ? 1 : 0)) + 1,
    transcriptHash,
    transcriptHashes: [...(existing ? knownVersions(existing) : []), transcriptHash].slice(-MAX_KNOWN_VERSIONS),
    transcriptUri,
    format: transcript.meta.format,
    speakerRoles: transcript.meta.speakerRoles,
    turnCount: transcript.turns.length,
    redactions,
    parts: written.parts,
    notes: written.notes,
    model: { id: model.modelId, version: model.modelVersion, mode: model.mode },
    usage: written.usage,
    latencyMs: written.latencyMs,
    messageId: record.messageId,
    receivedAt,
    processedAt: deps.clock.now().toISOString(),
  };
  const stored = await deps.calls.putCall(call, existing);
  return stored ? { status: 'processed', call } : { status: 'duplicate', callId: message.callId };
}

const MAX_KNOWN_VERSIONS = 100;

/** How long a message may still be in processing after it began, when the deployment does not say (the ingest timeout). */
const DEFAULT_IN_FLIGHT_MS = 60_000;

/**
 * The longest a copy waits for another message's notes. A Haiku call takes 1 to 3 s. At list
 * prices (arm64 Lambda $0.0000133 a GB-second; Haiku $0.25 / $1.25 a million tokens in / out),
 * 10 s of a 1 GB Lambda is about $0.00013, a third of a call's ~700 input and ~190 output tokens
 * ($0.0004): past it, calling the model is cheaper than waiting for a first message that has
 * likely failed and will be retried.
 */
const MAX_WAIT_FOR_OTHER_MS = 10_000;

/** A wait for another message's notes ends this long before the record's deadline, leaving time to call the model. */
const MODEL_CALL_RESERVE_MS = 5_000;

class NotesNotYet extends Error {}

/**
 * Another message with this call (a producer that sent it twice; the copies went to different
 * batches) stored the same transcript version first, at `since`, and may be calling the model now.
 * Waits for its notes rather than calling the model a second time: until they are stored, until
 * that message can no longer be in processing (`inFlightMs` after `since`), for 10 s at most, or
 * until 5 s before this record's deadline (time to call the model). True if its notes came; false
 * if not, and this message goes on (the conditional write keeps one record), so a copy whose
 * first failed still gets its notes.
 */
async function notesOfOtherMessage(callId: string, hash: string, since: Date, deps: IngestDeps, options: IngestOptions): Promise<boolean> {
  const now = deps.clock.now().getTime();
  const until = Math.min(since.getTime() + (deps.limits.inFlightMs ?? DEFAULT_IN_FLIGHT_MS), now + MAX_WAIT_FOR_OTHER_MS, (options.deadline ?? Number.POSITIVE_INFINITY) - MODEL_CALL_RESERVE_MS);
  const budget = until - now;
  if (budget <= 0) return false;
  try {
    await pRetry(
      async () => {
        const call = await deps.calls.getCall(callId);
        if (!call || !knownVersions(call).includes(hash)) throw new NotesNotYet();
      },
      { retries: Number.POSITIVE_INFINITY, minTimeout: 250, factor: 1.5, maxTimeout: 2_000, randomize: true, maxRetryTime: budget, shouldRetry: ({ error }) => error instanceof NotesNotYet },
    );
    return true;
  } catch (error) {
    if (error instanceof NotesNotYet) return false;
    throw error;
  }
}

function knownVersions(call: StoredCall): string[] {
  return call.transcriptHashes ?? [call.transcriptHash];
}

/** The transcript document as sent: inline, or the S3 object's text (JSON documents are decoded by the parser). */
async function loadTranscript(message: InboundMessage, deps: IngestDeps, inlineLimit = deps.limits.maxInlineBytes): Promise<unknown> {
  if (message.transcriptS3Uri !== undefined) {
    return (await deps.transcripts.readObject(message.transcriptS3Uri, deps.limits.maxObjectBytes)).body;
  }
  const bytes = Buffer.byteLength(typeof message.transcript === 'string' ? message.transcript : JSON.stringify(message.transcript));
  if (bytes > inlineLimit) throw new OversizedInputError(bytes, inlineLimit);
  return message.transcript;
}

function parseTranscript(message: InboundMessage, raw: unknown, deps: IngestDeps): Transcript {
  return parseTranscriptDocument(message.callId, message.format, raw, deps.formats);
}

/** Identity of a transcript version: a changed transcript for the same call is a new version. */
export function hashTranscript(transcript: Transcript): string {
  const canonical = JSON.stringify(transcript.turns.map((t) => [t.role, t.text]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
