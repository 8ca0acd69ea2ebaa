import { DeleteMessageBatchCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startIngestPipeline, type CallOutcome } from '#local/pipeline.ts';
import type { FaultConfig } from '#local/bedrock/faults.ts';
import { queueDepth, receiveBatch } from '#local/sqs-event-source.ts';
import type { LocalStack } from '#local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';
import { every, say } from './progress.ts';

/** The ingest event source settings of serverless.yml, as the pipeline reads them. */
export function eventSourceSettings(stack: LocalStack): { batchSize: number; maximumConcurrency: number; maximumBatchingWindowSeconds: number } {
  const sqs = stack.config.functions.ingest.events.find((e: any) => e.sqs).sqs;
  return {
    batchSize: Number(sqs.batchSize ?? 10),
    maximumConcurrency: Number(sqs.maximumConcurrency ?? 2),
    maximumBatchingWindowSeconds: Number(sqs.maximumBatchingWindow ?? 0),
  };
}

export async function startBenchStack(faults?: Partial<FaultConfig>): Promise<LocalStack> {
  return startTestStack(faults ? { faults } : {});
}

/** Sends bodies to the queue, 10 a request, a few requests at once. */
export async function sendBodies(stack: LocalStack, queueUrl: string, bodies: string[]): Promise<void> {
  const chunks: string[][] = [];
  for (let i = 0; i < bodies.length; i += 10) chunks.push(bodies.slice(i, i + 10));
  let next = 0;
  const sender = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      const { Failed = [] } = await stack.clients.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((body, j) => ({ Id: String(j), MessageBody: body })) }),
      );
      if (Failed.length > 0) throw new Error(`could not send ${Failed.length} message(s): ${Failed[0]!.Message}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, sender));
}

export interface RunFigures {
  calls: number;
  seconds: number;
  callsPerSecond: number;
}

/**
 * The floor: the same SQS receive and delete as the event source (same batch size, batching
 * window and number of pollers) plus one DynamoDB write per message, and nothing else.
 */
export async function runFloor(stack: LocalStack, bodies: string[], label: string): Promise<RunFigures> {
  const { batchSize, maximumConcurrency, maximumBatchingWindowSeconds } = eventSourceSettings(stack);
  const queueUrl = stack.resources.queueUrl;
  // The floor counts every message it receives as its own: one left by the run before would inflate it.
  const left = await queueDepth(stack.clients.sqs, queueUrl);
  if (left > 0) throw new Error(`${label}: the queue still holds ${left} message(s) from the run before; the floor would count them as its own`);
  let done = 0;
  let running = true;
  const receive = () => receiveBatch(stack.clients.sqs, { queueUrl, batchSize, maximumBatchingWindowSeconds }, { running: () => running });
  const poller = async () => {
    while (running) {
      const batch = await receive();
      if (batch.length === 0) continue;
      await Promise.all(
        batch.map((m) =>
          stack.clients.dynamodb.send(
            new PutItemCommand({
              TableName: stack.resources.table,
              Item: { pk: { S: `FLOOR#${m.MessageId}` }, sk: { S: 'FLOOR' }, body: { S: m.Body ?? '' } },
            }),
          ),
        ),
      );
      await stack.clients.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
      done += batch.length;
    }
  };
  const started = performance.now();
  const pollers = Array.from({ length: maximumConcurrency }, poller);
  const stopReport = every(5000, () => say(`${label}: ${done}/${bodies.length} messages`));
  await sendBodies(stack, queueUrl, bodies);
  while (done < bodies.length) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - started) / 1000;
  stopReport();
  running = false;
  await Promise.all(pollers);
  return { calls: bodies.length, seconds, callsPerSecond: bodies.length / seconds };
}

export interface PipelineFigures extends RunFigures {
  processed: number;
  rejected: number;
  deadLettered: number;
  missing: number;
  inputTokens: number;
  outputTokens: number;
  modelCalls: number;
  batches: number;
  failedRecords: number;
  /** CPU of the function's worker thread per call (its SDK clients and our code, no emulator), if known. */
  functionCpuMsPerCall?: number;
  /** Share of the run's wall time the function's thread was on a CPU, if known. */
  functionThreadBusy?: number;
}

export interface BenchPipeline {
  run(bodies: string[], label: string, timeoutMs?: number): Promise<PipelineFigures>;
  stop(): Promise<void>;
}

/**
 * The real ingest pipeline (startIngestPipeline: serverless.yml's function, environment and event
 * source) on the stack; each run sends bodies and waits until every one has an outcome.
 */
export async function startBenchPipeline(stack: LocalStack, env: Record<string, string> = {}): Promise<BenchPipeline> {
  let outcomes: CallOutcome[] = [];
  let batches = 0;
  let failedRecords = 0;
  const pipeline = await startIngestPipeline(stack, {
    env: { LOG_LEVEL: 'ERROR', CALLNOTES_RETRY_BASE_SECONDS: '1', ...env },
    onOutcome: (o) => outcomes.push(o),
    onBatch: (b) => {
      batches += 1;
      failedRecords += b.failedIds.length;
    },
  });
  return {
    async run(bodies, label, timeoutMs = 600_000) {
      outcomes = [];
      batches = 0;
      failedRecords = 0;
      const functionCpuBefore = await pipeline.functionCpuMs();
      const started = performance.now();
      const stopReport = every(5000, () => say(`${label}: ${outcomes.length}/${bodies.length} calls`));
      await sendBodies(stack, stack.resources.queueUrl, bodies);
      const deadline = Date.now() + timeoutMs;
      while (outcomes.length < bodies.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const seconds = (performance.now() - started) / 1000;
      const functionCpuAfter = await pipeline.functionCpuMs();
      const functionCpuMs = functionCpuBefore !== undefined && functionCpuAfter !== undefined ? functionCpuAfter - functionCpuBefore : undefined;
      stopReport();
      const processed = outcomes.filter((o): o is Extract<CallOutcome, { status: 'processed' }> => o.status === 'processed');
      const sum = (f: (o: (typeof processed)[number]) => number) => processed.reduce((s, o) => s + f(o), 0);
      return {
        calls: bodies.length,
        seconds,
        callsPerSecond: outcomes.length / seconds,
        processed: processed.length,
        rejected: outcomes.filter((o) => o.status === 'rejected').length,
        deadLettered: outcomes.filter((o) => o.status === 'dead-lettered').length,
        missing: bodies.length - outcomes.length,
        inputTokens: sum((o) => o.call.usage.inputTokens),
        outputTokens: sum((o) => o.call.usage.outputTokens),
        modelCalls: sum((o) => o.call.usage.modelCalls),
        batches,
        failedRecords,
        ...(functionCpuMs !== undefined ? { functionCpuMsPerCall: functionCpuMs / bodies.length, functionThreadBusy: functionCpuMs / (seconds * 1000) } : {}),
      };
    },
    async stop() {
      await pipeline.stop();
      // A stopped poller's long poll is aborted on our side only: the emulator may still hand it
      // messages sent within its wait time (1 s), and they would stay invisible for the visibility timeout.
      await new Promise((r) => setTimeout(r, 1500));
    },
  };
}
