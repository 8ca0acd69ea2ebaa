/**
 * The soak test's ingest runner: a child process, so the soak can SIGKILL it mid-batch and start
 * another while the queues (in the parent) keep their state. It attaches to the stack named by
 * <CALLNOTES_STATE_DIR>/local.json and reports each batch to the parent over IPC.
 *
 *   CALLNOTES_STATE_DIR           where local.json is
 *   CALLNOTES_SOAK_FUNCTION_ENV   JSON object of extra function environment
 *   CALLNOTES_SOAK_TIMEOUT        function timeout the event source enforces (seconds), optional
 *   CALLNOTES_SOAK_SHARED_HANDLER "true": one handler module instance for all concurrent batches
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOperatorSettings } from '#adapters/config.ts';
import type { LocalStackInfo } from '#local/stack.ts';
import { attachIngestRunner } from './attach.ts';

export type WorkerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'batch'; acked: string[]; failed: { messageId: string; receiveCount: number }[]; error?: string };

const settings = loadOperatorSettings();
const info = JSON.parse(readFileSync(join(settings.stateDir, 'local.json'), 'utf8')) as LocalStackInfo;
const extraEnv = JSON.parse(settings.env.CALLNOTES_SOAK_FUNCTION_ENV ?? '{}') as Record<string, string>;
const timeout = settings.env.CALLNOTES_SOAK_TIMEOUT ? Number(settings.env.CALLNOTES_SOAK_TIMEOUT) : undefined;

const report = (message: WorkerMessage) => process.send?.(message);

const runner = await attachIngestRunner(info, {
  env: extraEnv,
  timeoutSeconds: timeout,
  sharedHandler: settings.env.CALLNOTES_SOAK_SHARED_HANDLER === 'true',
  onBatch: ({ records, failedIds, error }) => {
    const failed = new Set(failedIds);
    // One line a batch in the runner log: what was received, what failed, and why a whole batch did.
    process.stderr.write(
      `[batch] ${new Date().toISOString()} ${records.map((r) => `${r.messageId.slice(0, 8)}/${r.attributes.ApproximateReceiveCount}${failed.has(r.messageId) ? '!' : ''}`).join(' ')}${error ? ` error: ${(error as Error).message}` : ''}\n`,
    );
    report({
      type: 'batch',
      acked: records.filter((r) => !failed.has(r.messageId)).map((r) => r.messageId),
      failed: records.filter((r) => failed.has(r.messageId)).map((r) => ({ messageId: r.messageId, receiveCount: Number(r.attributes.ApproximateReceiveCount) })),
      ...(error ? { error: (error as Error).message ?? String(error) } : {}),
    });
  },
});
report({ type: 'ready', pid: process.pid });

const shutdown = async () => {
  await runner.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.on('disconnect', () => void shutdown());
