import { createRequire } from 'node:module';
import naiveBayes, { type NaiveBayesTextClassifier } from 'wink-naive-bayes-text-classifier';
import { OutcomeSchema, type Outcome } from '../../../../domain/notes.ts';
import type { ModelTurn } from '../types.ts';

/** What one tuning record teaches: the call's text and the labels its notes gave it. */
export interface TrainingExample {
  turns: ModelTurn[];
  /** The call date of the prompt (YYYY-MM-DD), when it has one. */
  callDate?: string;
  topics: string[];
  outcome?: Outcome;
}

export interface TrainingOptions {
  /** Passes over the training data; a naive Bayes fit is complete after one, later epochs re-measure it. */
  epochCount?: number;
  /** Examples learned per step (the step_wise_training_metrics.csv granularity). */
  batchSize?: number;
  /** Additive (Laplace) smoothing of the word counts, in (0, 1]. */
  smoothingFactor?: number;
  /** Held-out examples: the learned outcome is used only if it beats `outcomeRule` on them. */
  validation?: TrainingExample[];
  /** The untrained model's outcome for a call, the baseline the learned outcome must beat. */
  outcomeRule?: (example: TrainingExample) => Outcome;
}

export interface StepMetric {
  step: number;
  epoch: number;
  loss: number;
}

export interface TrainingReport {
  model: TrainedModel;
  steps: StepMetric[];
  trainingLoss: number;
  /** Share of validation examples whose outcome the learned and the rule-based model get right. */
  outcomeAccuracy?: { learned: number; rules: number };
}

/** Serialized form, written to the job's output prefix and read back by TrainedModel.fromJSON. */
export interface TrainedModelState {
  format: typeof STATE_FORMAT;
  topicLabels: string[];
  topicClassifier: string;
  outcomeClassifier: string | null;
  topicThreshold: number;
  maxTopics: number;
  outcomeThreshold: number;
}

const STATE_FORMAT = 'callnotes.embedded-model.trained.v1';
const TOPIC_THRESHOLD = 0.5;
const MAX_TOPICS = 3;
/** The learned outcome replaces the rule-based one only when the classifier is this sure. */
const OUTCOME_THRESHOLD = 0.9;
/** Probabilities are clamped here so one confident miss cannot make a loss infinite. */
const EPSILON = 1e-4;
const LN2 = Math.LN2;

const require = createRequire(import.meta.url);
let prepTextFn: ((text: string) => string[]) | undefined;

/** wink's text preparation loads an English model (~300 ms): only when a model is trained or used. */
function prepText(text: string): string[] {
  prepTextFn ??= require('wink-naive-bayes-text-classifier/src/prep-text.js') as (text: string) => string[];
  return prepTextFn(text);
}

/** The words a classifier reads from a call: every turn's text, in order. */
export function callTokens(turns: ModelTurn[]): string[] {
  return prepText(turns.map((t) => t.text).join('\n'));
}

/**
 * The embedded model's fine-tuned part: naive Bayes text classifiers (wink-naive-bayes-text-classifier)
 * from a call's words to its topic labels (multi-label: one-vs-rest odds per label) and to its outcome.
 */
export class TrainedModel {
  private constructor(
    private readonly topics: NaiveBayesTextClassifier,
    private readonly outcomes: NaiveBayesTextClassifier | null,
    private readonly settings: { topicThreshold: number; maxTopics: number; outcomeThreshold: number },
    readonly topicLabels: readonly string[],
  ) {}

  /** Fits the classifiers on the examples; throws TrainingDataError when they cannot teach anything. */
  static train(examples: TrainingExample[], options: TrainingOptions = {}): TrainingReport {
    const epochs = Math.max(1, Math.floor(options.epochCount ?? 2));
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? 8));
    const smoothing = options.smoothingFactor ?? 0.5;
    const prepared = examples.map((e) => ({ ...e, tokens: callTokens(e.turns) }));
    const labels = new Set(prepared.flatMap((e) => e.topics));
    if (labels.size < 2) {
      throw new TrainingDataError(`the training data names ${labels.size} distinct topic label(s); at least 2 are needed to learn topics`);
    }

    // Step-wise loss. Epoch 1: each batch is scored by the model fitted on the batches before it
    // (progressive validation: a naive Bayes fit is exact, so loss on already-learned data says little).
    // Later epochs: the full fit scored on each batch.
    const steps: StepMetric[] = [];
    const batchCount = Math.ceil(prepared.length / batchSize);
    const full = fitTopics(prepared, smoothing);
    if (!full) throw new TrainingDataError('the training data has too few distinct words to learn topics from');
    let step = 0;
    for (let epoch = 1; epoch <= epochs; epoch += 1) {
      for (let b = 0; b < batchCount; b += 1) {
        const batch = prepared.slice(b * batchSize, (b + 1) * batchSize);
        const fitted = epoch === 1 ? fitTopics(prepared.slice(0, b * batchSize), smoothing) : full;
        steps.push({ step, epoch, loss: fitted ? topicLoss(fitted, batch) : LN2 });
        step += 1;
      }
    }

    let outcomes = fitOutcomes(prepared, smoothing);
    let outcomeAccuracy: TrainingReport['outcomeAccuracy'];
    const settings = { topicThreshold: TOPIC_THRESHOLD, maxTopics: MAX_TOPICS, outcomeThreshold: OUTCOME_THRESHOLD };
    if (outcomes) {
      // The rules already know outcomes well: keep the learned one only where it measurably does better.
      const held = (options.validation ?? []).filter((e) => e.outcome !== undefined);
      const candidate = new TrainedModel(full, outcomes, settings, []);
      const rule = options.outcomeRule;
      const share = (right: (e: TrainingExample) => boolean) => held.filter(right).length / Math.max(1, held.length);
      outcomeAccuracy = {
        learned: share((e) => (candidate.predictOutcome(e.turns) ?? (rule ? rule(e) : undefined)) === e.outcome),
        rules: rule ? share((e) => rule(e) === e.outcome) : 0,
      };
      if (held.length === 0 || outcomeAccuracy.learned <= outcomeAccuracy.rules) outcomes = null;
    }
    const model = new TrainedModel(full, outcomes, settings, [...labels].sort());
    return { model, steps, trainingLoss: model.loss(examples), ...(outcomeAccuracy ? { outcomeAccuracy } : {}) };
  }

  static fromJSON(state: TrainedModelState): TrainedModel {
    if (state.format !== STATE_FORMAT) throw new TrainingDataError(`unknown trained model format ${String(state.format)}`);
    const topics = naiveBayes();
    topics.importJSON(state.topicClassifier);
    topics.consolidate();
    let outcomes: NaiveBayesTextClassifier | null = null;
    if (state.outcomeClassifier) {
      outcomes = naiveBayes();
      outcomes.importJSON(state.outcomeClassifier);
      outcomes.consolidate();
    }
    const { topicThreshold, maxTopics, outcomeThreshold } = state;
    return new TrainedModel(topics, outcomes, { topicThreshold, maxTopics, outcomeThreshold }, state.topicLabels);
  }

  toJSON(): TrainedModelState {
    return {
      format: STATE_FORMAT,
      topicLabels: [...this.topicLabels],
      topicClassifier: this.topics.exportJSON(),
      outcomeClassifier: this.outcomes?.exportJSON() ?? null,
      ...this.settings,
    };
  }

  /** What the trained classifiers say about a call; each part undefined where the untrained model should decide. */
  predict(turns: ModelTurn[]): { topics: string[] | undefined; outcome: Outcome | undefined } {
    const tokens = callTokens(turns);
    return { topics: this.predictTopics(turns, tokens), outcome: this.predictOutcome(turns, tokens) };
  }

  /** 1-3 learned labels (the best one, then others past the threshold), or undefined when no word is known. */
  predictTopics(turns: ModelTurn[], tokens = callTokens(turns)): string[] | undefined {
    const ranked = labelProbabilities(this.topics, tokens);
    if (ranked.length === 0) return undefined;
    const chosen = ranked.filter(([, p], i) => i === 0 || p >= this.settings.topicThreshold);
    return chosen.slice(0, this.settings.maxTopics).map(([label]) => label);
  }

  /** The learned outcome when the classifier is confident, else undefined (the rules decide). */
  predictOutcome(turns: ModelTurn[], tokens = callTokens(turns)): Outcome | undefined {
    if (!this.outcomes) return undefined;
    const [best] = labelProbabilities(this.outcomes, tokens);
    if (!best || best[1] < this.settings.outcomeThreshold) return undefined;
    const parsed = OutcomeSchema.safeParse(best[0]);
    return parsed.success ? parsed.data : undefined;
  }

  get usesOutcome(): boolean {
    return this.outcomes !== null;
  }

  /** Mean binary cross-entropy (nats) of each example's topic labels under the topic classifier. */
  loss(examples: TrainingExample[]): number {
    return topicLoss(this.topics, examples.map((e) => ({ ...e, tokens: callTokens(e.turns) })));
  }
}

export class TrainingDataError extends Error {
  override readonly name = 'TrainingDataError';
}

type PreparedExample = TrainingExample & { tokens: string[] };

/** One learning sample per topic label of a call (multi-label as one-vs-rest). */
function fitTopics(examples: PreparedExample[], smoothingFactor: number): NaiveBayesTextClassifier | undefined {
  const classifier = naiveBayes();
  classifier.defineConfig({ considerOnlyPresence: true, smoothingFactor });
  let labels = 0;
  const seen = new Set<string>();
  for (const e of examples) {
    for (const label of e.topics) {
      classifier.learn(e.tokens, label);
      if (!seen.has(label)) labels += 1;
      seen.add(label);
    }
  }
  if (labels < 2) return undefined;
  try {
    classifier.consolidate();
    return classifier;
  } catch {
    return undefined;
  }
}

function fitOutcomes(examples: PreparedExample[], smoothingFactor: number): NaiveBayesTextClassifier | null {
  const labelled = examples.filter((e) => e.outcome !== undefined);
  if (new Set(labelled.map((e) => e.outcome)).size < 2) return null;
  const classifier = naiveBayes();
  classifier.defineConfig({ considerOnlyPresence: true, smoothingFactor });
  for (const e of labelled) classifier.learn(e.tokens, e.outcome!);
  try {
    classifier.consolidate();
    return classifier;
  } catch {
    return null;
  }
}

/** `[label, P(label | words)]`, best first: wink gives one-vs-rest log2 odds, the logistic of which is P. */
function labelProbabilities(classifier: NaiveBayesTextClassifier, tokens: string[]): [string, number][] {
  const odds = classifier.computeOdds(tokens);
  if (odds.length === 1 && odds[0]![0] === 'unknown' && odds[0]![1] === 0) return [];
  return odds.map(([label, log2Odds]) => [label, 1 / (1 + Math.exp(-log2Odds * LN2))]);
}

function topicLoss(classifier: NaiveBayesTextClassifier, examples: PreparedExample[]): number {
  let total = 0;
  let count = 0;
  for (const e of examples) {
    const probabilities = new Map(labelProbabilities(classifier, e.tokens));
    for (const label of e.topics) {
      const p = Math.min(1 - EPSILON, Math.max(EPSILON, probabilities.get(label) ?? EPSILON));
      total += -Math.log(p);
      count += 1;
    }
  }
  return count === 0 ? 0 : total / count;
}
