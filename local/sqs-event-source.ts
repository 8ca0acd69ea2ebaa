import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  functionName: string;
  timeoutSeconds: number;
  memorySize?: number;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  maximumConcurrency: number;
  reportBatchItemFailures: boolean;
  handler: SqsHandler;
  onBatch?: (outcome: BatchOutcome) => void;
  /**
   * Offer the handler a hook on its context (`callnotesOnResults`, see functions/ingest.ts) to
   * report each record's results, passed on in BatchOutcome.results. Lambda has no such thing; a
   * handler that ignores it is unaffected.
   */
  collectResults?: boolean;
}

export interface BatchOutcome {
  records: SQSRecord[];
  failedIds: string[];
  error?: unknown;
  /** With collectResults: what the handler reported for each record (by messageId), if it did. */
  results?: Record<string, unknown[]>;
}

/**
 * Lambda's SQS event source mapping, in-process: polls with up to maximumConcurrency pollers,
 * batches up to batchSize (waiting up to the batching window), invokes the handler with a
 * Lambda-shaped event and context under the function timeout, deletes what succeeded, and leaves
 * failed records for SQS to redeliver (and, after maxReceiveCount, to move to the DLQ).
 */
export class SqsEventSource {
  #running = false;
  #workers: Promise<void>[] = [];
  #abort = new AbortController();

  constructor(private readonly options: SqsEventSourceOptions) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#workers = Array.from({ length: Math.max(1, this.options.maximumConcurrency) }, () => this.#poll());
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    await Promise.allSettled(this.#workers);
  }

  async #poll(): Promise<void> {
    while (this.#running) {
      try {
        const messages = await this.#receiveBatch();
        if (messages.length > 0) await this.#invoke(messages);
      } catch (error) {
        if (!this.#running) return;
        process.stderr.write(`[event source] ${this.options.functionName}: ${(error as Error).message}\n`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  #receiveBatch(): Promise<Message[]> {
    const { sqs, queueUrl, batchSize, maximumBatchingWindowSeconds } = this.options;
    return receiveBatch(sqs, { queueUrl, batchSize, maximumBatchingWindowSeconds }, { signal: this.#abort.signal, running: () => this.#running });
  }

  async #invoke(messages: Message[]): Promise<void> {
    const { functionName, timeoutSeconds, handler, onBatch } = this.options;
    const records = messages.map((m) => this.#toRecord(m));
    const started = Date.now();
    const context = lambdaContext(functionName, this.options.region, this.options.memorySize ?? 1024, () => timeoutSeconds * 1000 - (Date.now() - started));
    let results: Record<string, unknown[]> | undefined;
    if (this.options.collectResults) {
      results = {};
      const collected = results;
      (context as Context & { callnotesOnResults?: (messageId: string, r: unknown[]) => void }).callnotesOnResults = (messageId, r) => {
        collected[messageId] = r;
      };
    }
    let failedIds: string[];
    let error: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Task timed out after ${timeoutSeconds}.00 seconds`)), timeoutSeconds * 1000);
      });
      const response = await Promise.race([handler({ Records: records }, context), timeout]);
      failedIds = this.#failures(response, records);
    } catch (caught) {
      error = caught;
      failedIds = records.map((r) => r.messageId);
    } finally {
      clearTimeout(timer);
    }
    const succeeded = messages.filter((m) => !failedIds.includes(m.MessageId!));
    if (succeeded.length > 0) {
      await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: succeeded.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    onBatch?.(results ? { records, failedIds, error, results } : { records, failedIds, error });
  }

  /** Lambda's rules: an unknown or empty itemIdentifier fails the whole batch. */
  #failures(response: SQSBatchResponse | void, records: SQSRecord[]): string[] {
    if (!this.options.reportBatchItemFailures || !response?.batchItemFailures) return [];
    const ids = new Set(records.map((r) => r.messageId));
    const failed = response.batchItemFailures.map((f) => f.itemIdentifier);
    return failed.every((id) => id && ids.has(id)) ? failed : [...ids];
  }

  #toRecord(message: Message): SQSRecord {
    const a = message.Attributes ?? {};
    return {
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
        SentTimestamp: a.SentTimestamp ?? String(Date.now()),
        SenderId: a.SenderId ?? 'AIDALOCALSTACK',
        ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          { dataType: v.DataType!, stringValue: v.StringValue, binaryValue: v.BinaryValue ? Buffer.from(v.BinaryValue).toString('base64') : undefined, stringListValues: [], binaryListValues: [] },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.region,
    };
  }
}

export function lambdaContext(functionName: string, region: string, memorySize: number, remaining: () => number): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, remaining()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export interface BatchSettings {
  queueUrl: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
}

/**
 * One batch as Lambda's poller gathers it: long-poll for the first message, then keep receiving
 * until the batch is full, the queue is empty, or the batching window has passed.
 */
export async function receiveBatch(
  sqs: SQSClient,
  settings: BatchSettings,
  control: { signal?: AbortSignal; running?: () => boolean } = {},
): Promise<Message[]> {
  const { queueUrl, batchSize, maximumBatchingWindowSeconds } = settings;
  const running = control.running ?? (() => true);
  const deadline = Date.now() + maximumBatchingWindowSeconds * 1000;
  const batch: Message[] = [];
  do {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, batchSize - batch.length),
        WaitTimeSeconds: batch.length === 0 ? 1 : 0,
        MessageSystemAttributeNames: ['All'],
        // Older emulators read only the deprecated name; AWS accepts both.
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: control.signal },
    );
    batch.push(...Messages);
    if (Messages.length === 0 && batch.length > 0) break;
  } while (running() && batch.length > 0 && batch.length < batchSize && Date.now() < deadline);
  return batch;
}

/** Messages on the queue: visible, in flight and delayed (0 only when nothing is left to do). */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
}
