import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLocalStackSettings } from '#adapters/config.ts';
import { freePortsEnv, startLocalStack, type StartOptions } from '#local/stack.ts';

/**
 * The offline stack on free ports, so tests never collide with a running `npm start`. Objects stay
 * in memory unless CALLNOTES_S3_DIR names a folder, as for `npm start` (the benchmarks compare the two).
 */
export function startTestStack(options: Partial<StartOptions> = {}) {
  const settings = loadLocalStackSettings({ ...freePortsEnv(mkdtempSync(join(tmpdir(), 'callnotes-test-'))), CALLNOTES_S3_DIR: process.env.CALLNOTES_S3_DIR });
  return startLocalStack({ settings, ...options });
}
