import type { CallNotes } from '../notes.ts';
import type { EvalReferences } from './dialogues.ts';
import { bestRouge, ZERO_ROUGE, type RougeScores } from './rouge.ts';

/** Topic labels compare after this: "plane_book", "Plane-Book" and "plane book" are one label. */
export function normalizeLabel(label: string): string {
  return label.toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();
}

export interface TopicScores {
  /** 1 when the first (top) predicted topic is one of the reference topics, else 0. */
  accuracy: number;
  /** F1 between the set of predicted topics and the set of reference topics. */
  f1: number;
}

/** Topic accuracy and set F1 after normalizeLabel; undefined when the dialogue has no reference topics. */
export function topicScores(predicted: readonly string[], reference: readonly string[]): TopicScores | undefined {
  const ref = new Set(reference.map(normalizeLabel).filter(Boolean));
  if (ref.size === 0) return undefined;
  const pred = new Set(predicted.map(normalizeLabel).filter(Boolean));
  const top = predicted.length > 0 ? normalizeLabel(predicted[0]!) : '';
  let shared = 0;
  for (const label of pred) if (ref.has(label)) shared += 1;
  const precision = pred.size > 0 ? shared / pred.size : 0;
  const recall = shared / ref.size;
  return { accuracy: ref.has(top) ? 1 : 0, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 };
}

/** Words that say nothing about what an action is; dropped before tokens are compared. */
const ACTION_STOPWORDS = new Set(['a', 'an', 'the', 'to', 'of', 'for', 'and', 'or', 'in', 'on', 'at', 'by', 'with', 'is', 'be', 'it', 'their', 'your', 'my']);

/** Lower-case word tokens of an action label or item after normalizeLabel, without stop words, unique. */
export function actionTokens(text: string): Set<string> {
  const tokens = normalizeLabel(text).split(/[^a-z0-9]+/).filter(Boolean);
  const content = tokens.filter((t) => !ACTION_STOPWORDS.has(t));
  return new Set(content.length > 0 ? content : tokens);
}

/**
 * Share of the reference tokens found in a predicted item: |ref ∩ pred| / |ref|. Reference actions
 * are short labels ("plane_flight_available") and items are sentences, so the rule is recall-shaped.
 */
export function actionOverlap(reference: string, predicted: string): number {
  const ref = actionTokens(reference);
  if (ref.size === 0) return 0;
  const pred = actionTokens(predicted);
  let shared = 0;
  for (const token of ref) if (pred.has(token)) shared += 1;
  return shared / ref.size;
}

/** A reference action counts as recalled when some predicted item has overlap >= this. */
export const ACTION_MATCH_THRESHOLD = 0.5;

/** Share of reference actions recalled by some predicted action item; undefined without reference actions. */
export function actionRecall(predicted: readonly string[], reference: readonly string[]): number | undefined {
  const refs = reference.filter((r) => actionTokens(r).size > 0);
  if (refs.length === 0) return undefined;
  const recalled = refs.filter((ref) => predicted.some((item) => actionOverlap(ref, item) >= ACTION_MATCH_THRESHOLD)).length;
  return recalled / refs.length;
}

/** Nearest-rank percentile (p in 0..100) of the values; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** What one dialogue produced: the model's notes (null when the model path failed) and the baseline. */
export interface DialogueOutcome {
  id: string;
  references: EvalReferences;
  notes: CallNotes | null;
  error?: string;
  /** Wall-clock time of the model path for this dialogue (all model calls, repair included). */
  latencyMs: number;
  usage?: { inputTokens: number; outputTokens: number; modelCalls: number };
  baselineSummary: string;
}

export interface DialogueScores {
  rouge?: RougeScores;
  baselineRouge?: RougeScores;
  topics?: TopicScores;
  actionRecall?: number;
}

/** Scores one dialogue. A failed model path scores 0 wherever the dialogue has references. */
export function scoreDialogue(outcome: DialogueOutcome): DialogueScores {
  const { references, notes } = outcome;
  const scores: DialogueScores = {};
  const summaries = references.summaries;
  if (summaries.length > 0) {
    scores.rouge = notes ? bestRouge(notes.summary, summaries) : { ...ZERO_ROUGE };
    scores.baselineRouge = bestRouge(outcome.baselineSummary, summaries);
  }
  const topics = topicScores(notes?.topics ?? [], references.topics);
  if (topics) scores.topics = topics;
  const recall = actionRecall(notes?.actionItems.map((item) => item.text) ?? [], references.actions);
  if (recall !== undefined) scores.actionRecall = recall;
  return scores;
}

/** Means over the dialogues that have the reference a metric needs; null where none has it. */
export interface EvalMetrics {
  dialogues: number;
  withSummary: number;
  withTopics: number;
  withActions: number;
  model: {
    rouge1: number | null;
    rouge2: number | null;
    rougeL: number | null;
    topicAccuracy: number | null;
    topicF1: number | null;
    actionRecall: number | null;
    /** Dialogues whose notes passed CallNotesSchema (after writeNotes' one repair), over all dialogues. */
    schemaValidRate: number;
    /** Dialogues whose first model answer was already valid (no repair needed). */
    firstAnswerValidRate: number;
    errors: number;
    inputTokensPerCall: number | null;
    outputTokensPerCall: number | null;
    latencyP50Ms: number | null;
    latencyP95Ms: number | null;
  };
  baseline: { name: string; rouge1: number | null; rouge2: number | null; rougeL: number | null };
}

export function aggregate(outcomes: readonly DialogueOutcome[], baselineName: string): EvalMetrics {
  const scored = outcomes.map((o) => ({ outcome: o, scores: scoreDialogue(o) }));
  const pick = (f: (s: DialogueScores) => number | undefined) =>
    mean(scored.map(({ scores }) => f(scores)).filter((v): v is number => v !== undefined)) ?? null;
  const succeeded = outcomes.filter((o) => o.notes !== null);
  const used = succeeded.map((o) => o.usage).filter((u) => u !== undefined);
  const latencies = succeeded.map((o) => o.latencyMs);
  return {
    dialogues: outcomes.length,
    withSummary: outcomes.filter((o) => o.references.summaries.length > 0).length,
    withTopics: scored.filter(({ scores }) => scores.topics).length,
    withActions: scored.filter(({ scores }) => scores.actionRecall !== undefined).length,
    model: {
      rouge1: pick((s) => s.rouge?.rouge1),
      rouge2: pick((s) => s.rouge?.rouge2),
      rougeL: pick((s) => s.rouge?.rougeL),
      topicAccuracy: pick((s) => s.topics?.accuracy),
      topicF1: pick((s) => s.topics?.f1),
      actionRecall: pick((s) => s.actionRecall),
      schemaValidRate: outcomes.length > 0 ? succeeded.length / outcomes.length : 0,
      firstAnswerValidRate: outcomes.length > 0 ? succeeded.filter((o) => o.usage?.modelCalls === 1).length / outcomes.length : 0,
      errors: outcomes.length - succeeded.length,
      inputTokensPerCall: mean(used.map((u) => u.inputTokens)) ?? null,
      outputTokensPerCall: mean(used.map((u) => u.outputTokens)) ?? null,
      latencyP50Ms: percentile(latencies, 50) ?? null,
      latencyP95Ms: percentile(latencies, 95) ?? null,
    },
    baseline: {
      name: baselineName,
      rouge1: pick((s) => s.baselineRouge?.rouge1),
      rouge2: pick((s) => s.baselineRouge?.rouge2),
      rougeL: pick((s) => s.baselineRouge?.rougeL),
    },
  };
}
