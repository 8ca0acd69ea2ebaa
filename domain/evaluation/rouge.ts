import { l as rougeLcs, n as rougeNgram } from 'js-rouge';

/** ROUGE F1 scores of one candidate summary (0..1). */
export interface RougeScores {
  rouge1: number;
  rouge2: number;
  rougeL: number;
}

export const ZERO_ROUGE: RougeScores = { rouge1: 0, rouge2: 0, rougeL: 0 };

/**
 * Tokens as Google's rouge-score counts them (no stemmer): lower case, every run of characters
 * other than a-z and 0-9 is a separator. js-rouge's own tokenizer keeps punctuation as tokens,
 * which would reward a summary for its commas.
 */
export function rougeTokens(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim().split(' ').filter(Boolean);
}

const TOKENIZE = { tokenizer: rougeTokens, caseSensitive: false } as const;
/** One segment for the whole text: plain ROUGE-L (LCS over the token sequence), not ROUGE-Lsum. */
const WHOLE_TEXT = (text: string): string[] => [text];

/** ROUGE-1, ROUGE-2 and ROUGE-L F1 of a candidate against one reference; empty text scores 0. */
export function rouge(candidate: string, reference: string): RougeScores {
  const cand = rougeTokens(candidate);
  const ref = rougeTokens(reference);
  if (cand.length === 0 || ref.length === 0) return { ...ZERO_ROUGE };
  return {
    rouge1: rougeNgram(candidate, reference, { ...TOKENIZE, n: 1 }),
    rouge2: cand.length < 2 || ref.length < 2 ? 0 : rougeNgram(candidate, reference, { ...TOKENIZE, n: 2 }),
    rougeL: rougeLcs(candidate, reference, { ...TOKENIZE, segmenter: WHOLE_TEXT }),
  };
}

/**
 * Scores against several references (TweetSumm has up to 5 per dialogue): each metric is the best
 * F1 over the references, as rouge-score's multi-reference mode does. No reference gives undefined.
 */
export function bestRouge(candidate: string, references: readonly string[]): RougeScores | undefined {
  if (references.length === 0) return undefined;
  const best = { ...ZERO_ROUGE };
  for (const reference of references) {
    const scores = rouge(candidate, reference);
    best.rouge1 = Math.max(best.rouge1, scores.rouge1);
    best.rouge2 = Math.max(best.rouge2, scores.rouge2);
    best.rougeL = Math.max(best.rougeL, scores.rougeL);
  }
  return best;
}
