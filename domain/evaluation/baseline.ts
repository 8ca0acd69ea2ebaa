import type { Transcript } from '../transcript.ts';

export const LEAD_SENTENCES = 3;

/** End of a sentence: . ! or ? followed by space; the end of a turn ends a sentence too. */
const SENTENCE_END = /(?<=[.!?])\s+/;

/**
 * The lead-N baseline: the first N sentences of the dialogue, in the order spoken, without speaker
 * labels. The usual floor for extractive summaries; a notes model should beat it.
 */
export function leadSentences(transcript: Transcript, count = LEAD_SENTENCES): string {
  const lead: string[] = [];
  for (const turn of transcript.turns) {
    for (const sentence of turn.text.split(SENTENCE_END)) {
      const text = sentence.trim();
      if (!text) continue;
      lead.push(text);
      if (lead.length >= count) return lead.join(' ');
    }
  }
  return lead.join(' ');
}
