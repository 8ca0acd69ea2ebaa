import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { DynamoDbCallStore } from '#adapters/dynamodb-call-store.ts';
import { S3TranscriptStore } from '#adapters/s3-transcript-store.ts';
import { classifyInbound, decodeS3Key, messageForObject, salvageIds } from '#domain/inbound.ts';
import type { IngestResult } from '#domain/ingest.ts';
import type { CallNotes } from '#domain/notes.ts';
import type { StoredCall } from '#domain/ports.ts';
import type { FunctionWorkerData, MainMessage, WireError, WorkerMessage } from './function-worker.ts';
import { loadFunctionHandler } from './functions.ts';
import { SqsEventSource, type BatchOutcome, type SqsEventSourceOptions, type SqsHandler } from './sqs-event-source.ts';
import type { LocalStack } from './stack.ts';

export type CallOutcome =
  | { messageId: string; callId: string; status: 'processed'; notes: CallNotes; call: StoredCall }
  | { messageId: string; callId?: string; status: 'rejected'; reason: string; field: string; message: string }
  | { messageId: string; callId?: string; status: 'dead-lettered'; reason: string; receiveCount: number };

export interface IngestPipeline {
  readonly maxReceiveCount: number;
  send(bodies: string[]): Promise<string[]>;
  waitFor(messageIds: string[], timeoutMs: number): Promise<Map<string, CallOutcome>>;
  /**
   * CPU time (ms) the function's worker threads have used so far, apart from the emulators and
   * everything else on this thread (`npm run bench` splits a call's CPU with it). Undefined when
   * the function runs on this thread, or on a Node.js without Worker.cpuUsage (before 22.19).
   */
  functionCpuMs(): Promise<number | undefined>;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  /** Extra function environment (e.g. a shorter retry backoff for demonstrations). */
  env?: Record<string, string>;
  onOutcome?: (outcome: CallOutcome) => void;
  /** Every invocation of the function: its records and which of them it reported as failed. */
  onBatch?: (batch: BatchOutcome) => void;
  /**
   * Worker threads to run the function in (its module, with its environment, and the event source
   * pollers, split between them), as Lambda runs it apart from the services it calls; the emulators
   * stay on this thread. 0 runs it on this thread. Default: CALLNOTES_INGEST_WORKERS, else 1.
   */
  workers?: number;
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

  const env = { ...stack.functionEnv('ingest'), ...options.env };
  const store = new DynamoDbCallStore(stack.resources.table, stack.clients.dynamodb);
  const outcomes = new Map<string, CallOutcome>();
  const waiters = new Set<() => void>();

  const record = (outcome: CallOutcome) => {
    outcomes.set(outcome.messageId, outcome);
    options.onOutcome?.(outcome);
    for (const wake of waiters) wake();
  };

  const transcripts = new S3TranscriptStore(stack.resources.bucket, stack.clients.s3);
  /** A record's outcome: from the results the function reported for it, else read back from the table. */
  const settle = async (r: SQSRecord, failed: boolean, error: unknown, results: IngestResult[] | undefined) => {
    if (failed) {
      const receiveCount = Number(r.attributes.ApproximateReceiveCount);
      if (receiveCount >= maxReceiveCount) {
        const callId = await callIdOf(r.body, transcripts);
        const reason = error ? (error as Error).message : 'processing failed on every receive; see the ingest log';
        record({ messageId: r.messageId, callId, status: 'dead-lettered', reason, receiveCount });
      }
      return;
    }
    const first = results?.[0];
    if (first?.status === 'processed') {
      const call = withoutUndefined(first.call);
      record({ messageId: r.messageId, callId: call.callId, status: 'processed', notes: call.notes, call });
      return;
    }
    if (first?.status === 'rejected') {
      record({ messageId: r.messageId, callId: first.callId, status: 'rejected', reason: first.reason, field: first.field, message: first.message });
      return;
    }
    // Ignored (an S3 test event): nothing stored, no outcome, as before.
    if (first?.status === 'ignored') return;
    // A duplicate (the stored call is the outcome), or no results reported: read the table.
    const callId = await callIdOf(r.body, transcripts);
    const rejection = await store.findRejection(r.messageId, callId);
    if (rejection) {
      record({ messageId: r.messageId, callId, status: 'rejected', reason: rejection.reason, field: rejection.field, message: rejection.message });
      return;
    }
    const call = callId ? await store.getCall(callId) : undefined;
    if (call) record({ messageId: r.messageId, callId: call.callId, status: 'processed', notes: call.notes, call });
  };

  const onBatch = (batch: BatchOutcome) => {
    options.onBatch?.(batch);
    const { records, failedIds, error, results } = batch;
    const failed = new Set(failedIds);
    void Promise.all(records.map((r) => settle(r, failed.has(r.messageId), error, results?.[r.messageId] as IngestResult[] | undefined))).catch((e) =>
      process.stderr.write(`[pipeline] could not read the outcome: ${(e as Error).message}\n`),
    );
  };

  const functionName = `${stack.config.service}-local-ingest`;
  const maximumConcurrency = Number(sqsEvent.maximumConcurrency ?? 2);
  const sourceOptions: Omit<SqsEventSourceOptions, 'sqs' | 'handler' | 'onBatch'> = {
    queueUrl: inbound.ref,
    queueArn: inbound.arn,
    region: stack.region,
    functionName,
    timeoutSeconds: Number(fn.timeout ?? stack.config.provider.timeout ?? 6),
    memorySize: Number(fn.memorySize ?? 1024),
    batchSize: Number(sqsEvent.batchSize ?? 10),
    maximumBatchingWindowSeconds: Number(sqsEvent.maximumBatchingWindow ?? 0),
    maximumConcurrency,
    reportBatchItemFailures: sqsEvent.functionResponseType === 'ReportBatchItemFailures',
    collectResults: true,
  };

  const workers = Math.min(Math.max(0, Math.floor(options.workers ?? Number(process.env.CALLNOTES_INGEST_WORKERS ?? 1))), maximumConcurrency);
  let stop: () => Promise<void>;
  let functionCpuMs: () => Promise<number | undefined> = async () => undefined;
  if (workers === 0) {
    const handler = await loadFunctionHandler<SqsHandler>(stack.config, 'ingest', env);
    const source = new SqsEventSource({ ...sourceOptions, sqs: stack.clients.sqs, handler, onBatch });
    source.start();
    stop = () => source.stop();
  } else {
    // Code on this thread (tests, tools) may load the function module itself and expects its environment.
    Object.assign(process.env, env);
    const pollers = Array.from({ length: workers }, (_, i) => Math.floor(maximumConcurrency / workers) + (i < maximumConcurrency % workers ? 1 : 0));
    const running = await Promise.all(
      pollers.map((n) =>
        startFunctionWorker(
          {
            callnotesFunctionWorker: true,
            name: 'ingest',
            handler: fn.handler,
            env,
            sqs: { endpoint: stack.endpoints.sqs, region: stack.region, credentials: { ...stack.credentials } },
            source: { ...sourceOptions, maximumConcurrency: n },
          },
          onBatch,
        ),
      ),
    );
    stop = async () => void (await Promise.all(running.map((w) => w.stop())));
    functionCpuMs = async () => {
      const usages = await Promise.all(running.map((w) => w.cpuUsage()));
      return usages.every((u) => u !== undefined) ? usages.reduce((ms, u) => ms + (u!.user + u!.system) / 1000, 0) : undefined;
    };
  }

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
    functionCpuMs: () => functionCpuMs(),
    stop: () => stop(),
  };
}

interface RunningWorker {
  stop(): Promise<void>;
  /** This worker thread's CPU time (a restarted worker counts from its start). */
  cpuUsage(): Promise<NodeJS.CpuUsage | undefined>;
}

/** This process's --cpu-prof flags, for a worker to write its own profile too (`npm run bench -- --cpu-prof`). */
const profilingFlags = (): string[] => process.execArgv.filter((flag, i, all) => flag.startsWith('--cpu-prof') || all[i - 1] === '--cpu-prof-dir');

/** Where tsx's loader is, for a worker to run TypeScript (the worker does not inherit this thread's loader under vitest). */
const tsxLoader = () => pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Starts a function worker (local/function-worker.ts) and waits until its handler module is loaded
 * and its pollers run. A worker that dies unexpectedly is started again (a new execution environment).
 */
function startFunctionWorker(data: FunctionWorkerData, onBatch: (batch: BatchOutcome) => void): Promise<RunningWorker> {
  const name = data.source.functionName;
  let stopping = false;
  let stopped: (() => void) | undefined;
  let current: Worker;
  return new Promise<RunningWorker>((resolve, reject) => {
    let started = false;
    const fail = (error: Error) => {
      if (started) return void process.stderr.write(`[pipeline] ${name} worker: ${error.stack ?? error.message}\n`);
      started = true; // settled: nothing further to report to the caller
      stopping = true;
      reject(error);
    };
    const spawn = () => {
      const worker = new Worker(new URL('./function-worker.ts', import.meta.url), { workerData: data, execArgv: [...profilingFlags(), '--import', tsxLoader()], env: { ...process.env, ...data.env } });
      current = worker;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'batch') {
          const { error, ...batch } = message.batch;
          onBatch(error ? { ...batch, error: fromWireError(error) } : batch);
        } else if (message.type === 'ready') {
          if (!started) {
            started = true;
            resolve({ stop, cpuUsage });
          }
        } else if (message.type === 'failed') {
          fail(fromWireError(message.error));
          void worker.terminate();
        } else if (message.type === 'stopped') {
          void worker.terminate();
        }
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (stopping) return stopped?.();
        if (!started) return fail(new Error(`the ${name} worker exited (code ${code}) before it started`));
        process.stderr.write(`[pipeline] ${name} worker exited (code ${code}); starting another\n`);
        spawn();
      });
    };
    const cpuUsage = async () => (typeof current.cpuUsage === 'function' ? current.cpuUsage() : undefined);
    const stop = () => {
      if (stopping) return Promise.resolve();
      stopping = true;
      const worker = current;
      return new Promise<void>((done) => {
        stopped = done;
        worker.postMessage({ type: 'stop' } satisfies MainMessage);
        // A batch still running past the function timeout plus a margin: end it.
        setTimeout(() => void worker.terminate(), (data.source.timeoutSeconds + 5) * 1000).unref();
      });
    };
    spawn();
  });
}

function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message);
  error.name = wire.name;
  if (wire.stack) error.stack = wire.stack;
  return error;
}

/** The call as the table would give it back (the store drops undefined attributes). */
function withoutUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
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
