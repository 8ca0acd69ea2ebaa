import { BedrockClient } from '@aws-sdk/client-bedrock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { IngestDeps } from '#domain/ports.ts';
import type { ReviewDeps } from '#domain/review.ts';
import type { RefreshDeps, RefreshMetrics } from '#domain/refresh/ports.ts';
import { BedrockModelCustomization } from './bedrock-customization.ts';
import { BedrockNotesModel, bedrockRuntimeClient, ChampionNotesModel } from './bedrock-notes-model.ts';
import { S3DynamoDbDatasetStore } from './dataset-store.ts';
import { DynamoDbModelRegistry, ModelPointerCache } from './model-registry.ts';
import type { Config } from './config.ts';
import { DynamoDbCallStore } from './dynamodb-call-store.ts';
import { DynamoDbRatingStore } from './dynamodb-rating-store.ts';
import { S3TranscriptStore } from './s3-transcript-store.ts';
import { withoutSdkLogger } from './sdk-logging.ts';
import { SqsRetryScheduler } from './sqs-retry-scheduler.ts';

export { loadConfig } from './config.ts';
import { loadCurationConfig } from './config.ts';
import { buildCurationDeps } from './dataset-store.ts';

/** The real adapters, built once per container. Endpoints come from AWS_ENDPOINT_URL_* when set. */
export function buildIngestDeps(config: Config, hooks: { onThrottle?: () => void; onPointerError?: (error: unknown) => void } = {}): IngestDeps {
  const dynamodb = withoutSdkLogger(new DynamoDBClient({ region: config.region }));
  return {
    model: buildNotesModel(config, dynamodb, hooks),
    calls: new DynamoDbCallStore(config.tableName, dynamodb),
    transcripts: new S3TranscriptStore(config.bucketName, withoutSdkLogger(new S3Client({ region: config.region, forcePathStyle: config.s3ForcePathStyle }))),
    clock: { now: () => new Date() },
    limits: config.limits,
    formats: { channelRoles: config.channelRoles },
  };
}

/**
 * The notes model ingest calls: the champion of the configured model line (the registry pointer,
 * read at most once per CALLNOTES_MODEL_POINTER_TTL_SECONDS), else the configured model.
 */
export function buildNotesModel(
  config: Config,
  dynamodb: DynamoDBClient = new DynamoDBClient({ region: config.region }),
  hooks: { onThrottle?: () => void; onPointerError?: (error: unknown) => void } = {},
): ChampionNotesModel {
  const pointer = new ModelPointerCache(new DynamoDbModelRegistry(config.tableName, dynamodb), {
    line: config.modelPointer.line,
    ttlMs: config.modelPointer.ttlSeconds * 1000,
    onError: hooks.onPointerError,
  });
  return new ChampionNotesModel({
    modelId: config.model.id,
    modelVersion: config.model.version,
    maxOutputTokens: config.model.maxOutputTokens,
    maxAttempts: config.model.maxAttempts,
    maxRetrySeconds: config.model.maxRetrySeconds,
    client: bedrockRuntimeClient({ region: config.region }),
    onThrottle: hooks.onThrottle,
    served: () => pointer.current(),
  });
}

export function buildRetryScheduler(config: Config): SqsRetryScheduler | undefined {
  if (!config.inboundQueueUrl) return undefined;
  return new SqsRetryScheduler(config.inboundQueueUrl, config.retry, withoutSdkLogger(new SQSClient({ region: config.region })));
}

export function buildReviewDeps(config: Config): ReviewDeps {
  const dynamodb = new DynamoDBClient({ region: config.region });
  const s3 = new S3Client({ region: config.region, forcePathStyle: config.s3ForcePathStyle });
  return {
    calls: new DynamoDbCallStore(config.tableName, dynamodb),
    ratings: new DynamoDbRatingStore(config.tableName, dynamodb),
    transcripts: new S3TranscriptStore(config.bucketName, s3),
    clock: { now: () => new Date() },
    curation: buildCurationDeps(config, { dynamodb, s3 }),
    models: {
      registry: buildModelRegistry(config),
      line: { line: config.modelPointer.line, servingModelId: config.model.id, servingModelVersion: config.model.version },
    },
    curationSettings: { family: config.model.family, ...loadCurationConfig() },
  };
}

/** The real adapters for the refresh (function and `npm run refresh`), built once per container. */
export function buildRefreshDeps(config: Config, metrics?: RefreshMetrics): RefreshDeps {
  const dynamodb = new DynamoDBClient({ region: config.region });
  const s3 = new S3Client({ region: config.region, forcePathStyle: config.s3ForcePathStyle });
  const transcripts = new S3TranscriptStore(config.bucketName, s3);
  const runtime = bedrockRuntimeClient({ region: config.region });
  return {
    registry: new DynamoDbModelRegistry(config.tableName, dynamodb),
    customization: new BedrockModelCustomization(new BedrockClient({ region: config.region })),
    datasets: new S3DynamoDbDatasetStore(config.bucketName, config.tableName, { s3, dynamodb }),
    files: { readText: async (uri) => (await transcripts.readObject(uri, 200_000_000)).body },
    models: {
      forModel: (modelId, modelVersion) =>
        new BedrockNotesModel({ modelId, modelVersion, maxOutputTokens: config.model.maxOutputTokens, maxAttempts: config.model.maxAttempts, maxRetrySeconds: config.model.maxRetrySeconds, client: runtime }),
    },
    clock: { now: () => new Date() },
    ...(metrics ? { metrics } : {}),
  };
}

/** The registry alone (operator commands, the API). */
export function buildModelRegistry(config: Config): DynamoDbModelRegistry {
  return new DynamoDbModelRegistry(config.tableName, new DynamoDBClient({ region: config.region }));
}
