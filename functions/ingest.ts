import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { buildIngestDeps, buildRetryScheduler, loadConfig } from '#adapters/runtime.ts';
import { ingestMessage, oneAtATimePerCall, prefetchCalls, readRecord, type InboundRecord, type IngestResult } from '#domain/ingest.ts';
import type { IngestDeps } from '#domain/ports.ts';
import { CallMetrics } from './lib/call-metrics.ts';
import { sqsRetryBackoff, type RetryScheduler } from './lib/sqs-retry-backoff.ts';
import { remainingTimeBudget } from './lib/time-budget.ts';

const logger = new Logger({ serviceName: 'callnotes' });
const metrics = new Metrics({ serviceName: 'callnotes' });

export interface IngestHandlerOptions {
  retries?: RetryScheduler;
  callMetrics?: CallMetrics;
  /** A record is not started with less than this much time left (it goes back to the queue). */
  minRecordMs?: number;
  /** Told each record's results once it succeeded (default: the offline runner's hook on the context, if any). */
  onResults?: (record: SQSRecord, results: IngestResult[], context: Context) => void;
}

/**
 * The offline runner (local/sqs-event-source.ts) puts this on the context it invokes the handler
 * with, to learn each record's results without reading them back from the table. Lambda's context
 * never has it, so the deployed function behaves the same with or without it.
 */
export interface LocalRunnerContext extends Context {
  callnotesOnResults?: (messageId: string, results: IngestResult[]) => void;
}

const localRunnerHook = (record: SQSRecord, results: IngestResult[], context: Context) =>
  (context as LocalRunnerContext).callnotesOnResults?.(record.messageId, results);

/** One SQS batch: each record processed alone; a thrown error makes that record a batch item failure. */
export function makeHandler(deps: IngestDeps, options: IngestHandlerOptions = {}) {
  const recordHandler = (batchDeps: IngestDeps, read: Map<string, InboundRecord>, inTurn = oneAtATimePerCall(), failed = new Set<string>()) => async (record: SQSRecord, context: Context) => {
    try {
      const inbound = read.get(record.messageId)!; // read holds every record of this event
      // The time budget is taken when the record's turn comes, not when it starts waiting. A copy
      // of a call whose earlier message failed in this batch does not wait for that one's notes.
      const results = await inTurn(inbound, () => ingestMessage(inbound, batchDeps, { deadline: remainingTimeBudget(context, options.minRecordMs ?? 15_000), failed }));
      for (const result of results) options.callMetrics?.record(record.messageId, result);
      (options.onResults ?? localRunnerHook)(record, results, context);
      return results;
    } catch (error) {
      failed.add(record.messageId);
      logger.error('record failed; it will be retried', { messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount, error: error as Error });
      throw error;
    }
  };
  // A processor per invocation: it collects that batch's failures, and the offline runner (unlike
  // Lambda) runs several batches through one module at once.
  const lambdaHandler = async (event: SQSEvent, context: Context) => {
    // Each body decoded once, for the prefetch and for its record.
    const read = new Map(event.Records.map((r) => [r.messageId, readRecord(r.messageId, r.body)]));
    // The batch's calls in one read; if that fails, each record reads its own.
    const batchDeps = await prefetchCalls([...read.values()], deps).catch((error: unknown) => {
      logger.warn('could not read the batch calls at once; reading them one by one', { error: error as Error });
      return deps;
    });
    try {
      return await processPartialResponse(event, recordHandler(batchDeps, read), new BatchProcessor(EventType.SQS), { context, throwOnFullBatchFailure: false });
    } finally {
      options.callMetrics?.publishCounts();
    }
  };
  return middy(lambdaHandler)
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(sqsRetryBackoff({ scheduler: options.retries, onError: (error) => logger.error('could not schedule a retry backoff; the queue visibility timeout applies', { error: error as Error }) }));
}

const config = loadConfig();
const callMetrics = new CallMetrics(metrics, logger, config.pricing);
export const handler = makeHandler(buildIngestDeps(config, { onThrottle: () => callMetrics.throttled() }), {
  retries: buildRetryScheduler(config),
  callMetrics,
  minRecordMs: config.minRecordMs,
});
