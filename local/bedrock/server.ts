import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ControlPlane, ControlPlaneError, regionOfRequest, type ControlPlaneOptions, type EmulatorS3Options } from './control-plane/index.ts';
import { buildResponse, estimateInputTokens, forcedTool, malformedAnswer, promptText, validateConverseRequest } from './converse.ts';
import { BedrockServiceError, validationError } from './errors.ts';
import { FaultInjector, type FaultConfig } from './faults.ts';
import { listenHttp1And2, type EmulatorRequest as IncomingMessage, type EmulatorResponse as ServerResponse } from './listener.ts';
import { generateNotes, parsePromptTranscript } from './model/embedded-model.ts';
import { resolveModel, type ModelResolver } from './models.ts';

export type { FaultConfig } from './faults.ts';
export type { BedrockErrorName } from './errors.ts';
export type { EmulatorS3Options } from './control-plane/index.ts';

export interface BedrockEmulatorOptions {
  port: number;
  host?: string;
  faults?: Partial<FaultConfig>;
  /** Seed of the PRNG behind fault rates and latency; default 1, so runs repeat. */
  seed?: number;
  /** How model ids resolve; the default knows the base models and accepts any Bedrock ARN. */
  resolveModel?: ModelResolver;
  /** Largest request body accepted, in bytes (default 32 MiB). */
  maxBodyBytes?: number;
  /** Where customization jobs read training data and write artifacts; without it, jobs end Failed. */
  s3?: EmulatorS3Options;
  /** Region of the ARNs the control plane creates when a request is not SigV4-signed (default: s3.region, else us-east-1). */
  region?: string;
  /** Timing and quotas of customization jobs and provisioned models (InProgress / Creating last at least 300 ms by default). */
  controlPlane?: Omit<ControlPlaneOptions, 's3'>;
}

export interface BedrockEmulatorStats {
  converseCalls: number;
  throttled: number;
  timedOut: number;
  malformed: number;
  /** Calls answered with any error (validation, not found, injected faults). */
  failed: number;
  /** Tokens of the calls answered with notes (what the tokens-per-minute quota counts). */
  inputTokens: number;
  outputTokens: number;
  /** TCP connections accepted (Converse and control plane). */
  connections: number;
}

export interface BedrockEmulator {
  url: string;
  port: number;
  setFaults(f: Partial<FaultConfig>): void;
  stats(): BedrockEmulatorStats;
  close(): Promise<void>;
}

const CONVERSE_PATH = /^\/model\/(.+)\/converse$/;
type ServiceError = BedrockServiceError | ControlPlaneError;
const DEFAULT_MAX_BODY = 32 * 1024 * 1024;

/**
 * Bedrock Runtime Converse over node:http and node:http2 (one port) with the real wire format, served by the embedded notes
 * model; the real @aws-sdk/client-bedrock-runtime works against it (any credentials and signature).
 * Also the Bedrock control-plane calls callnotes makes (control-plane/): model customization jobs that
 * train the embedded model on their S3 JSONL, custom models, provisioned throughput and deployments,
 * whose ARNs Converse then serves with the trained model.
 * Also: GET /_emulator/health, GET|POST|DELETE /_emulator/faults, GET /_emulator/stats.
 */
export async function startBedrockEmulator(options: BedrockEmulatorOptions): Promise<BedrockEmulator> {
  const faults = new FaultInjector(options.faults ?? {}, options.seed ?? 1);
  const controlPlane = new ControlPlane({ ...options.controlPlane, s3: options.s3 });
  const resolve = controlPlane.resolver(options.resolveModel ?? resolveModel);
  const defaultRegion = options.region ?? options.s3?.region ?? 'us-east-1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const counters: Omit<BedrockEmulatorStats, 'connections'> = { converseCalls: 0, throttled: 0, timedOut: 0, malformed: 0, failed: 0, inputTokens: 0, outputTokens: 0 };

  const converse = async (rawModelId: string, req: IncomingMessage): Promise<unknown> => {
    const started = performance.now();
    counters.converseCalls += 1;
    const text = await readBody(req, maxBodyBytes);
    let modelId: string;
    try {
      modelId = decodeURIComponent(rawModelId);
    } catch {
      throw validationError('The provided model identifier is invalid.');
    }
    const model = resolve(modelId);
    const body = parseJson(text);
    const request = validateConverseRequest(body, model);
    if (estimateInputTokens(request) > model.contextTokens) {
      throw validationError('Input is too long for requested model.');
    }

    const { decision, latencyMs } = faults.next();
    if (latencyMs > 0) await sleep(latencyMs);
    if (decision.kind === 'error') throw new BedrockServiceError(decision.errorType);

    const { callDate, turns } = parsePromptTranscript(promptText(request));
    const notes = generateNotes({ turns, callDate: callDate ?? new Date().toISOString().slice(0, 10) }, model.trained);
    const tool = forcedTool(request) !== undefined;
    let answer: Record<string, unknown> | string = tool ? notes : JSON.stringify(notes);
    if (decision.kind === 'malformed') {
      counters.malformed += 1;
      answer = malformedAnswer(notes, decision.variant, tool);
    }
    const response = buildResponse(request, answer, 0);
    // The quota counts what an answer costs; a call over it is throttled before the model "runs".
    if (!faults.admitTokens(response.usage.totalTokens)) {
      throw new BedrockServiceError('ThrottlingException', 'Too many tokens, please wait before trying again.');
    }
    counters.inputTokens += response.usage.inputTokens;
    counters.outputTokens += response.usage.outputTokens;
    const modelLatencyMs = faults.modelLatencyMs(response.usage.outputTokens);
    if (modelLatencyMs > 0) await sleep(modelLatencyMs);
    response.metrics.latencyMs = Math.max(1, Math.round(performance.now() - started));
    return response;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    void route(req, res).catch((error: unknown) => {
      const known = error instanceof BedrockServiceError || error instanceof ControlPlaneError;
      const failure: ServiceError = known ? error : new BedrockServiceError('InternalServerException');
      if (!known) console.error('[bedrock-emulator]', error);
      if (CONVERSE_PATH.test(pathOf(req))) {
        counters.failed += 1;
        if (failure.errorType === 'ThrottlingException') counters.throttled += 1;
        if (failure.errorType === 'ModelTimeoutException') counters.timedOut += 1;
      }
      sendError(res, failure);
    });
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = pathOf(req);
    const model = CONVERSE_PATH.exec(path);
    if (model && req.method === 'POST') return sendJson(res, 200, await converse(model[1]!, req));
    if (path === '/_emulator/health' && req.method === 'GET') return sendJson(res, 200, { ok: true });
    const segments = splitPath(path);
    if (segments && ControlPlane.owns(segments)) {
      const text = await readBody(req, 1024 * 1024);
      const answer = controlPlane.handle({
        method: req.method ?? 'GET',
        segments,
        query: new URL(req.url ?? '/', 'http://emulator').searchParams,
        body: req.method === 'GET' || req.method === 'DELETE' ? undefined : parseJson(text),
        region: regionOfRequest(req.headers.authorization, defaultRegion),
      });
      if (answer) return sendJson(res, answer.status, answer.body);
      const failure = new BedrockServiceError('ResourceNotFoundException', `No operation for ${req.method} ${path}`);
      return sendError(res, failure, 'UnknownOperationException');
    }
    if (path === '/_emulator/stats' && req.method === 'GET') return sendJson(res, 200, { ...counters });
    if (path === '/_emulator/faults') {
      if (req.method === 'GET') return sendJson(res, 200, faults.current);
      if (req.method === 'DELETE') return sendJson(res, 200, faults.reset());
      if (req.method === 'POST') {
        const patch = parseJson(await readBody(req, 1024 * 1024));
        try {
          return sendJson(res, 200, faults.set(patch as Partial<FaultConfig>));
        } catch (error) {
          if (error instanceof z.ZodError) throw validationError(`invalid fault config: ${z.prettifyError(error)}`);
          throw error;
        }
      }
    }
    await drain(req);
    const failure = new BedrockServiceError('ResourceNotFoundException', `No operation for ${req.method} ${path}`);
    sendError(res, failure, 'UnknownOperationException');
  };

  const listener = await listenHttp1And2(handle, options.port, options.host ?? '127.0.0.1');
  const { port } = listener;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    setFaults: (patch) => {
      faults.set(patch);
    },
    stats: () => ({ ...counters, connections: listener.connections() }),
    close: async () => {
      await controlPlane.close();
      await listener.close();
    },
  };
}

/** The path's segments, each percent-decoded (an ARN is one encoded segment); undefined when undecodable. */
function splitPath(path: string): string[] | undefined {
  try {
    return path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(0, q) : url;
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw validationError(`Request body of more than ${limit} bytes is too large.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req) {
    // discard: answer only after the request is fully read, so keep-alive connections stay usable
  }
}

function parseJson(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw validationError('Malformed input request, please reformat your input and try again.');
  }
}

/** The part of an HTTP/1 or HTTP/2 compat response the emulator writes through. */
interface Writable {
  headersSent: boolean;
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(data?: string): unknown;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  (res as Writable).writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(payload);
}

function sendError(res: ServerResponse, error: ServiceError, errorType: string = error.errorType): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = JSON.stringify({ message: error.message });
  (res as Writable).writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': errorType,
  });
  res.end(payload);
}
