/**
 * The only reader of process.env. Read once at cold start so a bad deploy fails there, with a
 * message that names the variable, rather than mid-batch.
 */
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
  limits: { maxInlineBytes: number; maxObjectBytes: number; maxInputTokens: number };
  /** Speaker label -> role for channel-separated or diarized transcripts, e.g. {"ch_0":"agent","ch_1":"customer"}. */
  channelRoles?: Record<string, 'agent' | 'customer' | 'other'>;
  retry: { baseSeconds: number; maxSeconds: number };
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
    },
    channelRoles: channelRoles(env),
    retry: {
      baseSeconds: integer(env, 'CALLNOTES_RETRY_BASE_SECONDS', 10, 0),
      maxSeconds: integer(env, 'CALLNOTES_RETRY_MAX_SECONDS', 300, 0),
    },
  };
}

/** Ports of the offline stack: fixed defaults (README), each overridable; 0 picks a free port. */
export interface LocalStackSettings {
  host: string;
  ports: { sqs: number; dynamodb: number; s3: number; bedrock: number; api: number };
  stage: string;
  stateDir: string;
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

