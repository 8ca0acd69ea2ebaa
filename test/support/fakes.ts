import { ConflictError, InvalidInputError, OversizedInputError } from '#domain/errors.ts';
import type { CallNotes } from '#domain/notes.ts';
import type { Rating } from '#domain/ratings.ts';
import type { CallStore, IngestDeps, RatingStore, ModelAnswer, ModelOutput, NotesModel, Rejection, StoredCall, StoredTranscript, TranscriptStore } from '#domain/ports.ts';
import type { ModelMode, NotesPrompt } from '#domain/prompt.ts';
import type { Transcript } from '#domain/transcript.ts';

export const validNotes = (): CallNotes => ({
  summary: 'The customer reported a lost card. The agent blocked it and ordered a replacement.',
  topics: ['lost card'],
  actionItems: [{ owner: 'company', text: 'Mail a replacement card', due: '2026-11-20' }],
  outcome: 'resolved',
});

/** A model that answers from a script of outputs (or errors), recording every prompt it saw. */
export class ScriptedModel implements NotesModel {
  readonly prompts: NotesPrompt[] = [];
  readonly modelVersion = 'test';

  constructor(
    private readonly script: (ModelOutput | Error)[],
    readonly mode: ModelMode = 'tool',
    readonly modelId = 'anthropic.claude-3-haiku-20240307-v1:0',
  ) {}

  async generate(prompt: NotesPrompt): Promise<ModelAnswer> {
    this.prompts.push(prompt);
    const next = this.script.length > 1 ? this.script.shift()! : this.script[0]!;
    if (next instanceof Error) throw next;
    return { output: next, usage: { inputTokens: 100, outputTokens: 40 }, latencyMs: 5 };
  }
}

/** A scripted model that answers after `delayMs`, as a real call would, so concurrent work interleaves. */
export class SlowModel extends ScriptedModel {
  constructor(
    script: (ModelOutput | Error)[],
    readonly delayMs = 5,
  ) {
    super(script);
  }

  override async generate(prompt: NotesPrompt): Promise<ModelAnswer> {
    await new Promise((r) => setTimeout(r, this.delayMs));
    return super.generate(prompt);
  }
}

export class MemoryCallStore implements CallStore {
  readonly calls = new Map<string, StoredCall>();
  readonly rejections: Rejection[] = [];
  /** getCall's count, to show whether a copy polled for another message's notes (tests may reset it). */
  reads = 0;

  async getCall(callId: string) {
    this.reads += 1;
    return this.calls.get(callId);
  }

  readonly history: StoredCall[] = [];

  async putCall(call: StoredCall, previous?: StoredCall) {
    const current = this.calls.get(call.callId);
    if (current && (current.transcriptHashes ?? [current.transcriptHash]).includes(call.transcriptHash)) return false;
    if (current?.transcriptHash !== previous?.transcriptHash) throw new ConflictError(`call ${call.callId} changed while its notes were written`);
    if (current) this.history.push(current);
    this.calls.set(call.callId, structuredClone(call));
    return true;
  }

  async putRejection(rejection: Rejection) {
    this.rejections.push(rejection);
  }
}

export class MemoryTranscriptStore implements TranscriptStore {
  readonly transcripts = new Map<string, Transcript>();
  readonly objects = new Map<string, string>();

  /** The message that stored each transcript version first, and when (as the S3 store's conditional write). */
  readonly holders = new Map<string, { messageId: string; since: Date }>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async putTranscript(transcript: Transcript, hash: string, messageId: string): Promise<StoredTranscript> {
    const uri = `s3://test-bucket/transcripts/${transcript.callId}/${hash}.json`;
    const holder = this.holders.get(uri);
    if (holder && holder.messageId !== messageId) return { uri, heldBy: holder };
    this.transcripts.set(uri, structuredClone(transcript));
    if (!holder) this.holders.set(uri, { messageId, since: this.now() });
    return { uri };
  }

  readonly metadata = new Map<string, Record<string, string>>();

  async getTranscript(uri: string) {
    const transcript = this.transcripts.get(uri);
    if (!transcript) throw new InvalidInputError('transcript-not-found', 'transcriptUri', `no transcript ${uri}`);
    return structuredClone(transcript);
  }

  async readObject(uri: string, maxBytes: number) {
    const body = this.objects.get(uri);
    if (body === undefined) throw new InvalidInputError('transcript-not-found', 'transcriptS3Uri', `no object ${uri}`);
    if (body.length > maxBytes) throw new OversizedInputError(body.length, maxBytes, 'transcript object');
    return { body, metadata: this.metadata.get(uri) ?? {} };
  }
}

export function fakeDeps(model: NotesModel = new ScriptedModel([{ kind: 'tool', input: validNotes() }])) {
  const clock = { now: () => new Date('2026-11-23T10:00:00Z') };
  const deps = {
    model,
    calls: new MemoryCallStore(),
    transcripts: new MemoryTranscriptStore(() => clock.now()),
    clock,
    limits: { maxInlineBytes: 10_000, maxObjectBytes: 100_000 },
  } satisfies IngestDeps;
  return deps;
}

export const message = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: 'call.transcript.v1',
    callId: 'call-1',
    agentId: 'agent-7',
    startedAt: '2026-11-16T09:12:00Z',
    format: 'turns',
    transcript: [
      { role: 'agent', text: 'Thanks for calling, how can I help?' },
      { role: 'customer', text: 'I lost my card yesterday.' },
      { role: 'agent', text: 'I have blocked it and ordered a new one.' },
    ],
    ...overrides,
  });

/** Ratings in memory, with the history a re-rating keeps. */
export class MemoryRatingStore implements RatingStore {
  readonly current = new Map<string, Rating>();
  readonly history: Rating[] = [];

  async putRating(rating: Rating) {
    const key = `${rating.callId}#${rating.raterId}`;
    const previous = this.current.get(key);
    if (previous) this.history.push(previous);
    this.current.set(key, structuredClone(rating));
  }
  async getRating(callId: string, raterId: string) {
    return structuredClone(this.current.get(`${callId}#${raterId}`));
  }
  async getRatingsBy(raterId: string, callIds: string[]) {
    const found = new Map<string, Rating>();
    for (const callId of callIds) {
      const rating = this.current.get(`${callId}#${raterId}`);
      if (rating) found.set(callId, structuredClone(rating));
    }
    return found;
  }
  async listRatingsForCall(callId: string) {
    return [...this.current.values()].filter((r) => r.callId === callId).map((r) => structuredClone(r));
  }
  async *listRatingsBetween(from: string, to: string) {
    const inWindow = [...this.current.values()].filter((r) => r.ratedAt >= from && r.ratedAt < to).sort((a, b) => a.ratedAt.localeCompare(b.ratedAt));
    for (const r of inWindow) yield structuredClone(r);
  }
}
