import { BedrockServiceError, validationError } from '../errors.ts';
import { resolveModel, type ModelProfile, type ModelResolver } from '../models.ts';
import { arns, parseOwnArn } from './arns.ts';
import { CustomizationJobs, type CustomModel, type CustomizationJob, type JobStatus } from './customization-jobs.ts';
import { invalid } from './errors.ts';
import { ModelServing, type ProvisionedModel } from './model-serving.ts';
import { S3Objects, type EmulatorS3Options } from './s3-objects.ts';

export interface ControlPlaneOptions {
  s3?: EmulatorS3Options;
  /** Shortest time a customization job stays InProgress (default 300 ms). */
  minJobDurationMs?: number;
  /** Time a provisioned model stays Creating, and a deployment Creating (default 300 ms). */
  provisioningDelayMs?: number;
  maxConcurrentJobs?: number;
  minTrainingRecords?: number;
}

export interface ControlPlaneRequest {
  method: string;
  /** Path segments, percent-decoded one by one (ARNs arrive as one encoded segment). */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  region: string;
}

export interface ControlPlaneAnswer {
  status: number;
  body: unknown;
}

const JOB_STATUSES: JobStatus[] = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

/**
 * The Bedrock control-plane operations callnotes uses (model customization, custom models,
 * provisioned throughput, custom model deployments), with the REST paths and JSON shapes of
 * @aws-sdk/client-bedrock, and the model resolver that serves what they create through Converse.
 */
export class ControlPlane {
  readonly jobs: CustomizationJobs;
  readonly serving: ModelServing;
  private readonly s3: S3Objects | undefined;

  constructor(options: ControlPlaneOptions = {}) {
    this.s3 = options.s3 ? new S3Objects(options.s3) : undefined;
    this.jobs = new CustomizationJobs({
      s3: this.s3,
      minJobDurationMs: options.minJobDurationMs ?? 300,
      maxConcurrentJobs: options.maxConcurrentJobs ?? 4,
      minTrainingRecords: options.minTrainingRecords ?? 8,
    });
    this.serving = new ModelServing(this.jobs, options.provisioningDelayMs ?? 300);
  }

  /** True when the path belongs to the control plane (so the server reads its body and routes it here). */
  static owns(segments: string[]): boolean {
    return ['model-customization-jobs', 'custom-models', 'provisioned-model-throughput', 'provisioned-model-throughputs', 'model-customization'].includes(segments[0] ?? '');
  }

  /** Answers one control-plane request, or undefined when no operation has this method and path. */
  handle(req: ControlPlaneRequest): ControlPlaneAnswer | undefined {
    const { method, segments: s, query, body, region } = req;
    const ok = (b: unknown, status = 200): ControlPlaneAnswer => ({ status, body: b });
    if (s[0] === 'model-customization-jobs') {
      if (s.length === 1 && method === 'POST') return ok(this.jobs.create(body, region), 201);
      if (s.length === 1 && method === 'GET') return ok(this.listJobs(query));
      if (s.length === 2 && method === 'GET') return ok(describeJob(this.jobs.get(s[1]!)));
      if (s.length === 3 && s[2] === 'stop' && method === 'POST') {
        this.jobs.stop(s[1]!);
        return ok({});
      }
    }
    if (s[0] === 'custom-models') {
      if (s.length === 1 && method === 'GET') return ok(this.listCustomModels(query));
      if (s.length === 2 && method === 'GET') return ok(describeCustomModel(this.jobs.customModel(s[1]!)));
    }
    if (s[0] === 'provisioned-model-throughput') {
      if (s.length === 1 && method === 'POST') return ok(this.serving.createProvisioned(body, region), 201);
      if (s.length === 2 && method === 'GET') return ok(describeProvisioned(this.serving.getProvisioned(s[1]!)));
      if (s.length === 2 && method === 'DELETE') {
        this.serving.deleteProvisioned(s[1]!);
        return ok({});
      }
    }
    if (s[0] === 'provisioned-model-throughputs' && s.length === 1 && method === 'GET') {
      const all = this.serving.listProvisioned().filter((p) => !query.get('statusEquals') || p.status === query.get('statusEquals'));
      return ok(page(sortByTime(all, (p) => p.creationTime, query), query, 'provisionedModelSummaries', describeProvisioned));
    }
    if (s[0] === 'model-customization' && s[1] === 'custom-model-deployments') {
      if (s.length === 2 && method === 'POST') return ok(this.serving.createDeployment(body, region), 202);
      const d = s.length === 3 ? s[2]! : undefined;
      if (d && method === 'GET') {
        const dep = this.serving.getDeployment(d);
        return ok({
          customModelDeploymentArn: dep.customModelDeploymentArn,
          modelDeploymentName: dep.modelDeploymentName,
          modelArn: dep.model.modelArn,
          createdAt: dep.createdAt.toISOString(),
          status: dep.status,
          ...(dep.description ? { description: dep.description } : {}),
          lastUpdatedAt: dep.lastUpdatedAt.toISOString(),
        });
      }
      if (d && method === 'DELETE') {
        this.serving.deleteDeployment(d);
        return ok({});
      }
    }
    return undefined;
  }

  /**
   * Converse model resolution: ARNs of the emulator's account are looked up (a provisioned model or
   * deployment serves its trained model once ready; a custom model itself cannot be invoked); every
   * other id goes to `fallback`, so base models and other accounts' ARNs keep working untrained.
   */
  resolver(fallback: ModelResolver = resolveModel): ModelResolver {
    return (modelId) => {
      const own = parseOwnArn(modelId);
      if (!own) return fallback(modelId);
      const serve = (model: CustomModel): ModelProfile => ({ ...model.job.base.profile, modelId, trained: model.trained });
      if (own.type === 'provisioned-model') {
        const p = this.find(() => this.serving.getProvisioned(own.id));
        if (p.status !== 'InService') throw new BedrockServiceError('ModelNotReadyException');
        return serve(p.model);
      }
      if (own.type === 'custom-model-deployment') {
        const d = this.find(() => this.serving.getDeployment(own.id));
        if (d.status !== 'Active') throw new BedrockServiceError('ModelNotReadyException');
        return serve(d.model);
      }
      if (own.type === 'custom-model') {
        this.find(() => this.jobs.customModel(modelId));
        throw validationError('The provided model identifier is invalid. A custom model must be invoked through its provisioned throughput or custom model deployment ARN.');
      }
      return fallback(modelId);
    };
  }

  async close(): Promise<void> {
    this.serving.close();
    await this.jobs.close();
    this.s3?.destroy();
  }

  private find<T>(lookup: () => T): T {
    try {
      return lookup();
    } catch {
      throw new BedrockServiceError('ResourceNotFoundException', 'The model identifier does not name a model this account can invoke.');
    }
  }

  private listJobs(query: URLSearchParams) {
    const status = query.get('statusEquals');
    if (status && !JOB_STATUSES.includes(status as JobStatus)) {
      throw invalid(`1 validation error detected: Value '${status}' at 'statusEquals' failed to satisfy constraint: Member must satisfy enum value set: [${JOB_STATUSES.join(', ')}]`);
    }
    const name = query.get('nameContains');
    const jobs = this.jobs
      .list()
      .filter((j) => (!status || j.status === status) && (!name || j.jobName.includes(name)))
      .filter(timeWindow(query, (j) => j.creationTime));
    return page(sortByTime(jobs, (j) => j.creationTime, query), query, 'modelCustomizationJobSummaries', (j) => ({
      jobArn: j.jobArn,
      baseModelArn: j.baseModelArn,
      jobName: j.jobName,
      status: j.status,
      creationTime: j.creationTime.toISOString(),
      lastModifiedTime: j.lastModifiedTime.toISOString(),
      ...(j.endTime ? { endTime: j.endTime.toISOString() } : {}),
      ...(j.outputModelArn ? { customModelArn: j.outputModelArn } : {}),
      customModelName: j.outputModelName,
      customizationType: j.customizationType,
    }));
  }

  private listCustomModels(query: URLSearchParams) {
    const name = query.get('nameContains');
    const base = query.get('baseModelArnEquals');
    const models = this.jobs
      .customModels()
      .filter((m) => (!name || m.modelName.includes(name)) && (!base || m.job.baseModelArn === base))
      .filter(timeWindow(query, (m) => m.creationTime));
    return page(sortByTime(models, (m) => m.creationTime, query), query, 'modelSummaries', (m) => ({
      modelArn: m.modelArn,
      modelName: m.modelName,
      creationTime: m.creationTime.toISOString(),
      baseModelArn: m.job.baseModelArn,
      baseModelName: m.job.base.modelId,
      customizationType: m.job.customizationType,
      ownerAccountId: m.modelArn.split(':')[4],
      modelStatus: 'Active',
    }));
  }
}

function describeJob(j: CustomizationJob) {
  return {
    jobArn: j.jobArn,
    jobName: j.jobName,
    outputModelName: j.outputModelName,
    ...(j.outputModelArn ? { outputModelArn: j.outputModelArn } : {}),
    ...(j.clientRequestToken ? { clientRequestToken: j.clientRequestToken } : {}),
    roleArn: j.roleArn,
    status: j.status,
    ...(j.failureMessage ? { failureMessage: j.failureMessage } : {}),
    creationTime: j.creationTime.toISOString(),
    lastModifiedTime: j.lastModifiedTime.toISOString(),
    ...(j.endTime ? { endTime: j.endTime.toISOString() } : {}),
    baseModelArn: j.baseModelArn,
    hyperParameters: j.hyperParameters,
    trainingDataConfig: j.trainingDataConfig,
    ...(j.validationDataConfig ? { validationDataConfig: j.validationDataConfig } : {}),
    outputDataConfig: j.outputDataConfig,
    customizationType: j.customizationType,
    ...(j.trainingMetrics ? { trainingMetrics: j.trainingMetrics } : {}),
    ...(j.validationMetrics ? { validationMetrics: j.validationMetrics } : {}),
  };
}

function describeCustomModel(m: CustomModel) {
  const j = m.job;
  return {
    modelArn: m.modelArn,
    modelName: m.modelName,
    jobName: j.jobName,
    jobArn: j.jobArn,
    baseModelArn: j.baseModelArn,
    customizationType: j.customizationType,
    hyperParameters: j.hyperParameters,
    trainingDataConfig: j.trainingDataConfig,
    ...(j.validationDataConfig ? { validationDataConfig: j.validationDataConfig } : {}),
    outputDataConfig: j.outputDataConfig,
    ...(j.trainingMetrics ? { trainingMetrics: j.trainingMetrics } : {}),
    ...(j.validationMetrics ? { validationMetrics: j.validationMetrics } : {}),
    creationTime: m.creationTime.toISOString(),
    modelStatus: 'Active',
  };
}

function describeProvisioned(p: ProvisionedModel) {
  return {
    modelUnits: p.modelUnits,
    desiredModelUnits: p.modelUnits,
    provisionedModelName: p.provisionedModelName,
    provisionedModelArn: p.provisionedModelArn,
    modelArn: p.model.modelArn,
    desiredModelArn: p.model.modelArn,
    foundationModelArn: arns.foundationModel(p.model.job.region, p.model.job.base.modelId),
    status: p.status,
    creationTime: p.creationTime.toISOString(),
    lastModifiedTime: p.lastModifiedTime.toISOString(),
    ...(p.commitmentDuration ? { commitmentDuration: p.commitmentDuration } : {}),
  };
}

function timeWindow<T>(query: URLSearchParams, time: (item: T) => Date): (item: T) => boolean {
  const after = query.get('creationTimeAfter');
  const before = query.get('creationTimeBefore');
  return (item) => (!after || time(item) > new Date(after)) && (!before || time(item) < new Date(before));
}

function sortByTime<T>(items: T[], time: (item: T) => Date, query: URLSearchParams): T[] {
  const sortBy = query.get('sortBy');
  if (sortBy && sortBy !== 'CreationTime') throw invalid(`1 validation error detected: Value '${sortBy}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [CreationTime]`);
  const order = query.get('sortOrder') ?? 'Descending';
  if (order !== 'Ascending' && order !== 'Descending') throw invalid(`1 validation error detected: Value '${order}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]`);
  const sign = order === 'Ascending' ? 1 : -1;
  return items.map((item, i) => ({ item, i })).sort((a, b) => sign * (time(a.item).getTime() - time(b.item).getTime() || a.i - b.i)).map((x) => x.item);
}

/** maxResults (1-1000) and an opaque nextToken (the offset, base64url) as Bedrock's list operations page. */
function page<T>(items: T[], query: URLSearchParams, key: string, describe: (item: T) => unknown): Record<string, unknown> {
  const max = query.has('maxResults') ? Number(query.get('maxResults')) : 1000;
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw invalid(`1 validation error detected: Value '${query.get('maxResults')}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000`);
  }
  const token = query.get('nextToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid('The nextToken is invalid.');
  const end = start + max;
  return {
    [key]: items.slice(start, end).map(describe),
    ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}
