import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { loadLocalStackSettings, loadOperatorSettings } from '#adapters/config.ts';
import { SqsDeadLetterQueue } from '#adapters/sqs-dlq.ts';
import { findTarget } from '#cli/target.ts';
import type { FaultConfig } from '#local/bedrock/faults.ts';
import type { BedrockEmulatorStats } from '#local/bedrock/server.ts';
import { loadServerlessConfig } from '#local/serverless-config.ts';
import { queueDepth } from '#local/sqs-event-source.ts';
import { freePortsEnv, startLocalStack, type LocalStack, type LocalStackInfo } from '#local/stack.ts';
import { accountSoak, type DeadLetterSeen, type SentMessage, type SoakReport, type StoredItem } from './accounting.ts';
import { loadCallTemplates, planSoakMessages, type PlannedMessage } from './messages.ts';
import type { WorkerMessage } from './worker.ts';

export interface SoakOptions {
  messages: number;
  /** Emulator fault rates (0-1) per converse call. */
  throttle: number;
  modelTimeout: number;
  malformedOutput: number;
  /** Shares of the messages (0-1). */
  poison: number;
  duplicates: number;
  /** SIGKILL the runner this long after the first send, then start another. */
  killAfterMs?: number;
  /** Use the stack in .callnotes/local.json (its own runner, e.g. `npm start`) instead of starting one. */
  attach?: boolean;
  /** Messages a second to send; 0 sends as fast as SQS takes them. */
  rate?: number;
  /** Give up waiting after this long (what is still queued then is reported, and counts as lost). */
  timeoutSeconds?: number;
  /** The emulator's Bedrock tokens-per-minute quota (0 or absent: none), throttling what goes over it. */
  tokensPerMinute?: number;
  /** Model latency the emulator adds, ms. */
  latencyMs?: { min: number; max: number };
  seed?: number;
  /** Inbound visibility timeout while a runner may be killed (deployed: 360 s, 6 x the function timeout). */
  visibilityTimeoutSeconds?: number;
  /** Retry backoff base of the runner (deployed: 10 s). */
  retryBaseSeconds?: number;
  /** One handler module instance for all concurrent batches, as local/pipeline.ts runs it (default: one per execution environment, as Lambda). */
  sharedHandler?: boolean;
}

export interface SoakProgress {
  phase: 'starting' | 'sending' | 'draining' | 'accounting';
  sent: number;
  total: number;
  /** Messages acknowledged (processed, rejected or absorbed) or dead-lettered, as runners reported. */
  settled: number;
  /** Messages whose last batch failed them: waiting for their retry. */
  retrying: number;
  queued: number;
  runners: number;
  elapsedMs: number;
}

export interface SoakHooks {
  onProgress?: (progress: SoakProgress) => void;
  /** One-line notices (runner killed, restarted, crashed). */
  onNotice?: (line: string) => void;
}

export interface SoakRun extends SoakReport {
  config: Record<string, unknown>;
  runners: { started: number; killed: number; crashed: number };
  logs: string;
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/**
 * Sends a planned mix of calls, duplicates and poison through the ingest function on the local
 * stack with the Bedrock emulator's faults on, optionally kills the runner midway, waits for the
 * queue to drain, and accounts for every message in the table and the DLQ.
 */
export async function runSoak(options: SoakOptions, hooks: SoakHooks = {}): Promise<SoakRun> {
  const started = Date.now();
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const logs = mkdtempSync(join(tmpdir(), `callnotes-soak-${runId}-`));
  const notice = hooks.onNotice ?? (() => {});
  const progress: SoakProgress = { phase: 'starting', sent: 0, total: options.messages, settled: 0, retrying: 0, queued: 0, runners: 0, elapsedMs: 0 };
  const emit = () => hooks.onProgress?.({ ...progress, elapsedMs: Date.now() - started });

  let stack: LocalStack | undefined;
  let info: LocalStackInfo;
  let stateDir: string;
  if (options.attach) {
    const settings = loadOperatorSettings();
    const target = await findTarget({ ...settings, stage: undefined });
    if (!target?.local) throw new Error('soak --attach: no running local stack found (start one with `npm start`); fault injection needs the local Bedrock emulator');
    if (options.killAfterMs !== undefined) throw new Error('soak --attach cannot --kill-after: the runner belongs to the attached stack; run without --attach');
    info = target.local;
    stateDir = settings.stateDir;
  } else {
    stateDir = join(logs, 'stack');
    mkdirSync(stateDir, { recursive: true });
    const settings = loadLocalStackSettings({ ...process.env, ...freePortsEnv(stateDir) });
    stack = await startLocalStack({ settings, writeStateFile: true });
    info = stack;
  }

  const clientConfig = { region: info.region, credentials: info.credentials };
  const sqs = new SQSClient({ ...clientConfig, endpoint: info.endpoints.sqs });
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...clientConfig, endpoint: info.endpoints.dynamodb }));
  const emulator = new EmulatorControl(info.endpoints.bedrock);
  const previousFaults = await emulator.faults();
  const runners = { started: 0, killed: 0, crashed: 0 };
  let worker: ChildProcess | undefined;
  let stopping = false;
  const settled = new Set<string>();
  const retrying = new Set<string>();
  const config = loadServerlessConfig('serverless.yml', { stage: 'local', env: process.env });
  const maxReceiveCount = Number(config.custom?.inbound?.maxReceiveCount ?? 5);

  const startWorker = async (): Promise<ChildProcess> => {
    const n = ++runners.started;
    const log = createWriteStream(join(logs, `runner-${n}.log`));
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        CALLNOTES_STATE_DIR: stateDir,
        CALLNOTES_SOAK_FUNCTION_ENV: JSON.stringify({ CALLNOTES_RETRY_BASE_SECONDS: String(options.retryBaseSeconds ?? 1), LOG_LEVEL: 'ERROR' }),
        ...(options.sharedHandler ? { CALLNOTES_SOAK_SHARED_HANDLER: 'true' } : {}),
        ...(options.killAfterMs !== undefined ? { CALLNOTES_SOAK_TIMEOUT: String(Math.max(5, Math.floor((options.visibilityTimeoutSeconds ?? 30) * 0.66))) } : {}),
      },
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    child.on('message', (message: WorkerMessage) => {
      if (message.type !== 'batch') return;
      if (message.error) notice(`runner ${n}: a batch of ${message.acked.length + message.failed.length} failed as a whole: ${message.error}`);
      for (const id of message.acked) {
        settled.add(id);
        retrying.delete(id);
      }
      for (const f of message.failed) {
        if (f.receiveCount >= maxReceiveCount) {
          settled.add(f.messageId);
          retrying.delete(f.messageId);
        } else retrying.add(f.messageId);
      }
    });
    child.on('exit', (code, signal) => {
      progress.runners = Math.max(0, progress.runners - 1);
      if (child !== worker || stopping || signal === 'SIGKILL') return;
      runners.crashed += 1;
      notice(`runner ${n} exited (${signal ?? `code ${code}`}); starting another (log: ${join(logs, `runner-${n}.log`)})`);
      void startWorker().then((w) => (worker = w));
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`runner ${n} did not start within 60 s; see ${join(logs, `runner-${n}.log`)}`)), 60_000);
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`runner ${n} exited with ${code} before it was ready; see ${join(logs, `runner-${n}.log`)}`));
      });
    });
    progress.runners += 1;
    return child;
  };

  const stopWorker = async () => {
    stopping = true;
    const child = worker;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await emulator.setFaults({
      throttleRate: options.throttle,
      timeoutRate: options.modelTimeout,
      malformedRate: options.malformedOutput,
      latencyMs: options.latencyMs ?? { min: 5, max: 25 },
      throttleNext: 0,
      failNext: [],
      ...(options.tokensPerMinute ? { tokensPerMinute: options.tokensPerMinute } : {}),
    });
    const baseline = await emulator.stats();
    if (stack) {
      if (options.killAfterMs !== undefined) {
        // A killed runner's in-flight messages come back after the visibility timeout: keep it short.
        await sqs.send(new SetQueueAttributesCommand({ QueueUrl: info.resources.queueUrl, Attributes: { VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30) } }));
      }
      emit();
      worker = await startWorker();
    }

    const planned = planSoakMessages({
      messages: options.messages,
      poison: options.poison,
      duplicates: options.duplicates,
      callIdPrefix: `soak-${runId}-`,
      bucket: info.resources.bucket,
      templates: loadCallTemplates(),
      seed: options.seed,
      maxInlineBytes: Number(config.custom?.ingest?.maxInlineBytes ?? 240_000),
    });

    const sendStarted = Date.now();
    let killTimer: NodeJS.Timeout | undefined;
    if (options.killAfterMs !== undefined) {
      killTimer = setTimeout(() => {
        const victim = worker;
        if (!victim) return;
        runners.killed += 1;
        notice(`SIGKILL runner pid ${victim.pid} at ${((Date.now() - sendStarted) / 1000).toFixed(1)} s; starting another`);
        victim.kill('SIGKILL');
        void startWorker().then((w) => (worker = w));
      }, options.killAfterMs);
    }

    progress.phase = 'sending';
    const sent: SentMessage[] = [];
    const ticker = setInterval(emit, 500);
    try {
      for (const chunk of sendChunks(planned)) {
        const { Successful = [], Failed = [] } = await sqs.send(
          new SendMessageBatchCommand({ QueueUrl: info.resources.queueUrl, Entries: chunk.map((m, i) => ({ Id: String(i), MessageBody: m.body })) }),
        );
        if (Failed.length > 0) throw new Error(`SQS refused ${Failed.length} message(s): ${Failed[0]!.Code}: ${Failed[0]!.Message}`);
        const at = Date.now();
        for (const s of Successful) sent.push({ planned: chunk[Number(s.Id)]!, messageId: s.MessageId!, sentAtMs: at });
        progress.sent = sent.length;
        if (options.rate) {
          const due = sendStarted + (sent.length / options.rate) * 1000;
          if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        }
      }

      progress.phase = 'draining';
      const ids = new Set(sent.map((s) => s.messageId));
      const deadline = started + (options.timeoutSeconds ?? defaultTimeout(options)) * 1000;
      let emptyPolls = 0;
      while (Date.now() < deadline) {
        progress.queued = await queueDepth(sqs, info.resources.queueUrl);
        progress.settled = [...settled].filter((id) => ids.has(id)).length;
        progress.retrying = [...retrying].filter((id) => ids.has(id)).length;
        emit();
        // Empty twice in a row: a message between a failed batch and its DLQ move still counts.
        emptyPolls = progress.queued === 0 ? emptyPolls + 1 : 0;
        if (emptyPolls >= 2 && (killTimer === undefined || runners.killed > 0)) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      clearInterval(ticker);
      clearTimeout(killTimer);
    }

    progress.phase = 'accounting';
    emit();
    const stillQueued = await queueDepth(sqs, info.resources.queueUrl);
    await stopWorker();
    const after = await emulator.stats();
    const items = await scanItems(doc, info.resources.table);
    const dlq = new SqsDeadLetterQueue(info.resources.dlqUrl, info.resources.queueUrl, sqs);
    const deadLetters = explainDeadLetters(await dlq.peek(Number.MAX_SAFE_INTEGER), items, maxReceiveCount);
    const report = accountSoak({
      sent,
      items,
      deadLetters,
      model: {
        converseCalls: after.converseCalls - baseline.converseCalls,
        throttled: after.throttled - baseline.throttled,
        timedOut: after.timedOut - baseline.timedOut,
        malformed: after.malformed - baseline.malformed,
        failed: after.failed - baseline.failed,
      },
      stillQueued,
      wallTimeMs: Date.now() - started,
    });
    return {
      config: {
        messages: options.messages,
        faults: {
          throttleRate: options.throttle,
          timeoutRate: options.modelTimeout,
          malformedRate: options.malformedOutput,
          latencyMs: options.latencyMs ?? { min: 5, max: 25 },
          tokensPerMinute: options.tokensPerMinute ?? 0,
        },
        poison: options.poison,
        duplicates: options.duplicates,
        killAfterSeconds: options.killAfterMs !== undefined ? options.killAfterMs / 1000 : null,
        stack: stack ? 'own (in-process emulators, runner in a child process)' : `attached (${stateDir}/local.json)`,
        retryBaseSeconds: options.retryBaseSeconds ?? 1,
        executionEnvironments: options.sharedHandler ? 'one shared handler instance (as local/pipeline.ts)' : 'one handler instance per concurrent batch (as Lambda)',
        visibilityTimeoutSeconds: options.killAfterMs !== undefined && stack ? (options.visibilityTimeoutSeconds ?? 30) : 'as declared',
        runId,
      },
      ...report,
      runners,
      logs,
    };
  } finally {
    await stopWorker().catch(() => {});
    if (stack) await emulator.setFaults(previousFaults).catch(() => {});
    else await emulator.setFaults(previousFaults).catch(() => notice('could not restore the emulator faults; POST /_emulator/faults to reset them'));
    await stack?.close();
    if (stack) rmSync(stateDir, { recursive: true, force: true });
  }
}

function defaultTimeout(options: SoakOptions): number {
  return 120 + Math.ceil(options.messages / 8) + (options.killAfterMs ?? 0) / 1000 + (options.visibilityTimeoutSeconds ?? 30);
}

/** Batches of up to 10 messages and ~240 KB (SQS's batch payload limit), in plan order. */
function* sendChunks(planned: PlannedMessage[]): Generator<PlannedMessage[]> {
  let chunk: PlannedMessage[] = [];
  let bytes = 0;
  for (const message of planned) {
    const size = Buffer.byteLength(message.body);
    if (chunk.length > 0 && (chunk.length === 10 || bytes + size > 240_000)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

async function scanItems(doc: DynamoDBDocumentClient, table: string): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'attribute_exists(callId) OR entity = :rejection',
        ProjectionExpression: 'entity, callId, transcriptHash, processedAt, messageId, reason',
        ExpressionAttributeValues: { ':rejection': 'rejection' },
        ExclusiveStartKey,
      }),
    );
    items.push(...((page.Items ?? []) as StoredItem[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** The reason the dlq command gives, from the items already scanned. */
function explainDeadLetters(letters: { messageId: string; body: string }[], items: StoredItem[], maxReceiveCount: number): DeadLetterSeen[] {
  const rejections = new Map(items.filter((i) => i.entity === 'rejection' && i.messageId).map((i) => [i.messageId!, i]));
  return letters.map((letter) => {
    const rejection = rejections.get(letter.messageId);
    return { ...letter, reason: rejection ? `rejected: ${rejection.reason}` : `transient failures exhausted ${maxReceiveCount} receives` };
  });
}

/** The Bedrock emulator's control endpoints (local/bedrock/server.ts). */
class EmulatorControl {
  constructor(private readonly url: string) {}

  async faults(): Promise<FaultConfig> {
    return this.#json('GET', '/_emulator/faults');
  }

  async setFaults(patch: Partial<FaultConfig>): Promise<FaultConfig> {
    return this.#json('POST', '/_emulator/faults', patch);
  }

  async stats(): Promise<BedrockEmulatorStats> {
    return this.#json('GET', '/_emulator/stats');
  }

  async #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`Bedrock emulator ${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }
}
