import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLocalStackSettings } from '#adapters/config.ts';
import { freePortsEnv, startLocalStack, type StartOptions } from '#local/stack.ts';

/** The offline stack on free ports, so tests never collide with a running `npm start`. */
export function startTestStack(options: Partial<StartOptions> = {}) {
  const settings = loadLocalStackSettings(freePortsEnv(mkdtempSync(join(tmpdir(), 'callnotes-test-'))));
  return startLocalStack({ settings, ...options });
}
