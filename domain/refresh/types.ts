import type { TuningFamily } from '../curation/types.ts';
import type { ModelMode } from '../prompt.ts';

/**
 * Where a model version of a line stands. In flight: candidate (item written, job not yet known to
 * have started), training, awaiting-approval (trained; serving it costs money until an operator
 * approves), evaluating (being served and measured). Settled: champion (what ingest serves),
 * retired (a former champion, kept for rollback), rejected (not better), failed (job or serving failed).
 */
export type ModelStatus = 'candidate' | 'training' | 'awaiting-approval' | 'evaluating' | 'champion' | 'retired' | 'rejected' | 'failed';

export const IN_FLIGHT_STATUSES: readonly ModelStatus[] = ['candidate', 'training', 'awaiting-approval', 'evaluating'];

/** The metrics of `npm run eval` a candidate may be promoted on. */
export type ComparisonMetric = 'topicAccuracy' | 'topicF1' | 'rougeL' | 'actionRecall';
export const COMPARISON_METRICS = ['topicAccuracy', 'topicF1', 'rougeL', 'actionRecall'] as const satisfies readonly ComparisonMetric[];

/** How a custom model is served: provisioned throughput (Claude, billed hourly) or an on-demand deployment (Nova). */
export type ServingKind = 'provisioned' | 'deployment';

/** Settings of one model line (configuration; see adapters/config.ts loadRefreshConfig). */
export interface RefreshSettings {
  /** The model line, e.g. "notes": one champion and one version sequence per line. */
  line: string;
  family: TuningFamily;
  /** The model customization jobs start from (Bedrock's fine-tunable id, e.g. anthropic.claude-3-haiku-20240307-v1:0:200k). */
  baseModelId: string;
  /** What ingest serves when the line has no champion yet: the configured CALLNOTES_MODEL_ID. */
  servingModelId: string;
  servingModelVersion: string;
  /** The Bedrock customization service role passed to jobs. */
  roleArn: string;
  /** s3://bucket/prefix/ where jobs write their output. */
  outputS3Uri: string;
  /** Prefix of job, custom model and serving names, e.g. callnotes-dev. */
  namePrefix: string;
  minNewExamples: number;
  hyperParameters: Record<string, string>;
  /** Claude models: buy provisioned throughput for a candidate without asking (it costs money every hour). */
  autoProvision: boolean;
  modelUnits: number;
  metric: ComparisonMetric;
  margin: number;
  evalMaxRecords: number;
  evalConcurrency: number;
}

export interface DatasetRef {
  version: string;
  createdAt: string;
  window: { from: string; to: string };
  /** Records written (train + validation). */
  records: number;
  train: number;
  validation: number;
  trainUri: string;
  validationUri: string;
}

export interface TrainingJob {
  name: string;
  customModelName: string;
  /** Derived from (line, dataset version): a retry of the same request never starts a second job. */
  clientRequestToken: string;
  arn?: string;
  status?: string;
  failureMessage?: string;
  outputModelArn?: string;
  trainingLoss?: number;
  validationLoss?: number;
  endedAt?: string;
}

export interface ServingRef {
  kind: ServingKind;
  name: string;
  arn?: string;
  status: 'creating' | 'ready' | 'failed' | 'deleted';
  message?: string;
}

/** The scores a promotion compares (means over the validation split, as `npm run eval` reports them). */
export interface ModelScores {
  modelId: string;
  modelVersion: string;
  dialogues: number;
  topicAccuracy: number | null;
  topicF1: number | null;
  rougeL: number | null;
  actionRecall: number | null;
  schemaValidRate: number;
  errors: number;
}

export interface Evaluation {
  evaluatedAt: string;
  records: number;
  metric: ComparisonMetric;
  margin: number;
  candidate: ModelScores;
  champion: ModelScores;
  decision: 'promote' | 'reject';
  reason: string;
}

/** A registry item: pk MODEL#<line>, sk VERSION#<n>. */
export interface ModelVersion {
  line: string;
  version: number;
  /** `<line>-v<n>`: what operators type and what calls record as the model version. */
  id: string;
  status: ModelStatus;
  family: TuningFamily;
  baseModelId: string;
  dataset: DatasetRef;
  hyperParameters: Record<string, string>;
  job: TrainingJob;
  serving?: ServingRef;
  approval?: { by: string; at: string };
  evaluation?: Evaluation;
  /** Why the version is where it is, in a sentence. */
  reason: string;
  createdAt: string;
  updatedAt: string;
  promotedAt?: string;
  retiredAt?: string;
  /** Optimistic concurrency: every save is conditional on the revision read. */
  revision: number;
}

/** What ingest serves for a line: version 0 is the configured base model. */
export interface ServedModel {
  version: number;
  modelId: string;
  modelVersion: string;
  mode: ModelMode;
}

/** The pointer item: pk MODEL#<line>, sk CHAMPION. */
export interface ChampionPointer extends ServedModel {
  line: string;
  /** Earlier champions, most recent first: rollback pops the first. */
  previous: ServedModel[];
  updatedAt: string;
  reason: string;
  revision: number;
}

/** One decision of a refresh pass, printed by `npm run refresh` and logged by the function. */
export interface RefreshStep {
  version?: string;
  action: string;
  reason: string;
}

export interface RefreshReport {
  line: string;
  steps: RefreshStep[];
  champion: ServedModel;
  /** True when a version is still in flight (training, serving being created, or awaiting approval). */
  pending: boolean;
  awaitingApproval: boolean;
}
