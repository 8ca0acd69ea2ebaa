import { createHash } from 'node:crypto';
import * as z from '../zod.ts';
import { ingestMessage } from '../ingest.ts';
import { ActionItemSchema, CallNotesSchema, type CallNotes } from '../notes.ts';
import type { Clock, IngestDeps, RatingStore, StoredCall } from '../ports.ts';
import { correctedNotes, type Rating } from '../ratings.ts';
import { HistoryLineError } from './errors.ts';

/**
 * History import: labelled dialogues (the shape of shared/eval: `{id, turns: [{speaker, text}],
 * reference: {summary, topics, actions}, meta}`) become calls through the ingest use case, each
 * with a supervisor's rating whose corrections carry the labels. So the first dataset can be
 * curated before any agent has rated anything.
 */

export const HistoryDialogueSchema = z.object({
  id: z.pipe(z.union([z.string().check(z.trim(), z.minLength(1)), z.number()]), z.transform(String)),
  turns: z.array(z.object({ speaker: z.enum(['agent', 'customer', 'other']), text: z.string() })).check(z.minLength(1)),
  reference: z.object({
    summary: z.optional(z.nullable(z.string())),
    topics: z.optional(z.array(z.string())),
    actions: z.optional(z.array(z.string())),
  }),
  meta: z.optional(z.record(z.string(), z.unknown())),
});

export type HistoryDialogue = z.infer<typeof HistoryDialogueSchema>;

/** One line of a history file; a blank line is undefined, a bad one throws a HistoryLineError naming the line. */
export function parseHistoryLine(raw: string, line: number): HistoryDialogue | undefined {
  if (!raw.trim()) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new HistoryLineError(line, '(line)', `not valid JSON (${(error as Error).message})`);
  }
  const parsed = HistoryDialogueSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HistoryLineError(line, issue.path.length > 0 ? issue.path.join('.') : '(root)', issue.message);
  }
  if (parsed.data.turns.every((t) => !t.text.trim())) throw new HistoryLineError(line, 'turns', 'every turn is empty');
  return parsed.data;
}

const CALL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** `hist-<id>`, the same for the same dialogue on every import; ids with other characters get a hash suffix so two never collide. */
export function historyCallId(id: string): string {
  const plain = `hist-${id}`;
  if (CALL_ID.test(plain)) return plain;
  const safe = id.replace(/[^A-Za-z0-9._:-]+/g, '-').slice(0, 100);
  return `hist-${safe}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;
}

/** The call.transcript.v1 message ingest would receive for the dialogue (format "turns"). */
export function historyMessage(dialogue: HistoryDialogue, context: { agentId: string; startedAt: string }): string {
  return JSON.stringify({
    type: 'call.transcript.v1',
    callId: historyCallId(dialogue.id),
    agentId: context.agentId,
    startedAt: context.startedAt,
    format: 'turns',
    transcript: dialogue.turns.map((turn) => ({ role: turn.speaker, text: turn.text })),
  });
}

export interface HistoryCorrections {
  corrections: Partial<CallNotes>;
  /** Labels that could not be used as notes, and why. */
  skipped: string[];
}

/**
 * The reference labels as corrections: topics exactly as labelled (a tuned model should learn the
 * very labels; at most 5), the summary when there is one, the actions as the agent's open items
 * when there are any. The outcome stays the model's. A label the notes schema refuses is skipped
 * (and said), never rewritten.
 */
export function historyCorrections(reference: HistoryDialogue['reference'], modelNotes: CallNotes): HistoryCorrections {
  const corrections: Partial<CallNotes> = {};
  const skipped: string[] = [];
  const topics = [...new Set((reference.topics ?? []).map((t) => t.trim()).filter((t) => t.length > 0))];
  const usable = topics.filter((t) => t.length <= 60);
  if (usable.length < topics.length) skipped.push(`${topics.length - usable.length} topic(s) over 60 characters`);
  if (usable.length > 5) skipped.push(`${usable.length - 5} topic(s) beyond the first 5`);
  if (usable.length > 0) corrections.topics = usable.slice(0, 5);

  const summary = reference.summary?.trim();
  if (summary) corrections.summary = summary;

  const actions = (reference.actions ?? []).map((a) => a.trim()).filter((a) => a.length > 0);
  if (actions.length > 0) {
    const items = actions.map((text) => ({ owner: 'agent' as const, text, due: null })).filter((item) => ActionItemSchema.safeParse(item).success);
    if (items.length < actions.length) skipped.push(`${actions.length - items.length} action(s) over 500 characters`);
    if (items.length > 20) skipped.push(`${items.length - 20} action(s) beyond the first 20`);
    if (items.length > 0) corrections.actionItems = items.slice(0, 20);
  }

  // Field by field: a summary of 7 sentences must not cost the topics.
  for (const field of ['summary', 'topics', 'actionItems'] as const) {
    if (corrections[field] === undefined) continue;
    const check = CallNotesSchema.shape[field].safeParse(correctedNotes(modelNotes, corrections)[field]);
    if (!check.success) {
      skipped.push(`${field}: ${check.error.issues[0]!.message}`);
      delete corrections[field];
    }
  }
  return { corrections, skipped };
}

export interface HistoryImportDeps {
  ingest: IngestDeps;
  ratings: Pick<RatingStore, 'getRating' | 'putRating'>;
  clock: Clock;
}

export interface HistoryImportOptions {
  raterId: string;
  agentId: string;
  /** Written on each rating, e.g. the file name. */
  comment?: string;
}

export type HistoryImportResult =
  | { status: 'imported'; callId: string; call: 'processed' | 'duplicate'; rating: 'created' | 'updated' | 'unchanged'; skipped: string[] }
  | { status: 'rejected'; callId: string; reason: string; message: string };

/**
 * Imports one dialogue: the call through the ingest use case (parsed, redacted, stored, notes by
 * the current model; a second import of the same transcript is a duplicate), then the supervisor's
 * rating, written only when it differs from the one already there.
 */
export async function importHistoryDialogue(dialogue: HistoryDialogue, deps: HistoryImportDeps, options: HistoryImportOptions): Promise<HistoryImportResult> {
  const callId = historyCallId(dialogue.id);
  const startedAt = startedAtOf(dialogue) ?? deps.clock.now().toISOString();
  const body = historyMessage(dialogue, { agentId: options.agentId, startedAt });
  const [result] = await ingestMessage({ messageId: `history-${callId}`, body }, deps.ingest);
  let call: StoredCall | undefined;
  if (result?.status === 'processed') call = result.call;
  else if (result?.status === 'rejected') return { status: 'rejected', callId, reason: result.reason, message: result.message };
  else call = await deps.ingest.calls.getCall(callId);
  if (!call) return { status: 'rejected', callId, reason: 'not-stored', message: `ingest answered ${result?.status ?? 'nothing'} but no call ${callId} is stored` };

  const { corrections, skipped } = historyCorrections(dialogue.reference, call.notes);
  const existing = await deps.ratings.getRating(callId, options.raterId);
  const same =
    existing !== undefined &&
    existing.score === 5 &&
    existing.raterRole === 'supervisor' &&
    canonicalJson(existing.corrections ?? {}) === canonicalJson(corrections);
  if (same) return { status: 'imported', callId, call: result?.status === 'processed' ? 'processed' : 'duplicate', rating: 'unchanged', skipped };

  const rating: Rating = {
    callId,
    raterId: options.raterId,
    raterRole: 'supervisor',
    agentId: call.agentId,
    score: 5,
    ...(Object.keys(corrections).length > 0 ? { corrections } : {}),
    ...(options.comment ? { comment: options.comment } : {}),
    ratedAt: deps.clock.now().toISOString(),
    version: (existing?.version ?? 0) + 1,
  };
  await deps.ratings.putRating(rating);
  return { status: 'imported', callId, call: result?.status === 'processed' ? 'processed' : 'duplicate', rating: existing ? 'updated' : 'created', skipped };
}

/** meta.startedAt (or meta.date) when it is an ISO date-time with an offset. */
function startedAtOf(dialogue: HistoryDialogue): string | undefined {
  for (const key of ['startedAt', 'started_at', 'date']) {
    const value = dialogue.meta?.[key];
    if (typeof value === 'string' && z.iso.datetime({ offset: true }).safeParse(value).success) return value;
  }
  return undefined;
}

/** JSON with object keys sorted, so a rating read back from the store compares equal to the one written. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
