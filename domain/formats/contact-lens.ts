import * as z from '../zod.ts';
import type { Role } from '../transcript.ts';
import { buildTranscript, decodeJsonDocument, listOf, millis, validateDocument } from './document.ts';
import type { ParsedTranscript, Utterance } from './types.ts';

const EXPECTED = 'an Amazon Connect Contact Lens analysis file {"Channel":"VOICE"|"CHAT","Participants":[{"ParticipantId","ParticipantRole"}],"Transcript":[{"ParticipantId","Content",...}]}';

const ParticipantsSchema = z.optional(
  z.array(z.object({ ParticipantId: z.string().check(z.minLength(1)), ParticipantRole: z.optional(z.string()) }), {
    error: 'expected an array of participants',
  }),
);

export const ContactLensVoiceSchema = z.object({
  Version: z.optional(z.string()),
  Channel: z.optional(z.literal('VOICE')),
  Participants: ParticipantsSchema,
  Transcript: listOf(
    z.object({
      ParticipantId: z.string().check(z.minLength(1)),
      Content: z.string(),
      BeginOffsetMillis: z.optional(z.number().check(z.gte(0))),
      EndOffsetMillis: z.optional(z.number().check(z.gte(0))),
      Id: z.optional(z.string()),
      Sentiment: z.optional(z.string()),
    }),
    'expected an array of transcript turns',
  ),
});

export const ContactLensChatSchema = z.object({
  Version: z.optional(z.string()),
  Channel: z.literal('CHAT'),
  Participants: ParticipantsSchema,
  Transcript: listOf(
    z.object({
      Id: z.optional(z.string()),
      ParticipantId: z.optional(z.string().check(z.minLength(1))),
      ParticipantRole: z.optional(z.string()),
      DisplayName: z.optional(z.string()),
      Content: z.optional(z.string()),
      ContentType: z.optional(z.string()),
      Type: z.optional(z.string()),
      AbsoluteTime: z.optional(z.string()),
    }),
    'expected an array of chat items',
  ),
});

/** Contact Lens participant roles: AGENT and CUSTOMER; SYSTEM, CUSTOM_BOT, SUPERVISOR… are 'other'. */
export function contactLensRole(participantRole: string): Role {
  const upper = participantRole.toUpperCase();
  return upper === 'AGENT' ? 'agent' : upper === 'CUSTOMER' ? 'customer' : 'other';
}

/**
 * Amazon Connect Contact Lens analysis file, voice or chat. Roles come from `Participants` by
 * `ParticipantId` (then the item's own `ParticipantRole`, then a voice `ParticipantId` that is itself
 * AGENT or CUSTOMER). Chat keeps MESSAGE items with text content; events (joined, left, ended,
 * transfers), attachments and interactive payloads are skipped; `startMs` counts from the first item.
 */
export function parseContactLens(callId: string, raw: unknown): ParsedTranscript {
  const format = 'contact-lens';
  const json = decodeJsonDocument(format, raw, EXPECTED);
  const isChat = typeof json === 'object' && json !== null && (json as { Channel?: unknown }).Channel === 'CHAT';

  const known = new Map<string, Role>();
  const utterances: Utterance[] = [];
  if (isChat) {
    const doc = validateDocument(format, ContactLensChatSchema, json, EXPECTED);
    const roleOf = participantRoles(doc.Participants);
    const chatStart = doc.Transcript.reduce<number | undefined>((first, item) => {
      const at = item.AbsoluteTime ? Date.parse(item.AbsoluteTime) : Number.NaN;
      return Number.isFinite(at) && (first === undefined || at < first) ? at : first;
    }, undefined);
    for (const item of doc.Transcript) {
      if (!isChatMessage(item) || !item.Content) continue;
      const speaker = item.ParticipantId ?? item.ParticipantRole ?? item.DisplayName ?? 'unknown';
      const role = roleOf.get(speaker) ?? item.ParticipantRole;
      if (role) known.set(speaker, contactLensRole(role));
      const at = item.AbsoluteTime ? Date.parse(item.AbsoluteTime) : Number.NaN;
      utterances.push({ speaker, text: item.Content, startMs: chatStart === undefined ? undefined : millis(at - chatStart) });
    }
  } else {
    const doc = validateDocument(format, ContactLensVoiceSchema, json, EXPECTED);
    const roleOf = participantRoles(doc.Participants);
    for (const item of doc.Transcript) {
      const role = roleOf.get(item.ParticipantId) ?? (/^(AGENT|CUSTOMER)$/i.test(item.ParticipantId) ? item.ParticipantId : undefined);
      if (role) known.set(item.ParticipantId, contactLensRole(role));
      utterances.push({ speaker: item.ParticipantId, text: item.Content, startMs: item.BeginOffsetMillis });
    }
  }
  return buildTranscript(callId, format, utterances, known, 'labels');
}

function participantRoles(participants: Array<{ ParticipantId: string; ParticipantRole?: string | undefined }> | undefined): Map<string, string> {
  const roles = new Map<string, string>();
  for (const p of participants ?? []) if (p.ParticipantRole) roles.set(p.ParticipantId, p.ParticipantRole);
  return roles;
}

function isChatMessage(item: { Type?: string | undefined; ContentType?: string | undefined }): boolean {
  if (item.Type !== undefined && item.Type.toUpperCase() !== 'MESSAGE') return false;
  return item.ContentType === undefined || /^text\/(plain|markdown)\b/i.test(item.ContentType);
}
