import * as z from '../zod.ts';
import type { Role } from '../transcript.ts';
import { buildTranscript, decodeJsonDocument, listOf, validateDocument } from './document.ts';
import type { ParsedTranscript } from './types.ts';

const EXPECTED = 'Amazon Transcribe Call Analytics output {"Transcript":[{"ParticipantRole":"AGENT"|"CUSTOMER","Content","BeginOffsetMillis"}]}';

export const CallAnalyticsSchema = z.object({
  JobStatus: z.optional(z.string()),
  LanguageCode: z.optional(z.string()),
  Transcript: listOf(
    z.object({
      ParticipantRole: z.string().check(z.minLength(1)),
      Content: z.string(),
      BeginOffsetMillis: z.optional(z.number().check(z.gte(0))),
      EndOffsetMillis: z.optional(z.number().check(z.gte(0))),
      Id: z.optional(z.string()),
    }),
    'expected an array of transcript segments',
  ),
});

/** Call Analytics names each segment's role; anything but AGENT or CUSTOMER is 'other'. */
export function callAnalyticsRole(participantRole: string): Role {
  const upper = participantRole.toUpperCase();
  return upper === 'AGENT' ? 'agent' : upper === 'CUSTOMER' ? 'customer' : 'other';
}

/**
 * Amazon Transcribe Call Analytics output (batch, and the post-call record of a streaming session,
 * which lists segments the same way). Transcribe's own redaction tags (`[PII]`) stay in the text.
 */
export function parseTranscribeCallAnalytics(callId: string, raw: unknown): ParsedTranscript {
  const format = 'transcribe-call-analytics';
  const doc = validateDocument(format, CallAnalyticsSchema, decodeJsonDocument(format, raw, EXPECTED), EXPECTED);
  const known = new Map<string, Role>();
  const utterances = doc.Transcript.map((segment) => {
    known.set(segment.ParticipantRole, callAnalyticsRole(segment.ParticipantRole));
    return { speaker: segment.ParticipantRole, text: segment.Content, startMs: segment.BeginOffsetMillis };
  });
  return buildTranscript(callId, format, utterances, known, 'labels');
}
