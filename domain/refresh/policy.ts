import { createHash } from 'node:crypto';
import type { CuratedDataset, TuningFamily } from '../curation/types.ts';
import type { EvalMetrics } from '../evaluation/metrics.ts';
import type { ComparisonMetric, DatasetRef, ModelScores, RefreshSettings } from './types.ts';

interface Range {
  min: number;
  max: number;
  integer: boolean;
}

/**
 * Bedrock's documented hyperparameter ranges. Claude 3: "Anthropic Claude 3 model customization
 * hyperparameters" (Bedrock user guide). Nova: the Nova user guide (epochCount 1-5, learningRate
 * 1e-6..1e-4, learningRateWarmupSteps 0-20; batchSize is fixed by the service).
 */
export const HYPERPARAMETER_RANGES: Record<TuningFamily, Record<string, Range>> = {
  claude3: {
    epochCount: { min: 1, max: 10, integer: true },
    batchSize: { min: 4, max: 256, integer: true },
    learningRateMultiplier: { min: 0.1, max: 2, integer: false },
    earlyStoppingThreshold: { min: 0, max: 0.1, integer: false },
    earlyStoppingPatience: { min: 1, max: 10, integer: true },
  },
  nova: {
    epochCount: { min: 1, max: 5, integer: true },
    learningRate: { min: 1e-6, max: 1e-4, integer: false },
    learningRateWarmupSteps: { min: 0, max: 20, integer: true },
  },
};

/** Problems with hyperparameters for a family; empty when Bedrock would accept them. */
export function hyperParameterProblems(family: TuningFamily, hyperParameters: Record<string, string>): string[] {
  const ranges = HYPERPARAMETER_RANGES[family];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(hyperParameters)) {
    const range = ranges[name];
    if (!range) {
      problems.push(`${name} is not a ${family} hyperparameter (allowed: ${Object.keys(ranges).join(', ')})`);
      continue;
    }
    const n = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(n) || (range.integer && !Number.isInteger(n)) || n < range.min || n > range.max) {
      problems.push(`${name} must be ${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}, got "${value}"`);
    }
  }
  return problems;
}

/** The clientRequestToken of the job for (line, dataset version): Bedrock's pattern, the same on every retry. */
export function jobToken(line: string, datasetVersion: string): string {
  return createHash('sha256').update(`${line}\n${datasetVersion}`).digest('hex').slice(0, 40);
}

/** Job, custom model and serving names: Bedrock's name pattern, at most 63 characters, unique per (line, version, dataset). */
export function resourceName(settings: Pick<RefreshSettings, 'namePrefix' | 'line'>, version: number, token: string, suffix = ''): string {
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  const tail = `-v${version}-${token.slice(0, 8)}${suffix}`;
  return `${clean(`${settings.namePrefix}-${settings.line}`).slice(0, 63 - tail.length)}${tail}`;
}

export function datasetRef(dataset: CuratedDataset): DatasetRef {
  return {
    version: dataset.version,
    createdAt: dataset.createdAt,
    window: dataset.window,
    records: dataset.counts.selected,
    train: dataset.files.train.records,
    validation: dataset.files.validation.records,
    trainUri: dataset.files.train.uri,
    validationUri: dataset.files.validation.uri,
  };
}

/**
 * Records a dataset adds beyond what the champion was trained on. Curation writes one version per
 * rating window: a later, disjoint window holds only new records (all count); a window that overlaps
 * the champion's (a re-curation of a wider window) counts what it holds beyond the champion's.
 */
export function newExamples(dataset: DatasetRef, championDataset: DatasetRef | undefined): number {
  if (!championDataset) return dataset.records;
  if (dataset.window.from >= championDataset.window.to) return dataset.records;
  return dataset.records - championDataset.records;
}

export function scoresOf(metrics: EvalMetrics, modelId: string, modelVersion: string): ModelScores {
  const m = metrics.model;
  return {
    modelId,
    modelVersion,
    dialogues: metrics.dialogues,
    topicAccuracy: m.topicAccuracy,
    topicF1: m.topicF1,
    rougeL: m.rougeL,
    actionRecall: m.actionRecall,
    schemaValidRate: m.schemaValidRate,
    errors: m.errors,
  };
}

const fmt = (v: number) => v.toFixed(3);

/**
 * The promotion rule: the candidate must beat the champion on the configured metric by at least the
 * margin, and must not produce schema-valid notes less often (a model that wins on topics but breaks
 * the notes contract is worse in production).
 */
export function decidePromotion(
  candidate: ModelScores,
  champion: ModelScores,
  rule: { metric: ComparisonMetric; margin: number },
): { decision: 'promote' | 'reject'; reason: string } {
  const c = candidate[rule.metric];
  if (c === null) return { decision: 'reject', reason: `the validation split has no references for ${rule.metric}, so the candidate cannot be shown better` };
  const h = champion[rule.metric] ?? 0;
  if (candidate.schemaValidRate < champion.schemaValidRate) {
    return {
      decision: 'reject',
      reason: `schema-valid rate would drop from ${fmt(champion.schemaValidRate)} to ${fmt(candidate.schemaValidRate)} (${rule.metric} ${fmt(h)} -> ${fmt(c)})`,
    };
  }
  const gain = c - h;
  // A small tolerance, so 0.92 - 0.90 counts as the 0.02 it is.
  if (gain + 1e-9 >= rule.margin) {
    return { decision: 'promote', reason: `${rule.metric} ${fmt(h)} -> ${fmt(c)} (+${fmt(gain)}, margin ${rule.margin}); schema-valid ${fmt(champion.schemaValidRate)} -> ${fmt(candidate.schemaValidRate)}` };
  }
  return { decision: 'reject', reason: `${rule.metric} ${fmt(h)} -> ${fmt(c)} (${gain >= 0 ? '+' : ''}${fmt(gain)}) is below the margin ${rule.margin}` };
}
