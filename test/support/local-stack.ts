import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLocalStackSettings } from '#adapters/config.ts';
import { startLocalStack, type StartOptions } from '#local/stack.ts';

/** The offline stack on free ports, so tests never collide with a running `npm start`. */
export function startTestStack(options: Partial<StartOptions> = {}) {
  const settings = loadLocalStackSettings({
    CALLNOTES_SQS_PORT: '0',
    CALLNOTES_DYNAMODB_PORT: '0',
    CALLNOTES_S3_PORT: '0',
    CALLNOTES_BEDROCK_PORT: '0',
    CALLNOTES_API_PORT: '0',
    CALLNOTES_STATE_DIR: mkdtempSync(join(tmpdir(), 'callnotes-test-')),
  });
  return startLocalStack({ settings, ...options });
}
