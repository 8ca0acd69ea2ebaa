import { TranscriptFormatError } from '../errors.ts';
import { TRANSCRIPT_FORMATS } from '../inbound.ts';
import { parseContactLens } from './contact-lens.ts';
import { detectFormat } from './detect.ts';
import { looksLikeJson } from './document.ts';
import { parseGenesys } from './genesys.ts';
import { parseText } from './text.ts';
import { parseTranscribe } from './transcribe.ts';
import { parseTranscribeCallAnalytics } from './transcribe-call-analytics.ts';
import { parseTurns } from './turns.ts';
import { parseTwilio } from './twilio.ts';
import type { ConcreteFormat, FormatOptions, ParsedTranscript, TranscriptFormat } from './types.ts';
import { parseWebVtt } from './webvtt.ts';

export type { ConcreteFormat, FormatOptions, ParsedTranscript, ParsedTranscriptMeta, RoleSource, TranscriptFormat } from './types.ts';
export { detectFormat } from './detect.ts';
export { parseContactLens } from './contact-lens.ts';
export { parseGenesys } from './genesys.ts';
export { parseText } from './text.ts';
export { parseTranscribe } from './transcribe.ts';
export { parseTranscribeCallAnalytics } from './transcribe-call-analytics.ts';
export { parseTurns } from './turns.ts';
export { parseTwilio, TWILIO_CHANNEL_ROLES } from './twilio.ts';
export { parseWebVtt } from './webvtt.ts';
export { resolveSpeakerRoles, roleFromLabel } from './speaker-roles.ts';

const PARSERS: Record<ConcreteFormat, (callId: string, raw: unknown, options: FormatOptions) => ParsedTranscript> = {
  turns: (callId, raw) => parseTurns(callId, raw),
  text: (callId, raw) => parseText(callId, raw),
  transcribe: parseTranscribe,
  'transcribe-call-analytics': (callId, raw) => parseTranscribeCallAnalytics(callId, raw),
  'contact-lens': (callId, raw) => parseContactLens(callId, raw),
  genesys: (callId, raw) => parseGenesys(callId, raw),
  twilio: parseTwilio,
  webvtt: parseWebVtt,
};

/**
 * Parse a transcript document of the given format (or `auto`: detectFormat picks it) into the
 * normalized transcript (DESIGN §4). `raw` is the document as sent: a string (text, WebVTT, or JSON
 * text), an array or an object. Every refusal is a TranscriptFormatError naming the format and field.
 */
export function parseTranscriptDocument(callId: string, format: TranscriptFormat, raw: unknown, options: FormatOptions = {}): ParsedTranscript {
  if (!(TRANSCRIPT_FORMATS as readonly unknown[]).includes(format)) {
    throw new TranscriptFormatError(String(format).slice(0, 40), 'format', `unknown format; expected one of ${TRANSCRIPT_FORMATS.join(', ')}`);
  }
  if (format !== 'auto') return PARSERS[format](callId, raw, options);
  // Decode JSON text once, so that detection and parsing see the same value.
  const document = typeof raw === 'string' && looksLikeJson(raw) ? tryJson(raw) : raw;
  return PARSERS[detectFormat(document)](callId, document, options);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch {
    return text; // detectFormat says why, or reads it as "[00:01] Agent: …" text
  }
}
