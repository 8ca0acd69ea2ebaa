import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CallNotesSchema } from '#domain/notes.ts';
import { freePortsEnv } from '#local/stack.ts';

const run = promisify(execFile);

describe('E2E: npm start -- --once --json', () => {
  it('processes every sample call and prints one JSON line per call', async () => {
    // Prepare: free ports and a private state folder, so a running `npm start` is not disturbed.
    const stateDir = mkdtempSync(join(tmpdir(), 'callnotes-e2e-'));
    const env = { ...process.env, ...freePortsEnv(stateDir) };
    const samples = readdirSync('events/calls').filter((f) => f.endsWith('.json'));

    // Act
    const { stdout, stderr } = await run('npm', ['start', '--silent', '--', '--once', '--json'], { env, timeout: 120_000 });

    // Assess
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines, stderr).toHaveLength(samples.length);
    for (const line of lines) {
      expect(line.status).toBe('processed');
      expect(CallNotesSchema.safeParse(line.notes).success).toBe(true);
    }
    expect(new Set(lines.map((l) => l.callId)).size).toBe(samples.length);
    expect(stderr).toMatch(/calls processed/);
    expect(readdirSync(stateDir)).not.toContain('local.json'); // removed on exit
  }, 150_000);
});
