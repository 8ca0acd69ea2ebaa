import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig, loadOperatorSettings, type Config, type OperatorSettings } from '#adapters/config.ts';
import { loadServerlessConfig } from '#local/serverless-config.ts';
import type { LocalStackInfo } from '#local/stack.ts';

/**
 * What an operator command talks to: the running local stack (found through
 * .callnotes/local.json) by default, or a deployed stage when CALLNOTES_STAGE is set.
 */
export interface Target {
  kind: 'local' | 'aws';
  label: string;
  region: string;
  resources: LocalStackInfo['resources'];
  modelId: string;
  /** Environment for SDK clients: endpoints and credentials for the local stack, nothing for AWS. */
  sdkEnv: Record<string, string>;
  local?: LocalStackInfo;
}

export class TargetNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetNotFoundError';
  }
}

export async function findTarget(settings: OperatorSettings = loadOperatorSettings()): Promise<Target | undefined> {
  if (settings.stage) return deployedTarget(settings);
  const file = join(settings.stateDir, 'local.json');
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(readFileSync(file, 'utf8')) as LocalStackInfo;
  if (!(await reachable(`${info.endpoints.bedrock}/_emulator/health`))) return undefined;
  const config = loadServerlessConfig('serverless.yml', { stage: 'local', env: settings.env });
  return {
    kind: 'local',
    label: `local stack (${file})`,
    region: info.region,
    resources: info.resources,
    modelId: settings.modelId ?? config.custom?.model?.id,
    sdkEnv: localSdkEnv(info),
    local: info,
  };
}

/** Like findTarget, but a missing local stack is an error that says how to start one. */
export async function requireTarget(settings?: OperatorSettings): Promise<Target> {
  const target = await findTarget(settings);
  if (!target) {
    throw new TargetNotFoundError(
      'no running callnotes stack found: start one with `npm start` in another terminal (it writes .callnotes/local.json), or set CALLNOTES_STAGE to use a deployed stage',
    );
  }
  return target;
}

/** Points the AWS SDK of this process at the target (clients read AWS_ENDPOINT_URL_*). */
export function useTarget(target: Target): void {
  Object.assign(process.env, target.sdkEnv);
}

export function localSdkEnv(info: LocalStackInfo): Record<string, string> {
  return {
    AWS_REGION: info.region,
    AWS_ACCESS_KEY_ID: info.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: info.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: info.endpoints.sqs,
    AWS_ENDPOINT_URL_DYNAMODB: info.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: info.endpoints.s3,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: info.endpoints.bedrock,
    AWS_ENDPOINT_URL_BEDROCK: info.endpoints.bedrock,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    CALLNOTES_S3_FORCE_PATH_STYLE: 'true',
  };
}

async function deployedTarget(settings: OperatorSettings): Promise<Target> {
  const config = loadServerlessConfig('serverless.yml', { stage: settings.stage!, region: settings.region, env: settings.env });
  const region: string = config.provider.region;
  const names = config.custom.names;
  const sqs = new SQSClient({ region });
  const queueUrl = async (name: string) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
  return {
    kind: 'aws',
    label: `stage ${settings.stage} in ${region}`,
    region,
    resources: { queueUrl: await queueUrl(names.inboundQueue), dlqUrl: await queueUrl(names.inboundDlq), table: names.table, bucket: names.bucket },
    modelId: settings.modelId ?? config.custom.model.id,
    sdkEnv: { AWS_REGION: region },
  };
}

async function reachable(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1500) });
    return response.ok;
  } catch {
    return false;
  }
}

export interface Connection {
  target: Target;
  /** The configuration a function deployed there would read (table, bucket, model). */
  config: Config;
}

/**
 * Finds the target and points the SDK at it. Without a target, says why (naming the command) and
 * returns undefined.
 */
export async function connectTarget(command: string, settings?: OperatorSettings): Promise<Target | undefined> {
  let target: Target;
  try {
    target = await requireTarget(settings);
  } catch (error) {
    if (!(error instanceof TargetNotFoundError)) throw error;
    process.stderr.write(`${command}: ${error.message}\n`);
    return undefined;
  }
  useTarget(target);
  return target;
}

/**
 * What most operator commands start with: connectTarget, and the config the target's functions
 * run with.
 */
export async function connect(command: string, settings?: OperatorSettings): Promise<Connection | undefined> {
  const target = await connectTarget(command, settings);
  if (!target) return undefined;
  const config = loadConfig({
    ...process.env,
    CALLNOTES_TABLE: target.resources.table,
    CALLNOTES_BUCKET: target.resources.bucket,
    CALLNOTES_MODEL_ID: target.modelId,
  });
  return { target, config };
}
