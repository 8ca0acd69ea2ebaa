import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { buildIngestDeps, buildRetryScheduler, loadConfig } from '#adapters/runtime.ts';
import { ingestCall } from '#domain/ingest.ts';
import type { IngestDeps } from '#domain/ports.ts';
import { sqsRetryBackoff, type RetryScheduler } from './lib/sqs-retry-backoff.ts';

const logger = new Logger({ serviceName: 'callnotes' });

/** One SQS batch: each record processed alone; thrown errors become batch item failures. */
export function makeHandler(deps: IngestDeps, retries?: RetryScheduler) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    const result = await ingestCall({ messageId: record.messageId, body: record.body }, deps);
    if (result.status === 'rejected') {
      const { message: detail, ...rest } = result;
      logger.warn('message rejected', { messageId: record.messageId, ...rest, detail });
    }
    else logger.info(`call ${result.status}`, { callId: result.status === 'processed' ? result.call.callId : result.callId });
    return result;
  };
  const lambdaHandler = (event: SQSEvent, context: import('aws-lambda').Context) =>
    processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
  return middy(lambdaHandler)
    .use(injectLambdaContext(logger))
    .use(sqsRetryBackoff({ scheduler: retries, onError: (error) => logger.warn('could not schedule retry', { error }) }));
}

const config = loadConfig();
export const handler = makeHandler(buildIngestDeps(config), buildRetryScheduler(config));
