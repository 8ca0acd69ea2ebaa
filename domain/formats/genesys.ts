import * as z from '../zod.ts';
import type { Role } from '../transcript.ts';
import { buildTranscript, decodeJsonDocument, listOf, validateDocument } from './document.ts';
import type { ParsedTranscript, Utterance } from './types.ts';

const EXPECTED = 'a Genesys Cloud transcript {"conversationId","transcripts":[{"phrases":[{"text","startTimeMs","participantPurpose"}]}]}';

export const GenesysSchema = z.object({
  conversationId: z.optional(z.string()),
  communicationId: z.optional(z.string()),
  mediaType: z.optional(z.string()),
  transcripts: listOf(
    z.object({
      utteranceId: z.optional(z.string()),
      language: z.optional(z.string()),
      phrases: listOf(
        z.object({
          text: z.string(),
          stability: z.optional(z.number()),
          startTimeMs: z.optional(z.number().check(z.gte(0))),
          duration: z.optional(z.object({ milliseconds: z.number() })),
          participantPurpose: z.optional(z.string()),
          channel: z.optional(z.string()),
        }),
        'expected an array of phrases',
      ),
    }),
    'expected an array of transcripts',
  ),
});

const PURPOSE_ROLES = new Map<string, Role>([
  ['internal', 'agent'], ['agent', 'agent'], ['user', 'agent'],
  ['external', 'customer'], ['customer', 'customer'],
]);

/** Genesys `participantPurpose`: internal/agent (and user) are the agent, external/customer the customer, acd, ivr, workflow… 'other'. */
export function genesysRole(purpose: string): Role {
  return PURPOSE_ROLES.get(purpose.toLowerCase()) ?? 'other';
}

/**
 * Genesys Cloud speech-and-text-analytics transcript. Phrases of every communication are put in
 * time order; the phrase's `participantPurpose` (else `channel`) is its speaker and names its role.
 * Phrases with neither are left to the agent-phrase heuristic.
 */
export function parseGenesys(callId: string, raw: unknown): ParsedTranscript {
  const doc = validateDocument('genesys', GenesysSchema, decodeJsonDocument('genesys', raw, EXPECTED), EXPECTED);
  const known = new Map<string, Role>();
  const phrases: Array<Utterance & { at: number }> = [];
  let at = 0;
  for (const transcript of doc.transcripts) {
    for (const phrase of transcript.phrases) {
      const speaker = phrase.participantPurpose ?? phrase.channel ?? 'unknown';
      if (phrase.participantPurpose ?? phrase.channel) known.set(speaker, genesysRole(speaker));
      at = phrase.startTimeMs ?? at;
      phrases.push({ speaker, text: phrase.text, startMs: phrase.startTimeMs, at });
    }
  }
  return buildTranscript(callId, 'genesys', phrases.sort((a, b) => a.at - b.at), known, 'labels');
}
