import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { DynamoDbCallStore } from '#adapters/dynamodb-call-store.ts';
import { S3TranscriptStore } from '#adapters/s3-transcript-store.ts';
import { classifyInbound, decodeS3Key, messageForObject, salvageIds } from '#domain/inbound.ts';
import type { CallNotes } from '#domain/notes.ts';
import type { StoredCall } from '#domain/ports.ts';
import { loadFunctionHandler } from './functions.ts';
import { SqsEventSource, type BatchOutcome, type SqsHandler } from './sqs-event-source.ts';
import type { LocalStack } from './stack.ts';

export type CallOutcome =
  | { messageId: string; callId: string; status: 'processed'; notes: CallNotes; call: StoredCall }
  | { messageId: string; callId?: string; status: 'rejected'; reason: string; field: string; message: string }
  | { messageId: string; callId?: string; status: 'dead-lettered'; reason: string; receiveCount: number };

export interface IngestPipeline {
  readonly maxReceiveCount: number;
  send(bodies: string[]): Promise<string[]>;
  waitFor(messageIds: string[], timeoutMs: number): Promise<Map<string, CallOutcome>>;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  /** Extra function environment (e.g. a shorter retry backoff for demonstrations). */
  env?: Record<string, string>;
  onOutcome?: (outcome: CallOutcome) => void;
  /** Every invocation of the function: its records and which of them it reported as failed. */
  onBatch?: (batch: BatchOutcome) => void;
}

/**
 * Runs the ingest function of serverless.yml on the local stack as Lambda would: its declared
 * environment, its handler module, and its SQS event source settings.
 */
export async function startIngestPipeline(stack: LocalStack, options: PipelineOptions = {}): Promise<IngestPipeline> {
  const fn = stack.config.functions.ingest;
  const sqsEvent = fn.events.find((e: any) => e.sqs).sqs;
  const inboundId = sqsEvent.arn['Fn::GetAtt'][0];
  const inbound = stack.declared.get(inboundId)!;
  const maxReceiveCount = Number(stack.config.resources.Resources[inboundId].Properties?.RedrivePolicy?.maxReceiveCount ?? Infinity);

  const handler = await loadFunctionHandler<SqsHandler>(stack.config, 'ingest', { ...stack.functionEnv('ingest'), ...options.env });
  const store = new DynamoDbCallStore(stack.resources.table, stack.clients.dynamodb);
  const outcomes = new Map<string, CallOutcome>();
  const waiters = new Set<() => void>();

  const record = (outcome: CallOutcome) => {
    outcomes.set(outcome.messageId, outcome);
    options.onOutcome?.(outcome);
    for (const wake of waiters) wake();
  };

  const transcripts = new S3TranscriptStore(stack.resources.bucket, stack.clients.s3);
  const settle = async (r: SQSRecord, failed: boolean, error: unknown) => {
    const callId = await callIdOf(r.body, transcripts);
    if (failed) {
      const receiveCount = Number(r.attributes.ApproximateReceiveCount);
      if (receiveCount >= maxReceiveCount) {
        const reason = error ? (error as Error).message : 'processing failed on every receive; see the ingest log';
        record({ messageId: r.messageId, callId, status: 'dead-lettered', reason, receiveCount });
      }
      return;
    }
    const rejection = await store.findRejection(r.messageId, callId);
    if (rejection) {
      record({ messageId: r.messageId, callId, status: 'rejected', reason: rejection.reason, field: rejection.field, message: rejection.message });
      return;
    }
    const call = callId ? await store.getCall(callId) : undefined;
    if (call) record({ messageId: r.messageId, callId: call.callId, status: 'processed', notes: call.notes, call });
  };

  const source = new SqsEventSource({
    sqs: stack.clients.sqs,
    queueUrl: inbound.ref,
    queueArn: inbound.arn,
    region: stack.region,
    functionName: `${stack.config.service}-local-ingest`,
    timeoutSeconds: Number(fn.timeout ?? stack.config.provider.timeout ?? 6),
    memorySize: Number(fn.memorySize ?? 1024),
    batchSize: Number(sqsEvent.batchSize ?? 10),
    maximumBatchingWindowSeconds: Number(sqsEvent.maximumBatchingWindow ?? 0),
    maximumConcurrency: Number(sqsEvent.maximumConcurrency ?? 2),
    reportBatchItemFailures: sqsEvent.functionResponseType === 'ReportBatchItemFailures',
    handler,
    onBatch: (batch) => {
      options.onBatch?.(batch);
      const { records, failedIds, error } = batch;
      const failed = new Set(failedIds);
      void Promise.all(records.map((r) => settle(r, failed.has(r.messageId), error))).catch((e) =>
        process.stderr.write(`[pipeline] could not read the outcome: ${(e as Error).message}\n`),
      );
    },
  });
  source.start();

  return {
    maxReceiveCount,
    async send(bodies) {
      const ids: string[] = [];
      for (let i = 0; i < bodies.length; i += 10) {
        const chunk = bodies.slice(i, i + 10);
        const { Successful = [], Failed = [] } = await stack.clients.sqs.send(
          new SendMessageBatchCommand({ QueueUrl: inbound.ref, Entries: chunk.map((body, j) => ({ Id: String(j), MessageBody: body })) }),
        );
        if (Failed.length > 0) throw new Error(`could not send ${Failed.length} message(s): ${Failed[0]!.Message}`);
        ids.push(...Successful.sort((a, b) => Number(a.Id) - Number(b.Id)).map((s) => s.MessageId!));
      }
      return ids;
    },
    async waitFor(messageIds, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (messageIds.some((id) => !outcomes.has(id)) && Date.now() < deadline) {
        await new Promise<void>((wake) => {
          const timer = setTimeout(done, 250);
          function done() {
            clearTimeout(timer);
            waiters.delete(done);
            wake();
          }
          waiters.add(done);
        });
      }
      return new Map(messageIds.filter((id) => outcomes.has(id)).map((id) => [id, outcomes.get(id)!]));
    },
    stop: () => source.stop(),
  };
}

/** The call a message is about: its callId, or for an S3 notification the call its (first) object makes. */
async function callIdOf(body: string, transcripts: S3TranscriptStore): Promise<string | undefined> {
  try {
    const inbound = classifyInbound(body);
    if (inbound.kind === 's3-notification') {
      const object = inbound.notification.Records[0]!;
      const key = decodeS3Key(object.s3.object.key);
      const document = await transcripts.readObject(`s3://${object.s3.bucket.name}/${key}`, Number.MAX_SAFE_INTEGER);
      return messageForObject({ bucket: object.s3.bucket.name, key, eventTime: object.eventTime }, document).callId;
    }
    const id = (JSON.parse(body) as { callId?: unknown }).callId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return salvageIds(body).callId;
  }
}
