import * as z from '../zod.ts';
import { TranscriptFormatError } from '../errors.ts';
import { describe, type Role, type Turn } from '../transcript.ts';
import { resolveSpeakerRoles } from './speaker-roles.ts';
import type { ConcreteFormat, ParsedTranscript, RoleSource, Utterance } from './types.ts';

/** True for a string that is meant to be a JSON document. */
export function looksLikeJson(text: string): boolean {
  return /^\uFEFF?\s*[[{]/.test(text);
}

/**
 * The JSON value of a document that arrived as a string (inline in a message or read from S3);
 * anything else is returned as it is. The parse error is not echoed: it quotes the transcript.
 */
export function decodeJsonDocument(format: ConcreteFormat, raw: unknown, expected: string): unknown {
  if (typeof raw !== 'string') return raw;
  if (!looksLikeJson(raw)) {
    throw new TranscriptFormatError(format, 'transcript', `expected ${expected}, got a string that is not JSON`);
  }
  try {
    return JSON.parse(raw.replace(/^\uFEFF/, '')) as unknown;
  } catch {
    throw new TranscriptFormatError(format, 'transcript', `the string is not valid JSON; expected ${expected}`);
  }
}

/** `transcripts[0].phrases`-style name for a zod issue path; `transcript` for the document itself. */
export function fieldOf(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return 'transcript';
  const field = path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
  return field.length > 200 ? `${field.slice(0, 200)}…` : field;
}

/**
 * An array whose elements are checked in order, stopping at the first bad one. `z.array` reports
 * every bad element, which for a large document in the wrong format costs seconds for one message.
 */
export function listOf<T extends z.ZodMiniType>(element: T, error: string) {
  return z.pipe(
    z.array(z.unknown(), { error }),
    z.transform((values: unknown[], ctx) => {
      const out: Array<z.output<T>> = [];
      for (const [index, value] of values.entries()) {
        const parsed = element.safeParse(value);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          ctx.issues.push({ code: 'custom', message: issue?.message ?? 'invalid element', path: [index, ...(issue?.path ?? [])], input: values });
          return z.NEVER;
        }
        out.push(parsed.data);
      }
      return out;
    }),
  );
}

/** Validate `raw` against a format's schema; the first issue becomes the error's field and detail. */
export function validateDocument<S extends z.ZodMiniType>(format: ConcreteFormat, schema: S, raw: unknown, expected: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue) throw new TranscriptFormatError(format, 'transcript', `expected ${expected}, got ${describe(raw)}`);
  const detail = issue.path.length === 0 ? `expected ${expected}, got ${describe(raw)}` : `${issue.message} (in ${expected})`;
  throw new TranscriptFormatError(format, fieldOf(issue.path), detail);
}

/** Seconds as Transcribe and Twilio write them ("12.34" or 12.34) to whole milliseconds. */
export function secondsToMs(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  return millis(Number(value) * 1000);
}

/** A non-negative whole number of milliseconds, or undefined for anything else. */
export function millis(value: number | null | undefined): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const ms = Math.round(value);
  return ms <= Number.MAX_SAFE_INTEGER ? ms : undefined;
}

/**
 * Normalize utterances into a transcript: whitespace collapsed, empty ones dropped, consecutive
 * utterances of one speaker joined into one turn (starting where the first began), roles resolved
 * (see resolveSpeakerRoles). A document with no spoken turns is refused.
 */
export function buildTranscript(
  callId: string,
  format: ConcreteFormat,
  utterances: Utterance[],
  known: ReadonlyMap<string, Role>,
  knownSource: RoleSource,
): ParsedTranscript {
  const merged: Utterance[] = [];
  for (const u of utterances) {
    const text = u.text.replace(/\s+/g, ' ').trim();
    if (!text) continue;
    const last = merged.at(-1);
    if (last && last.speaker === u.speaker) {
      last.text += ` ${text}`;
    } else {
      merged.push({ speaker: u.speaker, text, startMs: millis(u.startMs) });
    }
  }
  if (merged.length === 0) {
    throw new TranscriptFormatError(format, 'transcript', 'the transcript has no spoken turns');
  }
  const { roles, roleSource } = resolveSpeakerRoles(merged, known, knownSource);
  const turns = merged.map((u): Turn => {
    const turn: Turn = { role: roles.get(u.speaker) ?? 'other', text: u.text };
    if (u.startMs !== undefined) turn.startMs = u.startMs;
    return turn;
  });
  // fromEntries defines own properties, so a "__proto__" label is recorded like any other.
  return { callId, turns, meta: { format, speakerRoles: Object.fromEntries(roles), roleSource } };
}
