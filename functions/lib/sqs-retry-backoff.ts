import type { MiddlewareObj } from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface RetryScheduler {
  scheduleRetry(receiptHandle: string, receiveCount: number): Promise<number>;
}

export interface SqsRetryBackoffOptions {
  scheduler?: RetryScheduler;
  onError?: (error: unknown) => void;
}

/**
 * Gives each record reported in batchItemFailures a backoff delay before SQS delivers it again.
 * Best effort: if the visibility change fails, the queue's own visibility timeout still applies.
 */
export const sqsRetryBackoff = (opts: SqsRetryBackoffOptions = {}): MiddlewareObj<SQSEvent, SQSBatchResponse> => ({
  after: async (request) => {
    const { scheduler, onError = () => {} } = opts;
    const failures = request.response?.batchItemFailures ?? [];
    if (!scheduler || failures.length === 0) return;
    const failed = new Set(failures.map((f) => f.itemIdentifier));
    await Promise.all(
      request.event.Records.filter((r) => failed.has(r.messageId)).map((r) =>
        scheduler.scheduleRetry(r.receiptHandle, Number(r.attributes.ApproximateReceiveCount) || 1).catch(onError),
      ),
    );
  },
});
