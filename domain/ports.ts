import type { CallNotes } from './notes.ts';
import type { ModelMode, NotesPrompt } from './prompt.ts';
import type { FormatOptions } from './formats/index.ts';
import type { PiiCounts } from './pii.ts';
import type { Rating } from './ratings.ts';
import type { Transcript } from './transcript.ts';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** What a model said, before validation: a forced tool's input, or JSON as text. */
export type ModelOutput = { kind: 'tool'; input: unknown } | { kind: 'text'; text: string };

export interface ModelAnswer {
  output: ModelOutput;
  usage: TokenUsage;
  latencyMs: number;
}

export interface ModelCallOptions {
  /** Epoch ms by which the call must be done (the invocation's remaining time); retries stop before it. */
  deadline?: number;
}

/** The model that writes notes (Bedrock Converse when deployed, the emulator offline). */
export interface NotesModel {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly mode: ModelMode;
  generate(prompt: NotesPrompt, options?: ModelCallOptions): Promise<ModelAnswer>;
  /**
   * A model that follows the registry's champion pointer resolves to the concrete model for one
   * call, so the prompt mode, the model called and the model id stored with the notes agree even
   * when the pointer moves mid-call. Absent on a fixed model.
   */
  resolve?(): Promise<NotesModel>;
}

export type CallStatus = 'done';

export interface StoredCall {
  callId: string;
  agentId: string;
  queue?: string;
  startedAt: string;
  language?: string;
  status: CallStatus;
  transcriptHash: string;
  /** Hashes of every transcript version this call has had, so a late redelivery of an old one is a duplicate. */
  transcriptHashes?: string[];
  transcriptUri: string;
  format: string;
  speakerRoles: Record<string, string>;
  turnCount: number;
  notes: CallNotes;
  /** 1 for the first transcript of a call; a changed transcript is a new version, the old one kept as history. */
  version?: number;
  /** PII found and replaced by typed placeholders before the model, the store and any dataset. */
  redactions?: PiiCounts;
  /** Parts a long call was split into for the model (1 for most calls). */
  parts?: number;
  /** The SQS message these notes came from, for tracing. */
  messageId?: string;
  model: { id: string; version: string; mode: ModelMode };
  usage: TokenUsage & { modelCalls: number };
  latencyMs: number;
  receivedAt: string;
  processedAt: string;
}

export interface Rejection {
  messageId: string;
  callId?: string;
  agentId?: string;
  reason: string;
  field: string;
  message: string;
  rejectedAt: string;
}

export interface CallStore {
  getCall(callId: string): Promise<StoredCall | undefined>;
  /** Several calls at once (one request where the store can), by call id; absent ids are not there. */
  getCalls?(callIds: readonly string[]): Promise<Map<string, StoredCall>>;
  /**
   * Stores the notes unless this transcript was already stored (false then). A new version
   * replaces `previous` (what the caller read) only if that is still current, and keeps it as
   * history; if another version got there first, ConflictError (the message is retried).
   */
  putCall(call: StoredCall, previous?: StoredCall): Promise<boolean>;
  putRejection(rejection: Rejection): Promise<void>;
}

/** Where putTranscript keeps a transcript version, and whether another message stored it first. */
export interface StoredTranscript {
  uri: string;
  /**
   * Another SQS message (the same call sent twice) stored this transcript version first, at
   * `since`, and may still be writing its notes. Absent when this message stored it, now or on an
   * earlier attempt.
   */
  heldBy?: { messageId: string; since: Date };
}

export interface TranscriptStore {
  /** Keeps the (redacted) normalized transcript for the message `messageId`; the first message to store a version holds it. */
  putTranscript(transcript: Transcript, hash: string, messageId: string): Promise<StoredTranscript>;
  /** Reads a transcript document delivered by reference (s3://bucket/key), refusing one over maxBytes. */
  readObject(uri: string, maxBytes: number): Promise<{ body: string; metadata: Record<string, string> }>;
  /** Reads back a transcript that putTranscript stored (curation renders training records from it). */
  getTranscript(uri: string): Promise<Transcript>;
}

export interface Clock {
  now(): Date;
}

export interface IngestDeps {
  model: NotesModel;
  calls: CallStore;
  transcripts: TranscriptStore;
  clock: Clock;
  /** inFlightMs: how long a message can still be in processing after it started (the ingest timeout). */
  limits: { maxInlineBytes: number; maxObjectBytes: number; maxInputTokens?: number; inFlightMs?: number };
  /** Speaker-to-role configuration for formats whose labels are not roles (channels, diarized speakers). */
  formats?: FormatOptions;
}

export interface RatingStore {
  /** Stores a rater's rating of a call; an earlier rating by the same rater is kept as history. */
  putRating(rating: Rating): Promise<void>;
  getRating(callId: string, raterId: string): Promise<Rating | undefined>;
  /** One rater's current ratings of several calls (for "rated by me" in listings). */
  getRatingsBy(raterId: string, callIds: string[]): Promise<Map<string, Rating>>;
  listRatingsForCall(callId: string): Promise<Rating[]>;
  /** Current ratings (not history) made in [from, to), oldest first, for curation. */
  listRatingsBetween(from: string, to: string): AsyncIterable<Rating>;
}

export interface CallQuery {
  agentId?: string;
  /** ISO date-times bounding startedAt: from inclusive, to exclusive. */
  from?: string;
  to?: string;
  topic?: string;
  limit: number;
  cursor?: string;
}

export interface CallPage {
  calls: StoredCall[];
  nextCursor?: string;
}

/** The read side of calls for the API: newest first, paginated by an opaque cursor. */
export interface CallReader {
  getCall(callId: string): Promise<StoredCall | undefined>;
  listCalls(query: CallQuery): Promise<CallPage>;
}
