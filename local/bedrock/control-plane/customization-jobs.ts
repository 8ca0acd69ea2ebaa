import { setTimeout as sleep } from 'node:timers/promises';
import { findCustomizableModel, isFoundationModel, type CustomizableModel } from '../models.ts';
import { generateNotes } from '../model/embedded-model.ts';
import { TrainedModel, TrainingDataError, type TrainingExample } from '../model/trained/trained-model.ts';
import { trainingExampleFromRecord } from '../model/trained/training-example.ts';
import { arns, newResourceId } from './arns.ts';
import { ControlPlaneError, conflict, invalid, notFound } from './errors.ts';
import { resolveHyperParameters } from './hyper-parameters.ts';
import { parseS3Uri, type S3Objects } from './s3-objects.ts';
import { parseTuningFile, TuningDatasetError, type DatasetLimits, type TuningRecord } from './tuning-dataset.ts';

export type JobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

export interface CustomizationJob {
  jobId: string;
  jobArn: string;
  jobName: string;
  outputModelName: string;
  roleArn: string;
  clientRequestToken: string | undefined;
  base: CustomizableModel;
  baseModelArn: string;
  region: string;
  customizationType: 'FINE_TUNING';
  hyperParameters: Record<string, string>;
  trainingDataConfig: { s3Uri: string };
  validationDataConfig: { validators: { s3Uri: string }[] } | undefined;
  outputDataConfig: { s3Uri: string };
  status: JobStatus;
  failureMessage?: string;
  creationTime: Date;
  lastModifiedTime: Date;
  endTime?: Date;
  trainingMetrics?: { trainingLoss: number };
  validationMetrics?: { validationLoss: number }[];
  outputModelArn?: string;
  abort: AbortController;
}

/** A fine-tuned model: what GetCustomModel describes and provisioned throughput serves. */
export interface CustomModel {
  modelArn: string;
  modelName: string;
  job: CustomizationJob;
  creationTime: Date;
  trained: TrainedModel;
}

export interface CustomizationJobOptions {
  s3?: S3Objects;
  /** Shortest time a job stays InProgress, so pollers can observe it (default 300 ms). */
  minJobDurationMs: number;
  /** Concurrent InProgress jobs before ServiceQuotaExceededException (default 4). */
  maxConcurrentJobs: number;
  /** Fewest records a training file may hold (default 8; Bedrock's per-model minimums are not published in one place). */
  minTrainingRecords: number;
}

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9+\-.])*$/;
const ROLE_ARN = /^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role\/.+$/;
const LIMITS: Record<'train' | 'validation', Omit<DatasetLimits, 'minRecords'>> = {
  train: { maxRecords: 10_000, maxTokensPerRecord: 32_000 },
  validation: { maxRecords: 1_000, maxTokensPerRecord: 32_000 },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Model customization jobs: accepted synchronously, then run in the background as Bedrock does. */
export class CustomizationJobs {
  private readonly jobs = new Map<string, CustomizationJob>();
  private readonly models = new Map<string, CustomModel>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: CustomizationJobOptions) {}

  create(body: unknown, region: string): { jobArn: string } {
    if (!isObject(body)) throw invalid('The request body must be a JSON object.');
    const token = typeof body.clientRequestToken === 'string' ? body.clientRequestToken : undefined;
    const same = token ? [...this.jobs.values()].find((j) => j.clientRequestToken === token) : undefined;
    if (same) return { jobArn: same.jobArn };

    const jobName = requiredName(body.jobName, 'jobName');
    const outputModelName = requiredName(body.customModelName, 'customModelName');
    if (typeof body.roleArn !== 'string' || !ROLE_ARN.test(body.roleArn)) {
      throw invalid(`1 validation error detected: Value '${String(body.roleArn)}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_ARN.source}`);
    }
    if (typeof body.baseModelIdentifier !== 'string' || !body.baseModelIdentifier) throw invalid("1 validation error detected: Value null at 'baseModelIdentifier' failed to satisfy constraint: Member must not be null");
    const base = findCustomizableModel(body.baseModelIdentifier);
    if (!base) {
      if (isFoundationModel(body.baseModelIdentifier)) throw invalid(`The base model ${body.baseModelIdentifier} does not support fine-tuning.`);
      throw notFound(`Could not find the base model ${body.baseModelIdentifier}.`);
    }
    const customizationType = body.customizationType ?? 'FINE_TUNING';
    if (customizationType !== 'FINE_TUNING') throw invalid(`Customization type ${String(customizationType)} is not supported for the base model ${base.modelId}.`);
    const trainingUri = s3UriAt(body.trainingDataConfig, 'trainingDataConfig.s3Uri');
    const outputUri = s3UriAt(body.outputDataConfig, 'outputDataConfig.s3Uri');
    let validators: { s3Uri: string }[] | undefined;
    if (body.validationDataConfig !== undefined) {
      const list = isObject(body.validationDataConfig) ? body.validationDataConfig.validators : undefined;
      if (!Array.isArray(list) || list.length === 0 || list.length > 10) throw invalid('validationDataConfig.validators must hold 1 to 10 validators.');
      validators = list.map((v, i) => ({ s3Uri: s3UriAt(v, `validationDataConfig.validators.${i + 1}.s3Uri`) }));
    }
    const hyperParameters = resolveHyperParameters(base.family, body.hyperParameters);

    if ([...this.jobs.values()].some((j) => j.jobName === jobName)) throw conflict(`A model customization job with the name ${jobName} already exists.`);
    if ([...this.models.values()].some((m) => m.modelName === outputModelName) || [...this.jobs.values()].some((j) => j.outputModelName === outputModelName && j.status === 'InProgress')) {
      throw conflict(`A custom model with the name ${outputModelName} already exists.`);
    }
    if ([...this.jobs.values()].filter((j) => j.status === 'InProgress' || j.status === 'Stopping').length >= this.options.maxConcurrentJobs) {
      throw new ControlPlaneError('ServiceQuotaExceededException', `You have reached the limit of ${this.options.maxConcurrentJobs} model customization jobs in progress.`);
    }

    const jobId = newResourceId();
    const now = new Date();
    const job: CustomizationJob = {
      jobId,
      jobArn: arns.job(region, base.modelId, jobId),
      jobName,
      outputModelName,
      roleArn: body.roleArn,
      clientRequestToken: token,
      base,
      baseModelArn: arns.foundationModel(region, base.modelId),
      region,
      customizationType: 'FINE_TUNING',
      hyperParameters,
      trainingDataConfig: { s3Uri: trainingUri },
      validationDataConfig: validators ? { validators } : undefined,
      outputDataConfig: { s3Uri: outputUri },
      status: 'InProgress',
      creationTime: now,
      lastModifiedTime: now,
      abort: new AbortController(),
    };
    this.jobs.set(jobId, job);
    const run = this.run(job).finally(() => this.running.delete(run));
    this.running.add(run);
    return { jobArn: job.jobArn };
  }

  get(identifier: string): CustomizationJob {
    const job = this.jobs.get(identifier.slice(identifier.lastIndexOf('/') + 1)) ?? [...this.jobs.values()].find((j) => j.jobName === identifier);
    if (!job || (identifier.startsWith('arn:') && job.jobArn.split(':').slice(5).join(':') !== identifier.split(':').slice(5).join(':'))) {
      throw notFound(`Could not find the model customization job ${identifier}.`);
    }
    return job;
  }

  list(): CustomizationJob[] {
    return [...this.jobs.values()];
  }

  stop(identifier: string): void {
    const job = this.get(identifier);
    if (job.status !== 'InProgress') throw invalid(`The model customization job ${job.jobName} is ${job.status} and cannot be stopped.`);
    this.transition(job, 'Stopping');
    job.abort.abort();
  }

  customModel(identifier: string): CustomModel {
    const id = identifier.slice(identifier.lastIndexOf('/') + 1);
    const model = [...this.models.values()].find((m) => m.modelArn === identifier || m.modelName === identifier || m.modelArn.endsWith(`/${id}`));
    if (!model) throw notFound(`Could not find the custom model ${identifier}.`);
    return model;
  }

  customModels(): CustomModel[] {
    return [...this.models.values()];
  }

  /** Stops every running job and waits for them to settle (emulator shutdown). */
  async close(): Promise<void> {
    for (const job of this.jobs.values()) job.abort.abort();
    await Promise.allSettled([...this.running]);
  }

  private transition(job: CustomizationJob, status: JobStatus, failureMessage?: string): void {
    job.status = status;
    job.lastModifiedTime = new Date();
    if (failureMessage) job.failureMessage = failureMessage;
    if (status === 'Completed' || status === 'Failed' || status === 'Stopped') job.endTime = job.lastModifiedTime;
  }

  private async run(job: CustomizationJob): Promise<void> {
    const started = performance.now();
    const { signal } = job.abort;
    const finish = async (status: JobStatus, failureMessage?: string) => {
      const rest = this.options.minJobDurationMs - (performance.now() - started);
      if (rest > 0 && status !== 'Stopped') await sleep(rest, undefined, { signal }).catch(() => undefined);
      if (signal.aborted && status !== 'Stopped') return this.transition(job, 'Stopped');
      this.transition(job, status, failureMessage);
    };
    try {
      await sleep(0);
      const s3 = this.options.s3;
      if (!s3) return await finish('Failed', 'The Bedrock emulator was started without an S3 endpoint (the s3 option), so it cannot read training data.');
      const train = await this.readFile(s3, job.trainingDataConfig.s3Uri, job, { ...LIMITS.train, minRecords: this.options.minTrainingRecords }, signal);
      const validation: TuningRecord[][] = [];
      for (const v of job.validationDataConfig?.validators ?? []) {
        validation.push(await this.readFile(s3, v.s3Uri, job, { ...LIMITS.validation, minRecords: 1 }, signal));
      }
      if (signal.aborted) return await finish('Stopped');

      const examples = toExamples(train);
      const held = validation.map(toExamples);
      const outcomeRule = (e: TrainingExample) => generateNotes({ turns: e.turns, callDate: e.callDate ?? '2000-01-01' }).outcome;
      const epochCount = Number(job.hyperParameters.epochCount);
      const batchSize = Number(job.hyperParameters.batchSize);
      let report: ReturnType<typeof TrainedModel.train>;
      try {
        report = TrainedModel.train(examples, { epochCount, batchSize, validation: held.flat(), outcomeRule });
      } catch (error) {
        if (error instanceof TrainingDataError) throw new JobInputError(`${parseS3Uri(job.trainingDataConfig.s3Uri)?.key.split('/').pop()}: ${error.message}`);
        throw error;
      }
      const validationLosses = held.map((v) => report.model.loss(v));
      if (signal.aborted) return await finish('Stopped');

      await this.writeArtifacts(s3, job, report.steps, validationLosses, report.model);
      job.trainingMetrics = { trainingLoss: round(report.trainingLoss) };
      if (validationLosses.length > 0) job.validationMetrics = validationLosses.map((l) => ({ validationLoss: round(l) }));
      const modelArn = arns.customModel(job.region, job.base.modelId, newResourceId());
      await finish('Completed');
      if (job.status !== 'Completed') return;
      job.outputModelArn = modelArn;
      this.models.set(modelArn, { modelArn, modelName: job.outputModelName, job, creationTime: new Date(), trained: report.model });
    } catch (error) {
      if (signal.aborted) return this.transition(job, 'Stopped');
      if (error instanceof TuningDatasetError || error instanceof JobInputError) {
        return await finish('Failed', error.message);
      }
      console.error('[bedrock-emulator] customization job', job.jobName, error);
      await finish('Failed', 'Internal error while running the customization job.');
    }
  }

  private async readFile(s3: S3Objects, uri: string, job: CustomizationJob, limits: DatasetLimits, signal: AbortSignal): Promise<TuningRecord[]> {
    const fileName = parseS3Uri(uri)?.key.split('/').pop() || uri;
    let text: string;
    try {
      text = await s3.getText(uri, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      const name = (error as { name?: string }).name ?? 'Error';
      throw new JobInputError(`Could not read ${uri} with role ${job.roleArn}: ${name}.`);
    }
    return parseTuningFile(text, fileName, job.base.family, limits);
  }

  private async writeArtifacts(
    s3: S3Objects,
    job: CustomizationJob,
    steps: { step: number; epoch: number; loss: number }[],
    validationLosses: number[],
    model: TrainedModel,
  ): Promise<void> {
    const prefix = `${job.outputDataConfig.s3Uri.replace(/\/+$/, '')}/model-customization-job-${job.jobId}`;
    const training = ['step_number,epoch_number,training_loss,perplexity', ...steps.map((s) => `${s.step},${s.epoch},${round(s.loss)},${round(Math.exp(s.loss))}`)];
    await s3.putText(`${prefix}/training_artifacts/step_wise_training_metrics.csv`, `${training.join('\n')}\n`, 'text/csv');
    if (validationLosses.length > 0) {
      // One row per epoch end; a naive Bayes fit does not change after its first pass, so the rows agree.
      const loss = validationLosses.reduce((a, b) => a + b, 0) / validationLosses.length;
      const epochs = [...new Set(steps.map((s) => s.epoch))];
      const rows = epochs.map((epoch) => `${Math.max(...steps.filter((s) => s.epoch === epoch).map((s) => s.step))},${epoch},${round(loss)},${round(Math.exp(loss))}`);
      const csv = ['step_number,epoch_number,validation_loss,perplexity', ...rows];
      await s3.putText(`${prefix}/validation_artifacts/post_fine_tuning_validation/validation/validation_metrics.csv`, `${csv.join('\n')}\n`, 'text/csv');
    }
    await s3.putText(`${prefix}/emulator_artifacts/trained_model.json`, JSON.stringify(model.toJSON()), 'application/json');
  }
}

class JobInputError extends Error {
  override readonly name = 'JobInputError';
}

function toExamples(records: TuningRecord[]): TrainingExample[] {
  return records.map((r) => trainingExampleFromRecord(r.user, r.assistant)).filter((e): e is TrainingExample => e !== undefined);
}

function requiredName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 63 || !NAME.test(value)) {
    throw invalid(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME.source} and have length between 1 and 63`);
  }
  return value;
}

function s3UriAt(config: unknown, field: string): string {
  const uri = isObject(config) ? config.s3Uri : undefined;
  if (typeof uri !== 'string' || !parseS3Uri(uri)) {
    throw invalid(`1 validation error detected: Value '${String(uri)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: s3://[a-z0-9][-.a-z0-9]{1,61}(?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?`);
  }
  return uri;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
