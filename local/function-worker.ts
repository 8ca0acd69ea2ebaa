/**
 * A worker thread standing in for Lambda execution environments of the ingest function: loads the
 * handler module with the function's environment (as the Lambda runtime would at cold start) and
 * runs its share of the SQS event source pollers against the emulators, which stay on the main
 * thread (local/pipeline.ts starts it). Each batch's outcome (records, failures, error and the
 * results the handler reported) is posted back to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ServerlessConfig } from './serverless-config.ts';
import { loadFunctionHandler } from './functions.ts';
import { SqsEventSource, type BatchOutcome, type SqsEventSourceOptions, type SqsHandler } from './sqs-event-source.ts';

export interface FunctionWorkerData {
  callnotesFunctionWorker: true;
  /** The serverless.yml function name (e.g. ingest) and its `handler:` (e.g. functions/ingest.handler). */
  name: string;
  handler: string;
  env: Record<string, string>;
  sqs: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  source: Omit<SqsEventSourceOptions, 'sqs' | 'handler' | 'onBatch'>;
}

export interface WireError {
  name: string;
  message: string;
  stack?: string;
}

export type WireBatch = Omit<BatchOutcome, 'error'> & { error?: WireError };

export type WorkerMessage = { type: 'ready' } | { type: 'failed'; error: WireError } | { type: 'batch'; batch: WireBatch } | { type: 'stopped' };

export type MainMessage = { type: 'stop' };

function toWireError(error: unknown): WireError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

// Only as a worker's entry module (pipeline.ts imports nothing but types from here).
const port = parentPort;
if (port && (workerData as { callnotesFunctionWorker?: boolean } | null)?.callnotesFunctionWorker) {
  const data = workerData as FunctionWorkerData;
  const post = (message: WorkerMessage) => {
    try {
      port.postMessage(message);
    } catch {
      // Something in the results that cannot be cloned: send what JSON keeps of it.
      port.postMessage(JSON.parse(JSON.stringify(message)));
    }
  };
  try {
    const config = { functions: { [data.name]: { handler: data.handler } } } as unknown as ServerlessConfig;
    const handler = await loadFunctionHandler<SqsHandler>(config, data.name, data.env);
    const sqs = new SQSClient({ region: data.sqs.region, credentials: data.sqs.credentials, endpoint: data.sqs.endpoint });
    const source = new SqsEventSource({
      ...data.source,
      sqs,
      handler,
      onBatch: ({ error, ...batch }) => post({ type: 'batch', batch: error === undefined ? batch : { ...batch, error: toWireError(error) } }),
    });
    port.on('message', (message: MainMessage) => {
      if (message.type !== 'stop') return;
      void source.stop().then(() => {
        sqs.destroy();
        post({ type: 'stopped' });
      });
    });
    source.start();
    post({ type: 'ready' });
  } catch (error) {
    post({ type: 'failed', error: toWireError(error) });
  }
}
