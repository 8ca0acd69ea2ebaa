import { parseText as parseTextLines } from '../transcript.ts';
import type { ParsedTranscript } from './types.ts';

/** `text` format (`Agent: …` / `Customer: …` lines): the line labels give the roles. */
export function parseText(callId: string, raw: unknown): ParsedTranscript {
  const transcript = parseTextLines(callId, raw);
  return { ...transcript, meta: { ...transcript.meta, format: 'text', roleSource: 'labels' } };
}
