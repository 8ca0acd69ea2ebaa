import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface RetryPolicy {
  baseSeconds: number;
  maxSeconds: number;
}

/** Exponential backoff by receive count, with full jitter, capped (SQS allows up to 12 hours). */
export function retryDelaySeconds(receiveCount: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, receiveCount - 1));
  return Math.min(43_200, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}

/**
 * SQS retries a failed record after the queue's visibility timeout, which must be long enough for
 * a whole batch (6x the function timeout). Failed records are made visible sooner, with backoff,
 * so a transient failure is retried in seconds rather than minutes.
 */
export class SqsRetryScheduler {
  constructor(
    private readonly queueUrl: string,
    private readonly policy: RetryPolicy,
    private readonly client: SQSClient = new SQSClient({}),
  ) {}

  async scheduleRetry(receiptHandle: string, receiveCount: number): Promise<number> {
    const delay = retryDelaySeconds(receiveCount, this.policy);
    await this.client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: delay }),
    );
    return delay;
  }
}
