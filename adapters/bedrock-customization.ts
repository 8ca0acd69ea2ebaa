import {
  BedrockClient,
  CreateCustomModelDeploymentCommand,
  CreateModelCustomizationJobCommand,
  CreateProvisionedModelThroughputCommand,
  DeleteCustomModelDeploymentCommand,
  DeleteProvisionedModelThroughputCommand,
  GetCustomModelDeploymentCommand,
  GetModelCustomizationJobCommand,
  GetProvisionedModelThroughputCommand,
} from '@aws-sdk/client-bedrock';
import { CustomizationRequestError } from '#domain/refresh/errors.ts';
import type { CustomizationJobRequest, CustomizationJobState, ModelCustomization, ServingRequest } from '#domain/refresh/ports.ts';
import type { ServingKind } from '#domain/refresh/types.ts';

/** Errors that will not pass by retrying the same request; anything else (throttling, 5xx, quota) is thrown as is and the next pass retries. */
const REFUSED = new Set(['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException', 'TooManyTagsException']);

const nameOf = (error: unknown) => (error as { name?: string }).name ?? 'Error';

function refusedOr(error: unknown): unknown {
  return REFUSED.has(nameOf(error)) ? new CustomizationRequestError(nameOf(error), (error as Error).message) : error;
}

/** Bedrock's control plane (model customization, provisioned throughput, custom model deployments) for the refresh. */
export class BedrockModelCustomization implements ModelCustomization {
  readonly #client: BedrockClient;

  constructor(client?: BedrockClient) {
    this.#client = client ?? new BedrockClient({});
  }

  async startJob(request: CustomizationJobRequest): Promise<{ jobArn: string }> {
    try {
      const response = await this.#client.send(
        new CreateModelCustomizationJobCommand({
          jobName: request.jobName,
          customModelName: request.customModelName,
          roleArn: request.roleArn,
          clientRequestToken: request.clientRequestToken,
          baseModelIdentifier: request.baseModelId,
          customizationType: 'FINE_TUNING',
          trainingDataConfig: { s3Uri: request.trainingS3Uri },
          ...(request.validationS3Uri ? { validationDataConfig: { validators: [{ s3Uri: request.validationS3Uri }] } } : {}),
          outputDataConfig: { s3Uri: request.outputS3Uri },
          hyperParameters: request.hyperParameters,
        }),
      );
      return { jobArn: response.jobArn! };
    } catch (error) {
      if (nameOf(error) === 'ConflictException') return this.#sameJob(request, error);
      throw refusedOr(error);
    }
  }

  /** The job name is taken: it is ours when it carries our token (a retry after a lost response). */
  async #sameJob(request: CustomizationJobRequest, conflict: unknown): Promise<{ jobArn: string }> {
    const job = await this.#client.send(new GetModelCustomizationJobCommand({ jobIdentifier: request.jobName }));
    if (job.clientRequestToken === request.clientRequestToken && job.jobArn) return { jobArn: job.jobArn };
    throw new CustomizationRequestError('ConflictException', `a job named ${request.jobName} exists and was not started by this refresh (${(conflict as Error).message})`);
  }

  async getJob(jobArn: string): Promise<CustomizationJobState> {
    const job = await this.#client.send(new GetModelCustomizationJobCommand({ jobIdentifier: jobArn }));
    const validation = job.validationMetrics?.map((m) => m.validationLoss).filter((l): l is number => typeof l === 'number') ?? [];
    return {
      status: (job.status ?? 'InProgress') as CustomizationJobState['status'],
      ...(job.failureMessage ? { failureMessage: job.failureMessage } : {}),
      ...(job.outputModelArn ? { outputModelArn: job.outputModelArn } : {}),
      ...(typeof job.trainingMetrics?.trainingLoss === 'number' ? { trainingLoss: job.trainingMetrics.trainingLoss } : {}),
      ...(validation.length > 0 ? { validationLoss: validation.reduce((a, b) => a + b, 0) / validation.length } : {}),
      ...(job.endTime ? { endTime: job.endTime.toISOString() } : {}),
    };
  }

  async createServing(request: ServingRequest): Promise<{ arn: string }> {
    try {
      if (request.kind === 'provisioned') {
        // No commitment term: hourly, deletable as soon as a candidate is rejected.
        const response = await this.#client.send(
          new CreateProvisionedModelThroughputCommand({
            provisionedModelName: request.name,
            modelId: request.modelArn,
            modelUnits: request.modelUnits,
            clientRequestToken: request.clientRequestToken,
          }),
        );
        return { arn: response.provisionedModelArn! };
      }
      const response = await this.#client.send(
        new CreateCustomModelDeploymentCommand({ modelDeploymentName: request.name, modelArn: request.modelArn, clientRequestToken: request.clientRequestToken }),
      );
      return { arn: response.customModelDeploymentArn! };
    } catch (error) {
      throw refusedOr(error);
    }
  }

  async getServing(kind: ServingKind, arn: string): Promise<{ status: 'creating' | 'ready' | 'failed'; message?: string }> {
    if (kind === 'provisioned') {
      const p = await this.#client.send(new GetProvisionedModelThroughputCommand({ provisionedModelId: arn }));
      if (p.status === 'InService') return { status: 'ready' };
      if (p.status === 'Failed') return { status: 'failed', ...(p.failureMessage ? { message: p.failureMessage } : {}) };
      return { status: 'creating' };
    }
    const d = await this.#client.send(new GetCustomModelDeploymentCommand({ customModelDeploymentIdentifier: arn }));
    if (d.status === 'Active') return { status: 'ready' };
    if (d.status === 'Failed') return { status: 'failed', ...(d.failureMessage ? { message: d.failureMessage } : {}) };
    return { status: 'creating' };
  }

  async deleteServing(kind: ServingKind, arn: string): Promise<void> {
    try {
      if (kind === 'provisioned') await this.#client.send(new DeleteProvisionedModelThroughputCommand({ provisionedModelId: arn }));
      else await this.#client.send(new DeleteCustomModelDeploymentCommand({ customModelDeploymentIdentifier: arn }));
    } catch (error) {
      if (nameOf(error) !== 'ResourceNotFoundException') throw error;
    }
  }
}
