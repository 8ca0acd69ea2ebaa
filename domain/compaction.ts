import { turnLine, type Transcript, type Turn } from './transcript.ts';

/**
 * Compaction for the prompt: spoken filler costs tokens and carries nothing for call notes.
 * Conservative on purpose: only sounds and phrases that are filler by their position are removed,
 * never a content word, a number or a placeholder such as `[CARD]`.
 */

// "um", "uhh", "er", "ah", "hmm" with the comma that usually trails them; "mm-hmm" is a backchannel, not filler
const FILLER_SOUND_RE = /(?<![\w[-])(?:u+h+|u+m+|e+r+m*|a+h+|h+m+)(?![\w\]-])\s*,?/gi;
// "tried to, um, restart": a filler set off by commas takes its commas with it
const BRACKETED_FILLER_RE = /,\s*(?:u+h+|u+m+|e+r+m*|a+h+|h+m+)\s*,/g;
const OPENING_FILLER_RE = /^(?:u+h+|u+m+|e+r+m*|a+h+|h+m+|you\s+know|i\s+mean|like)\b/i;
// "you know", "I mean" and "like" count as filler only set off by commas or opening a turn ("You know, it broke")
const FILLER_PHRASE_RE = /(?:^|,)\s*(?:you\s+know|i\s+mean|like)\s*(?:,|$)/gi;
// "I- I", "th- the": a cut-off word followed by the word it started
const STUTTER_RE = /\b([A-Za-z']+)-\s+(?=\1)/gi;
// "the the", "I I I"; numbers ("five five five") and "that that"/"had had" are real repetitions
const REPEAT_RE = /\b([A-Za-z']+)(?:[\s,]+\1\b)+/gi;
const KEEP_REPEATED = new Set([
  'that', 'had', 'zero', 'oh', 'o', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'double', 'triple',
]);
const BACKCHANNEL_RE = /^(?:(?:okay|ok|mm-?hmm|mhm|uh-?huh|right|alright|all right|got it|i see)[\s,.!]*)+$/i;

/** The transcript with filler, stutters and repeats removed, backchannel dropped, and same-speaker turns merged. */
export function compactTranscript(t: Transcript): Transcript {
  const cleaned = t.turns.map((turn) => ({ ...turn, text: compactText(turn.text) })).filter((turn) => turn.text.length > 0);
  const kept: Turn[] = [];
  cleaned.forEach((turn, i) => {
    const prev = kept[kept.length - 1];
    const next = cleaned[i + 1];
    // "okay" between two turns of the other speaker only acknowledges; after a question it answers, so it stays
    const backchannel = BACKCHANNEL_RE.test(turn.text) && prev && next && prev.role !== turn.role && next.role !== turn.role && !/\?\s*$/.test(prev.text);
    if (!backchannel) kept.push(turn);
  });
  const turns: Turn[] = [];
  for (const turn of kept) {
    const last = turns[turns.length - 1];
    if (last && last.role === turn.role) {
      last.text = `${last.text} ${turn.text}`;
    } else {
      turns.push({ ...turn });
    }
  }
  return { ...t, turns, meta: { ...t.meta, speakerRoles: { ...t.meta.speakerRoles } } };
}

/** Characters of the `Role: text` lines before and after compaction; ratio is after/before. */
export function compactionSaving(before: Transcript, after: Transcript): { charsBefore: number; charsAfter: number; ratio: number } {
  const charsBefore = renderedChars(before);
  const charsAfter = renderedChars(after);
  return { charsBefore, charsAfter, ratio: charsBefore === 0 ? 1 : charsAfter / charsBefore };
}

// The lines renderTranscript (prompt.ts) writes, counted here without it: the prompt compacts what it renders.
function renderedChars(t: Transcript): number {
  return t.turns.reduce((sum, turn) => sum + turnLine(turn).length, 0) + Math.max(0, t.turns.length - 1);
}

/** One turn's text, compacted. */
export function compactText(text: string): string {
  let out = text
    .replace(BRACKETED_FILLER_RE, ' ')
    .replace(FILLER_SOUND_RE, (m) => (/^[A-Z]{2}/.test(m) ? m : ' ')) // "ER" is the emergency room
    .replace(FILLER_PHRASE_RE, ' ')
    .replace(STUTTER_RE, '')
    .replace(REPEAT_RE, (m, word: string) => (KEEP_REPEATED.has(word.toLowerCase()) ? m : word));
  out = out
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.!?;:])/g, '$1')
    .replace(/([,;])(?:\s*[,;])+/g, '$1')
    .replace(/,(\s*[.!?])/g, '$1')
    .replace(/^[\s,;.]+/, '')
    .trim();
  // "Um, the bill…" becomes "the bill…": restore the capital the filler carried
  if (OPENING_FILLER_RE.test(text.trimStart()) && /^[A-Z]/.test(text.trimStart()) && /^[a-z]/.test(out)) out = out[0]!.toUpperCase() + out.slice(1);
  return /^[\s,.;!?-]*$/.test(out) ? '' : out;
}
