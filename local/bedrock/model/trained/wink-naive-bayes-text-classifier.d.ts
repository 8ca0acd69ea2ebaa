/** The parts of wink-naive-bayes-text-classifier (CommonJS, untyped) the trained model uses. */
declare module 'wink-naive-bayes-text-classifier' {
  export interface NaiveBayesTextClassifier {
    defineConfig(config: { considerOnlyPresence?: boolean; smoothingFactor?: number }): boolean;
    definePrepTasks(tasks: ((input: unknown) => unknown)[]): number;
    learn(input: string | string[], label: string): boolean;
    consolidate(): boolean;
    /** `[label, log2 odds]` pairs, best first; `[['unknown', 0]]` when no token is known. */
    computeOdds(input: string | string[]): [string, number][];
    predict(input: string | string[]): string;
    stats(): { labelWiseSamples: Record<string, number>; labelWiseWords: Record<string, number>; vocabulary: number };
    exportJSON(): string;
    importJSON(json: string): boolean;
  }
  function naiveBayesTextClassifier(): NaiveBayesTextClassifier;
  export default naiveBayesTextClassifier;
}

/** The library's own text preparation: wink-nlp tokens, stop words removed, stemmed, negation marked. */
declare module 'wink-naive-bayes-text-classifier/src/prep-text.js' {
  function prepText(text: string): string[];
  export default prepText;
}
