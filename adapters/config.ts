/**
 * The only reader of process.env. Read once at cold start so a bad deploy fails there, with a
 * message that names the variable, rather than mid-batch.
 */
import { hyperParameterProblems } from '#domain/refresh/policy.ts';
import { COMPARISON_METRICS, type RefreshSettings } from '#domain/refresh/types.ts';

export type ModelFamily = 'claude3' | 'nova';

export interface Config {
  region: string;
  tableName: string;
  bucketName: string;
  inboundQueueUrl?: string;
  /** Path-style S3 addressing, for S3 emulators that cannot serve bucket subdomains. */
  s3ForcePathStyle: boolean;
  model: { id: string; version: string; family: ModelFamily; maxOutputTokens: number; maxAttempts: number; maxRetrySeconds: number };
  /** USD per 1,000 tokens, for the estimated-cost metric (Claude 3 Haiku on-demand by default). */
  pricing: { inputPer1k: number; outputPer1k: number };
  /** A record is not started with less than this much of the invocation left; it goes back to the queue. */
  minRecordMs: number;
  /** inFlightMs: the ingest function's timeout (CALLNOTES_INGEST_TIMEOUT_SECONDS): how long a message may still be in processing. */
  limits: { maxInlineBytes: number; maxObjectBytes: number; maxInputTokens: number; inFlightMs: number };
  /** Speaker label -> role for channel-separated or diarized transcripts, e.g. {"ch_0":"agent","ch_1":"customer"}. */
  channelRoles?: Record<string, 'agent' | 'customer' | 'other'>;
  retry: { baseSeconds: number; maxSeconds: number };
  /**
   * The model line ingest serves: the champion pointer (pk MODEL#<line>, sk CHAMPION) is read at most
   * once per ttlSeconds per container; with no pointer, `model.id` is served.
   */
  modelPointer: { line: string; ttlSeconds: number };
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`environment variable ${name} is required (see serverless.yml provider.environment)`);
  return value;
}

function optional(env: Env, name: string, fallback: string): string {
  return env[name]?.trim() || fallback;
}

function integer(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`environment variable ${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function decimal(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(`environment variable ${name} must be a number >= 0, got "${raw}"`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = optional(env, name, fallback);
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(`environment variable ${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function channelRoles(env: Env): Config['channelRoles'] {
  const raw = env.CALLNOTES_CHANNEL_ROLES?.trim();
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`environment variable CALLNOTES_CHANNEL_ROLES must be JSON such as {"ch_0":"agent","ch_1":"customer"}, got "${raw}"`);
  }
  const roles = ['agent', 'customer', 'other'];
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((v) => roles.includes(v as string))) {
    throw new ConfigError('environment variable CALLNOTES_CHANNEL_ROLES must map speaker or channel labels to agent, customer or other');
  }
  return parsed as Config['channelRoles'];
}

export function loadConfig(env: Env = process.env): Config {
  const modelId = required(env, 'CALLNOTES_MODEL_ID');
  return {
    region: optional(env, 'AWS_REGION', optional(env, 'AWS_DEFAULT_REGION', 'us-west-2')),
    tableName: required(env, 'CALLNOTES_TABLE'),
    bucketName: required(env, 'CALLNOTES_BUCKET'),
    inboundQueueUrl: env.CALLNOTES_INBOUND_QUEUE_URL?.trim() || undefined,
    s3ForcePathStyle: env.CALLNOTES_S3_FORCE_PATH_STYLE === 'true',
    model: {
      id: modelId,
      version: optional(env, 'CALLNOTES_MODEL_VERSION', 'base'),
      family: oneOf(env, 'CALLNOTES_MODEL_FAMILY', ['claude3', 'nova'] as const, 'claude3'),
      maxOutputTokens: integer(env, 'CALLNOTES_MAX_OUTPUT_TOKENS', 1024, 64),
      maxAttempts: integer(env, 'CALLNOTES_MODEL_MAX_ATTEMPTS', 6, 1),
      maxRetrySeconds: integer(env, 'CALLNOTES_MODEL_RETRY_MAX_SECONDS', 120, 0),
    },
    pricing: { inputPer1k: decimal(env, 'CALLNOTES_PRICE_INPUT_PER_1K', 0.00025), outputPer1k: decimal(env, 'CALLNOTES_PRICE_OUTPUT_PER_1K', 0.00125) },
    minRecordMs: integer(env, 'CALLNOTES_MIN_RECORD_MS', 15_000, 0),
    limits: {
      maxInlineBytes: integer(env, 'CALLNOTES_MAX_INLINE_BYTES', 240_000, 1024),
      maxObjectBytes: integer(env, 'CALLNOTES_MAX_OBJECT_BYTES', 20_000_000, 1024),
      maxInputTokens: integer(env, 'CALLNOTES_MAX_INPUT_TOKENS', 24_000, 500),
      inFlightMs: integer(env, 'CALLNOTES_INGEST_TIMEOUT_SECONDS', 60, 1) * 1000,
    },
    channelRoles: channelRoles(env),
    retry: {
      baseSeconds: integer(env, 'CALLNOTES_RETRY_BASE_SECONDS', 10, 0),
      maxSeconds: integer(env, 'CALLNOTES_RETRY_MAX_SECONDS', 300, 0),
    },
    modelPointer: {
      line: modelLine(env),
      ttlSeconds: integer(env, 'CALLNOTES_MODEL_POINTER_TTL_SECONDS', 60, 0),
    },
  };
}

function modelLine(env: Env): string {
  const line = optional(env, 'CALLNOTES_MODEL_LINE', 'notes');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9-]{0,31}$/.test(line)) throw new ConfigError(`environment variable CALLNOTES_MODEL_LINE must be 1-32 letters, digits or hyphens, got "${line}"`);
  return line;
}

/** Fine-tunable base model per family, as Bedrock names it for customization jobs. */
const DEFAULT_TUNING_BASE: Record<ModelFamily, string> = {
  claude3: 'anthropic.claude-3-haiku-20240307-v1:0:200k',
  nova: 'amazon.nova-micro-v1:0:128k',
};

/** Bedrock's defaults, written out so the registry records what each job ran with. */
const DEFAULT_HYPERPARAMETERS: Record<ModelFamily, Record<string, string>> = {
  claude3: { epochCount: '2', batchSize: '32', learningRateMultiplier: '1' },
  nova: { epochCount: '2', learningRate: '0.00001', learningRateWarmupSteps: '10' },
};

/**
 * The refresh of a model line (functions/refresh.ts, `npm run refresh`):
 * CALLNOTES_MODEL_LINE (notes), CALLNOTES_REFRESH_BASE_MODEL_ID (per family: Claude 3 Haiku 200k or
 * Nova Micro), CALLNOTES_MODEL_FAMILY, CALLNOTES_CUSTOMIZATION_ROLE_ARN (required),
 * CALLNOTES_REFRESH_OUTPUT_URI (s3://<bucket>/model-output/), CALLNOTES_REFRESH_NAME_PREFIX
 * (callnotes), CALLNOTES_REFRESH_MIN_NEW_EXAMPLES (50), CALLNOTES_REFRESH_HYPERPARAMETERS (JSON
 * map of strings; checked against Bedrock's ranges), CALLNOTES_REFRESH_AUTO_PROVISION (false),
 * CALLNOTES_REFRESH_MODEL_UNITS (1), CALLNOTES_REFRESH_METRIC (topicAccuracy),
 * CALLNOTES_REFRESH_MARGIN (0.02), CALLNOTES_REFRESH_EVAL_MAX_RECORDS (200),
 * CALLNOTES_REFRESH_EVAL_CONCURRENCY (4). The serving fallback is CALLNOTES_MODEL_ID / _VERSION.
 */
export function loadRefreshConfig(env: Env = process.env): RefreshSettings {
  const base = loadConfig(env);
  const family = base.model.family;
  let hyperParameters = DEFAULT_HYPERPARAMETERS[family];
  const rawHp = env.CALLNOTES_REFRESH_HYPERPARAMETERS?.trim();
  if (rawHp) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawHp);
    } catch {
      throw new ConfigError(`environment variable CALLNOTES_REFRESH_HYPERPARAMETERS must be a JSON object such as {"epochCount":"2"}, got "${rawHp}"`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('environment variable CALLNOTES_REFRESH_HYPERPARAMETERS must be a JSON object');
    hyperParameters = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  }
  const problems = hyperParameterProblems(family, hyperParameters);
  if (problems.length > 0) throw new ConfigError(`environment variable CALLNOTES_REFRESH_HYPERPARAMETERS: ${problems.join('; ')}`);
  const margin = decimal(env, 'CALLNOTES_REFRESH_MARGIN', 0.02);
  if (margin > 1) throw new ConfigError(`environment variable CALLNOTES_REFRESH_MARGIN must be from 0 to 1, got "${margin}"`);
  const outputS3Uri = optional(env, 'CALLNOTES_REFRESH_OUTPUT_URI', `s3://${base.bucketName}/model-output/`);
  if (!/^s3:\/\/[a-z0-9][-.a-z0-9]{1,61}(\/.*)?$/.test(outputS3Uri)) throw new ConfigError(`environment variable CALLNOTES_REFRESH_OUTPUT_URI must be an s3:// URI, got "${outputS3Uri}"`);
  return {
    line: base.modelPointer.line,
    family,
    baseModelId: optional(env, 'CALLNOTES_REFRESH_BASE_MODEL_ID', DEFAULT_TUNING_BASE[family]),
    servingModelId: base.model.id,
    servingModelVersion: base.model.version,
    roleArn: required(env, 'CALLNOTES_CUSTOMIZATION_ROLE_ARN'),
    outputS3Uri,
    namePrefix: optional(env, 'CALLNOTES_REFRESH_NAME_PREFIX', 'callnotes'),
    minNewExamples: integer(env, 'CALLNOTES_REFRESH_MIN_NEW_EXAMPLES', 50, 1),
    hyperParameters,
    autoProvision: oneOf(env, 'CALLNOTES_REFRESH_AUTO_PROVISION', ['true', 'false'] as const, 'false') === 'true',
    modelUnits: integer(env, 'CALLNOTES_REFRESH_MODEL_UNITS', 1, 1),
    metric: oneOf(env, 'CALLNOTES_REFRESH_METRIC', COMPARISON_METRICS, 'topicAccuracy'),
    margin,
    evalMaxRecords: integer(env, 'CALLNOTES_REFRESH_EVAL_MAX_RECORDS', 200, 1),
    evalConcurrency: integer(env, 'CALLNOTES_REFRESH_EVAL_CONCURRENCY', 4, 1),
  };
}

/** Ports of the offline stack: fixed defaults (README), each overridable; 0 picks a free port. */
export interface LocalStackSettings {
  host: string;
  ports: { sqs: number; dynamodb: number; s3: number; bedrock: number; api: number };
  stage: string;
  stateDir: string;
  /** A folder for the local S3 to keep its objects in as files (CALLNOTES_S3_DIR); unset: in memory. */
  s3Dir?: string;
  /** Log level of the functions run offline: quieter than deployed, so the notes stay readable. */
  functionLogLevel: string;
  /** Environment that serverless.yml's ${env:…} variables read, as `serverless` would. */
  env: Env;
}

export function loadLocalStackSettings(env: Env = process.env): LocalStackSettings {
  return {
    host: optional(env, 'CALLNOTES_HOST', '127.0.0.1'),
    ports: {
      sqs: integer(env, 'CALLNOTES_SQS_PORT', 9324),
      dynamodb: integer(env, 'CALLNOTES_DYNAMODB_PORT', 8000),
      s3: integer(env, 'CALLNOTES_S3_PORT', 4569),
      bedrock: integer(env, 'CALLNOTES_BEDROCK_PORT', 4590),
      api: integer(env, 'CALLNOTES_API_PORT', 3000),
    },
    stage: optional(env, 'CALLNOTES_LOCAL_STAGE', 'local'),
    stateDir: optional(env, 'CALLNOTES_STATE_DIR', '.callnotes'),
    s3Dir: env.CALLNOTES_S3_DIR?.trim() || undefined,
    functionLogLevel: optional(env, 'LOG_LEVEL', 'WARN'),
    env: { ...env },
  };
}

/** Where operator commands (eval, curate, refresh, models, dlq, …) point. */
export interface OperatorSettings {
  /** A deployed stage (CALLNOTES_STAGE); unset means the local stack. */
  stage?: string;
  region?: string;
  stateDir: string;
  modelId?: string;
  env: Env;
}

export function loadOperatorSettings(env: Env = process.env): OperatorSettings {
  return {
    stage: env.CALLNOTES_STAGE?.trim() || undefined,
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined,
    stateDir: optional(env, 'CALLNOTES_STATE_DIR', '.callnotes'),
    modelId: env.CALLNOTES_MODEL_ID?.trim() || undefined,
    env: { ...env },
  };
}

export interface CurationConfig {
  topicCap: number;
  validationFraction: number;
  firstWindowDays: number;
}

/**
 * CALLNOTES_CURATION_TOPIC_CAP (default 200), CALLNOTES_CURATION_VALIDATION_PERCENT (default 10,
 * 0..50), CALLNOTES_CURATION_FIRST_WINDOW_DAYS (default 365: how far back the first window reaches).
 */
export function loadCurationConfig(env: Env = process.env): CurationConfig {
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`environment variable ${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return value;
  };
  return {
    topicCap: integer('CALLNOTES_CURATION_TOPIC_CAP', 200, 1, 1_000_000),
    validationFraction: integer('CALLNOTES_CURATION_VALIDATION_PERCENT', 10, 0, 50) / 100,
    firstWindowDays: integer('CALLNOTES_CURATION_FIRST_WINDOW_DAYS', 365, 1, 36_500),
  };
}

