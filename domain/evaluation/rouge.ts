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

/**
 * ROUGE-1, ROUGE-2 and ROUGE-L F1 of a candidate against one reference; empty text scores 0.
 *
 * ROUGE-N is the clipped n-gram overlap, ROUGE-L the longest common subsequence of the whole token
 * sequences (not ROUGE-Lsum), both as F1. Computed here rather than with js-rouge, whose ROUGE-L
 * bundles an 80 KB sentence segmenter this never uses into the refresh function (its cold start);
 * test/unit/eval-rouge.test.ts checks these against js-rouge on random texts.
 */
export function rouge(candidate: string, reference: string): RougeScores {
  const cand = rougeTokens(candidate);
  const ref = rougeTokens(reference);
  if (cand.length === 0 || ref.length === 0) return { ...ZERO_ROUGE };
  return {
    rouge1: f1(ngramOverlap(cand, ref, 1), cand.length, ref.length),
    rouge2: cand.length < 2 || ref.length < 2 ? 0 : f1(ngramOverlap(cand, ref, 2), cand.length - 1, ref.length - 1),
    rougeL: f1(lcsLength(cand, ref), cand.length, ref.length),
  };
}

function f1(matches: number, candidateCount: number, referenceCount: number): number {
  if (matches === 0) return 0;
  const precision = matches / candidateCount;
  const recall = matches / referenceCount;
  return (2 * precision * recall) / (precision + recall);
}

/** n-grams the two share, each counted at most as often as it occurs in both. */
function ngramOverlap(cand: readonly string[], ref: readonly string[], n: number): number {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= ref.length; i++) {
    const gram = ref.slice(i, i + n).join(' ');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  let matches = 0;
  for (let i = 0; i + n <= cand.length; i++) {
    const gram = cand.slice(i, i + n).join(' ');
    const left = counts.get(gram) ?? 0;
    if (left > 0) {
      matches += 1;
      counts.set(gram, left - 1);
    }
  }
  return matches;
}

/** Length of the longest common subsequence (one row of the table at a time). */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
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
