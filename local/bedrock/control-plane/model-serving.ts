import { arns, newResourceId } from './arns.ts';
import type { CustomModel, CustomizationJobs } from './customization-jobs.ts';
import { conflict, invalid, notFound } from './errors.ts';

export type ProvisionedStatus = 'Creating' | 'InService' | 'Updating' | 'Failed';
export type DeploymentStatus = 'Creating' | 'Active' | 'Failed';

export interface ProvisionedModel {
  id: string;
  provisionedModelArn: string;
  provisionedModelName: string;
  modelUnits: number;
  model: CustomModel;
  commitmentDuration: 'OneMonth' | 'SixMonths' | undefined;
  clientRequestToken: string | undefined;
  status: ProvisionedStatus;
  creationTime: Date;
  lastModifiedTime: Date;
}

export interface CustomModelDeployment {
  id: string;
  customModelDeploymentArn: string;
  modelDeploymentName: string;
  description: string | undefined;
  model: CustomModel;
  clientRequestToken: string | undefined;
  status: DeploymentStatus;
  createdAt: Date;
  lastUpdatedAt: Date;
}

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9_.])*$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * How custom models are served: provisioned throughput (Claude and Nova custom models) and on-demand
 * custom model deployments (Nova only). Both start Creating and become ready after `readyAfterMs`.
 */
export class ModelServing {
  private readonly provisioned = new Map<string, ProvisionedModel>();
  private readonly deployments = new Map<string, CustomModelDeployment>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly jobs: CustomizationJobs,
    private readonly readyAfterMs: number,
  ) {}

  createProvisioned(body: unknown, region: string): { provisionedModelArn: string } {
    if (!isObject(body)) throw invalid('The request body must be a JSON object.');
    const token = typeof body.clientRequestToken === 'string' ? body.clientRequestToken : undefined;
    const same = token ? [...this.provisioned.values()].find((p) => p.clientRequestToken === token) : undefined;
    if (same) return { provisionedModelArn: same.provisionedModelArn };
    const { modelUnits, provisionedModelName, modelId, commitmentDuration } = body;
    if (typeof modelUnits !== 'number' || !Number.isInteger(modelUnits) || modelUnits < 1) {
      throw invalid(`1 validation error detected: Value '${String(modelUnits)}' at 'modelUnits' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    }
    const name = requiredName(provisionedModelName, 'provisionedModelName');
    if (typeof modelId !== 'string' || !modelId) throw invalid("1 validation error detected: Value null at 'modelId' failed to satisfy constraint: Member must not be null");
    if (commitmentDuration !== undefined && commitmentDuration !== 'OneMonth' && commitmentDuration !== 'SixMonths') {
      throw invalid(`1 validation error detected: Value '${String(commitmentDuration)}' at 'commitmentDuration' failed to satisfy constraint: Member must satisfy enum value set: [SixMonths, OneMonth]`);
    }
    const model = this.jobs.customModel(modelId);
    if ([...this.provisioned.values()].some((p) => p.provisionedModelName === name)) throw conflict(`A provisioned model with the name ${name} already exists.`);
    const id = newResourceId();
    const now = new Date();
    const entry: ProvisionedModel = {
      id,
      provisionedModelArn: arns.provisionedModel(region, id),
      provisionedModelName: name,
      modelUnits,
      model,
      commitmentDuration: commitmentDuration as ProvisionedModel['commitmentDuration'],
      clientRequestToken: token,
      status: 'Creating',
      creationTime: now,
      lastModifiedTime: now,
    };
    this.provisioned.set(id, entry);
    this.later(() => {
      if (this.provisioned.get(id) !== entry) return;
      entry.status = 'InService';
      entry.lastModifiedTime = new Date();
    });
    return { provisionedModelArn: entry.provisionedModelArn };
  }

  getProvisioned(identifier: string): ProvisionedModel {
    const found = this.provisioned.get(identifier.slice(identifier.lastIndexOf('/') + 1)) ?? [...this.provisioned.values()].find((p) => p.provisionedModelName === identifier);
    if (!found) throw notFound(`Could not find the provisioned model ${identifier}.`);
    return found;
  }

  listProvisioned(): ProvisionedModel[] {
    return [...this.provisioned.values()];
  }

  deleteProvisioned(identifier: string): void {
    this.provisioned.delete(this.getProvisioned(identifier).id);
  }

  createDeployment(body: unknown, region: string): { customModelDeploymentArn: string } {
    if (!isObject(body)) throw invalid('The request body must be a JSON object.');
    const token = typeof body.clientRequestToken === 'string' ? body.clientRequestToken : undefined;
    const same = token ? [...this.deployments.values()].find((d) => d.clientRequestToken === token) : undefined;
    if (same) return { customModelDeploymentArn: same.customModelDeploymentArn };
    const name = requiredName(body.modelDeploymentName, 'modelDeploymentName');
    if (typeof body.modelArn !== 'string' || !body.modelArn) throw invalid("1 validation error detected: Value null at 'modelArn' failed to satisfy constraint: Member must not be null");
    const model = this.jobs.customModel(body.modelArn);
    if (model.job.base.family !== 'nova') {
      throw invalid(`On-demand deployment is not supported for custom models of ${model.job.base.modelId}; purchase provisioned throughput instead.`);
    }
    if ([...this.deployments.values()].some((d) => d.modelDeploymentName === name)) throw conflict(`A custom model deployment with the name ${name} already exists.`);
    const id = newResourceId();
    const now = new Date();
    const entry: CustomModelDeployment = {
      id,
      customModelDeploymentArn: arns.deployment(region, id),
      modelDeploymentName: name,
      description: typeof body.description === 'string' ? body.description : undefined,
      model,
      clientRequestToken: token,
      status: 'Creating',
      createdAt: now,
      lastUpdatedAt: now,
    };
    this.deployments.set(id, entry);
    this.later(() => {
      if (this.deployments.get(id) !== entry) return;
      entry.status = 'Active';
      entry.lastUpdatedAt = new Date();
    });
    return { customModelDeploymentArn: entry.customModelDeploymentArn };
  }

  getDeployment(identifier: string): CustomModelDeployment {
    const found = this.deployments.get(identifier.slice(identifier.lastIndexOf('/') + 1)) ?? [...this.deployments.values()].find((d) => d.modelDeploymentName === identifier);
    if (!found) throw notFound(`Could not find the custom model deployment ${identifier}.`);
    return found;
  }

  deleteDeployment(identifier: string): void {
    this.deployments.delete(this.getDeployment(identifier).id);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.readyAfterMs);
    this.timers.add(timer);
  }
}

function requiredName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 63 || !NAME.test(value)) {
    throw invalid(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME.source} and have length between 1 and 63`);
  }
  return value;
}
