import fc from 'fast-check';
import * as jsRouge from 'js-rouge';
import { describe, expect, it } from 'vitest';
import { bestRouge, rouge, rougeTokens } from '../../cli/eval/rouge.ts';

describe('Function: rougeTokens', () => {
  it('lower-cases and splits on everything but letters and digits, as rouge-score does', () => {
    // Act
    const tokens = rougeTokens("The agent's CARD (x2) - won't work!");

    // Assess
    expect(tokens).toEqual(['the', 'agent', 's', 'card', 'x2', 'won', 't', 'work']);
  });
});

describe('Function: rouge', () => {
  it('matches hand-computed F1 for a one-word substitution', () => {
    // Prepare: 6 tokens each; unigrams shared: the x2, cat, on, mat = 5; bigrams shared: the cat,
    // on the, the mat = 3 of 5; LCS "the cat on the mat" = 5.
    const candidate = 'the cat sat on the mat';
    const reference = 'the cat was on the mat';

    // Act
    const scores = rouge(candidate, reference);

    // Assess
    expect(scores.rouge1).toBeCloseTo(5 / 6, 10);
    expect(scores.rouge2).toBeCloseTo(3 / 5, 10);
    expect(scores.rougeL).toBeCloseTo(5 / 6, 10);
  });

  it('clips repeated n-grams to the reference count', () => {
    // Prepare: unigrams: a min(3,1) + b min(1,2) = 2 -> P 2/4, R 2/3, F 4/7. Bigrams: {aa,aa,ab} vs
    // {ab,bb}: 1 -> P 1/3, R 1/2, F 2/5. LCS "a b" = 2 -> F 4/7.
    const scores = rouge('a a a b', 'a b b');

    // Assess
    expect(scores.rouge1).toBeCloseTo(4 / 7, 10);
    expect(scores.rouge2).toBeCloseTo(2 / 5, 10);
    expect(scores.rougeL).toBeCloseTo(4 / 7, 10);
  });

  it('ignores case and punctuation, and uses LCS order for ROUGE-L', () => {
    // Prepare: same words, reversed order: R1 = 1, no shared bigram, LCS = 1 of 3.
    const reversed = rouge('mat, the CAT.', 'cat the mat');

    // Act
    const same = rouge('The CAT, sat.', 'the cat sat');

    // Assess
    expect(same).toEqual({ rouge1: 1, rouge2: 1, rougeL: 1 });
    expect(reversed.rouge1).toBeCloseTo(1, 10);
    expect(reversed.rouge2).toBe(0);
    expect(reversed.rougeL).toBeCloseTo(1 / 3, 10);
  });

  it('scores empty or punctuation-only text as 0 instead of throwing', () => {
    // Act + Assess
    expect(rouge('', 'a b')).toEqual({ rouge1: 0, rouge2: 0, rougeL: 0 });
    expect(rouge('...', 'a b')).toEqual({ rouge1: 0, rouge2: 0, rougeL: 0 });
    expect(rouge('a', '')).toEqual({ rouge1: 0, rouge2: 0, rougeL: 0 });
  });
});

describe('Function: bestRouge', () => {
  it('takes the best F1 per metric over the references, and undefined without references', () => {
    // Prepare: ref 1 shares the words in another order, ref 2 shares two words in order.
    const candidate = 'card was blocked';

    // Act
    const best = bestRouge(candidate, ['blocked was card', 'the card was lost']);

    // Assess: R1: ref 1 = 1. R2: ref 2 "card was" -> P 1/2, R 1/3, F 2/5. RL: ref 2 LCS 2 -> P 2/3, R 2/4 -> 4/7.
    expect(best?.rouge1).toBeCloseTo(1, 10);
    expect(best?.rouge2).toBeCloseTo(2 / 5, 10);
    expect(best?.rougeL).toBeCloseTo(4 / 7, 10);
    expect(bestRouge(candidate, [])).toBeUndefined();
  });
});

describe('Function: rouge against js-rouge', () => {
  const WORDS = ['the', 'card', 'refund', 'agent', 'customer', 'will', 'send', 'a', 'new', 'one', 'today', 'blocked', 'and', 'of', 'x2'];

  it('gives the F1 js-rouge gives for ROUGE-1, ROUGE-2 and plain ROUGE-L (one segment, the same tokens)', () => {
    const text = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 40 }).map((words) => words.join(' '));
    const options = { tokenizer: rougeTokens, caseSensitive: false } as const;
    fc.assert(
      fc.property(text, text, (candidate, reference) => {
        const ours = rouge(candidate, reference);
        expect(ours.rouge1).toBeCloseTo(jsRouge.n(candidate, reference, { ...options, n: 1 }), 12);
        const pairs = rougeTokens(candidate).length >= 2 && rougeTokens(reference).length >= 2;
        expect(ours.rouge2).toBeCloseTo(pairs ? jsRouge.n(candidate, reference, { ...options, n: 2 }) : 0, 12);
        expect(ours.rougeL).toBeCloseTo(jsRouge.l(candidate, reference, { ...options, segmenter: (t: string) => [t] }), 12);
      }),
      { numRuns: 500, seed: 20261124 },
    );
  });
});
