import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { buildIngestDeps, buildRetryScheduler, loadConfig } from '#adapters/runtime.ts';
import { ingestMessage, type IngestResult } from '#domain/ingest.ts';
import type { IngestDeps } from '#domain/ports.ts';
import { sqsRetryBackoff, type RetryScheduler } from './lib/sqs-retry-backoff.ts';

const logger = new Logger({ serviceName: 'callnotes' });

/** One SQS batch: each record processed alone; a thrown error makes that record a batch item failure. */
export function makeHandler(deps: IngestDeps, retries?: RetryScheduler) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    try {
      const results = await ingestMessage({ messageId: record.messageId, body: record.body }, deps);
      for (const result of results) logResult(record.messageId, result);
      return results;
    } catch (error) {
      logger.error('record failed; it will be retried', { messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount, error: error as Error });
      throw error;
    }
  };
  const lambdaHandler = (event: SQSEvent, context: Context) =>
    processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
  return middy(lambdaHandler)
    .use(injectLambdaContext(logger))
    .use(sqsRetryBackoff({ scheduler: retries, onError: (error) => logger.warn('could not schedule retry', { error: error as Error }) }));
}

function logResult(messageId: string, result: IngestResult): void {
  if (result.status === 'rejected') {
    const { message: detail, ...rest } = result;
    logger.warn('message rejected', { messageId, ...rest, detail });
  } else if (result.status === 'processed') {
    logger.info('call processed', { messageId, callId: result.call.callId, usage: result.call.usage, latencyMs: result.call.latencyMs });
  } else {
    logger.info(`message ${result.status}`, { messageId, ...result });
  }
}

const config = loadConfig();
export const handler = makeHandler(buildIngestDeps(config), buildRetryScheduler(config));
