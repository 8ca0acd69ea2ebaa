import { TranscriptFormatError } from '../errors.ts';
import { describe } from '../transcript.ts';
import { looksLikeJson } from './document.ts';
import type { ConcreteFormat } from './types.ts';
import { isWebVtt } from './webvtt.ts';

const ACCEPTED =
  'accepted: turns [{"role","text"}], text ("Agent: ..." lines), WebVTT ("WEBVTT" header), transcribe {"results":{"items"}}, ' +
  'transcribe-call-analytics {"Transcript":[{"ParticipantRole"}]}, contact-lens {"Participants","Transcript":[{"ParticipantId"}]}, ' +
  'genesys {"transcripts":[{"phrases"}]}, twilio {"sentences"}; or set "format"';

const LABELLED_LINE = /^\s*(?:\[?\d{1,2}(?::\d{2}){1,2}\]?\s*)?[A-Za-z][\w .'-]{0,30}?\s*:/m;

/**
 * The format of a transcript document, from its shape alone:
 * - a string: `WEBVTT` header → webvtt; JSON text (starts with `{` or `[` and parses) → by its value;
 *   lines like `Agent: …` (optionally after a timestamp) → text;
 * - an array: elements with `role` and `text` → turns; with `media_channel` → twilio;
 * - an object: `results` with `items`, `audio_segments`, `transcripts` or `channel_labels` → transcribe;
 *   a `Transcript` array whose first element has `ParticipantId` (or, when empty, `Participants` with
 *   `ParticipantId` / a `Version`) → contact-lens, with `ParticipantRole` → transcribe-call-analytics;
 *   `transcripts` whose first element has `phrases` → genesys; a `sentences` array → twilio.
 * Anything else is refused with what was seen and what is accepted.
 */
export function detectFormat(raw: unknown): ConcreteFormat {
  if (typeof raw === 'string') return detectText(raw);
  if (Array.isArray(raw)) {
    const first: unknown = raw[0];
    if (isRecord(first) && 'role' in first && 'text' in first) return 'turns';
    if (isRecord(first) && 'media_channel' in first) return 'twilio';
    throw refuse(raw.length === 0 ? 'an empty array' : `an array of ${describe(first).replace(/^an? /, '')}s without "role"/"text"`);
  }
  if (isRecord(raw)) {
    const results = raw.results;
    if (isRecord(results) && ['items', 'audio_segments', 'transcripts', 'channel_labels'].some((k) => k in results)) return 'transcribe';
    if (Array.isArray(raw.Transcript)) {
      const first: unknown = raw.Transcript[0];
      if (isRecord(first) && 'ParticipantId' in first) return 'contact-lens';
      if (isRecord(first) && 'ParticipantRole' in first) return 'transcribe-call-analytics';
      const participants = Array.isArray(raw.Participants) ? (raw.Participants as unknown[]) : [];
      if (participants.some((p) => isRecord(p) && 'ParticipantId' in p) || typeof raw.Version === 'string') return 'contact-lens';
      if ('JobStatus' in raw || 'LanguageCode' in raw) return 'transcribe-call-analytics';
    }
        const firstTranscript: unknown = Array.isArray(raw.transcripts) ? raw.transcripts[0] : undefined;
    if (Array.isArray(raw.transcripts) && ((isRecord(firstTranscript) && 'phrases' in firstTranscript) || 'conversationId' in raw)) return 'genesys';
    if (Array.isArray(raw.sentences)) return 'twilio';
    const keys = Object.keys(raw).slice(0, 8).map((k) => JSON.stringify(k.slice(0, 40)));
    throw refuse(keys.length ? `an object with keys ${keys.join(', ')}${Object.keys(raw).length > 8 ? ', …' : ''}` : 'an empty object');
  }
  throw refuse(describe(raw));
}

function detectText(text: string): ConcreteFormat {
  if (isWebVtt(text)) return 'webvtt';
  if (looksLikeJson(text)) {
    let json: unknown;
    try {
      json = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      // "[00:01] Agent: …" starts with "[" too; only "{" is surely broken JSON.
      if (/^\uFEFF?\s*\{/.test(text) || !LABELLED_LINE.test(text.slice(0, 2_000))) throw refuse('a string that starts like JSON but is not valid JSON');
      return 'text';
    }
    return detectFormat(json);
  }
  if (LABELLED_LINE.test(text.slice(0, 2_000))) return 'text';
  throw refuse(text.trim() === '' ? 'an empty string' : 'a string that is neither WebVTT nor "Speaker: ..." lines');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse(seen: string): TranscriptFormatError {
  return new TranscriptFormatError('auto', 'transcript', `could not tell the transcript format from ${seen}; ${ACCEPTED}`);
}
