import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { IngestDeps } from '#domain/ports.ts';
import type { ReviewDeps } from '#domain/review.ts';
import { BedrockNotesModel } from './bedrock-notes-model.ts';
import type { Config } from './config.ts';
import { DynamoDbCallStore } from './dynamodb-call-store.ts';
import { DynamoDbRatingStore } from './dynamodb-rating-store.ts';
import { S3TranscriptStore } from './s3-transcript-store.ts';
import { SqsRetryScheduler } from './sqs-retry-scheduler.ts';

export { loadConfig } from './config.ts';
import { loadCurationConfig } from './config.ts';
import { buildCurationDeps } from './dataset-store.ts';

/** The real adapters, built once per container. Endpoints come from AWS_ENDPOINT_URL_* when set. */
export function buildIngestDeps(config: Config, hooks: { onThrottle?: () => void } = {}): IngestDeps {
  return {
    model: new BedrockNotesModel({
      modelId: config.model.id,
      modelVersion: config.model.version,
      maxOutputTokens: config.model.maxOutputTokens,
      maxAttempts: config.model.maxAttempts,
      maxRetrySeconds: config.model.maxRetrySeconds,
      client: new BedrockRuntimeClient({ region: config.region, maxAttempts: 1 }),
      onThrottle: hooks.onThrottle,
    }),
    calls: new DynamoDbCallStore(config.tableName, new DynamoDBClient({ region: config.region })),
    transcripts: new S3TranscriptStore(config.bucketName, new S3Client({ region: config.region, forcePathStyle: config.s3ForcePathStyle })),
    clock: { now: () => new Date() },
    limits: config.limits,
    formats: { channelRoles: config.channelRoles },
  };
}

export function buildRetryScheduler(config: Config): SqsRetryScheduler | undefined {
  if (!config.inboundQueueUrl) return undefined;
  return new SqsRetryScheduler(config.inboundQueueUrl, config.retry, new SQSClient({ region: config.region }));
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
    curationSettings: { family: config.model.family, ...loadCurationConfig() },
  };
}
