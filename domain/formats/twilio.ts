import * as z from '../zod.ts';
import type { Role } from '../transcript.ts';
import { configuredRoles } from './speaker-roles.ts';
import { buildTranscript, decodeJsonDocument, listOf, secondsToMs, validateDocument } from './document.ts';
import type { FormatOptions, ParsedTranscript, RoleSource } from './types.ts';

const EXPECTED = 'Twilio Conversational Intelligence transcript sentences {"sentences":[{"media_channel":1|2,"sentence_index","start_time","transcript"}]}';

/**
 * Default media channel roles. Twilio's dual-channel call recordings put the customer (caller,
 * parent call leg) on the first channel and the agent on the second ("the left channel is the
 * customer channel, and the right channel is the agent channel":
 * https://www.twilio.com/docs/flex/developer/insights/enable-dual-channel-recordings).
 * Recordings made another way may differ: set `channelRoles` ({"1":"agent","2":"customer"}) then.
 */
export const TWILIO_CHANNEL_ROLES: Readonly<Record<string, Role>> = Object.freeze({ '1': 'customer', '2': 'agent' });

const Seconds = z.union([z.number().check(z.gte(0)), z.string().check(z.regex(/^\d+(?:\.\d+)?$/))], {
  error: 'expected a time in seconds such as "1.25"',
});

const SentenceSchema = z.object({
  media_channel: z.number().check(z.int(), z.gte(0)),
  sentence_index: z.optional(z.number().check(z.int())),
  start_time: z.optional(z.nullable(Seconds)),
  end_time: z.optional(z.nullable(Seconds)),
  transcript: z.nullable(z.string()),
  confidence: z.optional(z.nullable(z.union([z.number(), z.string()]))),
});

const SentencesSchema = listOf(SentenceSchema, 'expected an array of sentences');

/** The API's list page `{sentences, meta}` (or the same without meta). A bare array of sentences is accepted too. */
export const TwilioSchema = z.object({ sentences: SentencesSchema });

/**
 * Twilio Conversational (Voice) Intelligence transcript sentences, in `sentence_index` order.
 * Media channels are named by `options.channelRoles` (keys "1", "2"), else by
 * TWILIO_CHANNEL_ROLES. A single-channel (mono) recording does not separate the speakers, so
 * without configuration its speech is 'other'.
 */
export function parseTwilio(callId: string, raw: unknown, options: FormatOptions = {}): ParsedTranscript {
  const json = decodeJsonDocument('twilio', raw, EXPECTED);
  const list = Array.isArray(json)
    ? validateDocument('twilio', SentencesSchema, json, EXPECTED)
    : validateDocument('twilio', TwilioSchema, json, EXPECTED).sentences;
  const sentences = list
    .map((s, position) => ({ ...s, position }))
    .sort((a, b) => (a.sentence_index ?? a.position) - (b.sentence_index ?? b.position) || a.position - b.position);

  const channels = new Set(sentences.map((s) => String(s.media_channel)));
  const configured = configuredRoles(channels, options.channelRoles);
  let known = configured;
  let source: RoleSource = 'config';
  if (configured.size === 0) {
    source = channels.size > 1 ? 'convention' : 'heuristic';
    known = new Map([...channels].map((ch) => [ch, channels.size > 1 ? (TWILIO_CHANNEL_ROLES[ch] ?? 'other') : 'other']));
  }
  const utterances = sentences.map((s) => ({ speaker: String(s.media_channel), text: s.transcript ?? '', startMs: secondsToMs(s.start_time) }));
  return buildTranscript(callId, 'twilio', utterances, known, source);
}
