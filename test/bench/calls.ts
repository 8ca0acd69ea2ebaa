import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A call message to copy: its body without callId, agentId and startedAt. */
export interface CallTemplate {
  name: string;
  format: string;
  body: Record<string, unknown>;
}

const FIXTURES_DIR = 'test/fixtures/transcripts';
const SAMPLES_DIR = 'events/calls';

/**
 * The sample calls (turns and text) and every transcript fixture (Transcribe, Contact Lens,
 * Genesys, Twilio, WebVTT, …) sent with format "auto", so a mixed load exercises detection too.
 */
export function loadCallTemplates(): CallTemplate[] {
  const samples = readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const body = JSON.parse(readFileSync(join(SAMPLES_DIR, f), 'utf8')) as Record<string, unknown>;
      return { name: f.replace(/\.json$/, ''), format: String(body.format ?? 'auto'), body };
    });
  const fixtures = readdirSync(FIXTURES_DIR)
    .sort()
    .map((f) => {
      const text = readFileSync(join(FIXTURES_DIR, f), 'utf8');
      const transcript = f.endsWith('.json') ? (JSON.parse(text) as unknown) : text;
      return { name: f, format: 'auto', body: { type: 'call.transcript.v1', language: 'en-US', format: 'auto', transcript } };
    });
  return [...samples, ...fixtures];
}

/** `count` messages cycling through the templates, each with a new callId, agent and start time. */
export function makeCallBodies(count: number, prefix: string, templates = loadCallTemplates()): string[] {
  const base = Date.parse('2026-11-02T08:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const template = templates[i % templates.length]!;
    return JSON.stringify({
      ...template.body,
      callId: `${prefix}-${i}`,
      agentId: `agent-bench-${i % 40}`,
      startedAt: new Date(base + i * 61_000).toISOString().replace('.000Z', 'Z'),
    });
  });
}

/** Turn lines of the sample calls, for building a call of a given length. */
function sampleTurns(): { role: string; text: string }[] {
  const turns: { role: string; text: string }[] = [];
  for (const template of loadCallTemplates().filter((t) => t.format === 'turns' || t.format === 'text')) {
    const transcript = template.body.transcript;
    if (Array.isArray(transcript)) turns.push(...(transcript as { role: string; text: string }[]).map(({ role, text }) => ({ role, text })));
    else if (typeof transcript === 'string') {
      for (const line of transcript.split('\n')) {
        const m = /^(Agent|Customer):\s*(.*)$/.exec(line);
        if (m) turns.push({ role: m[1]!.toLowerCase(), text: m[2]! });
      }
    }
  }
  return turns;
}

/**
 * A call of about `minutes` of speech (~150 words a minute), turns of the sample calls in order,
 * with start times: what a long support call looks like to the pipeline.
 */
export function longCallBody(callId: string, minutes: number): { body: string; words: number; turns: number } {
  const pool = sampleTurns();
  const targetWords = minutes * 150;
  const turns: { role: string; text: string; startMs: number }[] = [];
  let words = 0;
  for (let i = 0; words < targetWords; i++) {
    const turn = pool[i % pool.length]!;
    turns.push({ role: turn.role, text: turn.text, startMs: Math.round((words / 150) * 60_000) });
    words += turn.text.split(/\s+/).length;
  }
  const body = JSON.stringify({
    type: 'call.transcript.v1',
    callId,
    agentId: 'agent-bench-long',
    startedAt: '2026-11-20T09:00:00Z',
    language: 'en-US',
    format: 'turns',
    transcript: turns,
  });
  return { body, words, turns: turns.length };
}
