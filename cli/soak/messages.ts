import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '#local/bedrock/faults.ts';

/** Input that can never succeed, one of each way a contact-center system gets it wrong. */
export const POISON_KINDS = [
  'invalid-schema',
  'unknown-format',
  'truncated-json',
  'empty-transcript',
  'binary-garbage',
  'missing-object',
  'oversized',
] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

export type PlannedMessage =
  | { kind: 'call'; callId: string; body: string }
  /** The same body as an earlier call message, re-sent (same callId and transcript). */
  | { kind: 'duplicate'; callId: string; body: string; of: number }
  | { kind: 'poison'; poison: PoisonKind; callId?: string; body: string };

export interface PlanOptions {
  messages: number;
  /** Shares of all messages (0-1). */
  poison: number;
  duplicates: number;
  /** Prefix of every call id, so a run's calls can be told from anything else in the table. */
  callIdPrefix: string;
  /** Bucket named in the S3 notifications of missing objects. */
  bucket: string;
  templates: CallTemplate[];
  seed?: number;
  /** Share of duplicates sent right after their original, so both are in flight at once. */
  adjacentDuplicates?: number;
  /** Oversized transcripts are made just over this many bytes. */
  maxInlineBytes?: number;
}

export type CallTemplate = Record<string, unknown> & { transcript: unknown };

/** The sample calls in events/calls: real-shaped messages to vary. */
export function loadCallTemplates(dir = 'events/calls'): CallTemplate[] {
  const templates = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CallTemplate)
    .filter((t) => t.transcript !== undefined);
  if (templates.length === 0) throw new Error(`no inline call messages in ${dir}/ to build soak messages from`);
  return templates;
}

/**
 * The messages of a soak run, in send order: new calls made from the templates (new call ids,
 * agents, start times, turns shuffled so every transcript is its own), poison, and duplicates
 * re-sent after their original (some right after it, most later). Seeded, so a run repeats.
 */
export function planSoakMessages(options: PlanOptions): PlannedMessage[] {
  const random = createRandom(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const poisonCount = Math.round(options.messages * options.poison);
  const duplicateCount = Math.min(Math.round(options.messages * options.duplicates), Math.max(0, options.messages - poisonCount - 1));
  const callCount = options.messages - poisonCount - duplicateCount;
  if (callCount < 1 && options.messages > poisonCount) throw new Error('no room for a single call: lower --poison or --duplicates');

  const baseTime = Date.parse('2026-11-01T08:00:00Z');
  const newCall = (n: number): PlannedMessage => {
    const template = options.templates[n % options.templates.length]!;
    const callId = `${options.callIdPrefix}${n}`;
    const body = {
      ...template,
      callId,
      agentId: `agent-soak-${1 + Math.floor(random() * 40)}`,
      startedAt: new Date(baseTime + n * 61_000).toISOString().replace('.000Z', 'Z'),
      transcript: shuffleTranscript(template.transcript, random),
    };
    return { kind: 'call', callId, body: JSON.stringify(body) };
  };

  const base: PlannedMessage[] = [];
  for (let n = 0; n < callCount; n++) base.push(newCall(n));
  for (let p = 0; p < poisonCount; p++) {
    const kind = POISON_KINDS[p % POISON_KINDS.length]!;
    const template = pick(options.templates);
    base.push(poisonMessage(kind, `${options.callIdPrefix}poison-${p}`, template, options, random));
  }
  shuffleInPlace(base, random);

  // Duplicates go after their original: some adjacent (in flight together), the rest anywhere later.
  const order = [...base];
  const calls = order.filter((m): m is Extract<PlannedMessage, { kind: 'call' }> => m.kind === 'call');
  const adjacent = options.adjacentDuplicates ?? 0.2;
  for (let d = 0; d < duplicateCount; d++) {
    const original = pick(calls);
    const at = order.indexOf(original);
    const position = random() < adjacent ? at + 1 : at + 1 + Math.floor(random() * (order.length - at));
    order.splice(position, 0, { kind: 'duplicate', callId: original.callId, body: original.body, of: -1 });
  }
  return order.map((m) => (m.kind === 'duplicate' ? { ...m, of: order.findIndex((o) => o.kind === 'call' && o.callId === m.callId) } : m));
}

function poisonMessage(kind: PoisonKind, callId: string, template: CallTemplate, options: PlanOptions, random: () => number): PlannedMessage {
  const valid = { ...template, callId, agentId: 'agent-soak-poison', startedAt: '2026-11-01T08:00:00Z' };
  switch (kind) {
    case 'invalid-schema': {
      const { agentId: _dropped, ...rest } = valid;
      return { kind: 'poison', poison: kind, callId, body: JSON.stringify({ ...rest, startedAt: 'yesterday afternoon' }) };
    }
    case 'unknown-format':
      return { kind: 'poison', poison: kind, callId, body: JSON.stringify({ ...valid, format: 'dictaphone-2000' }) };
    case 'truncated-json': {
      const full = JSON.stringify(valid);
      return { kind: 'poison', poison: kind, callId, body: full.slice(0, Math.floor(full.length / 2)) };
    }
    case 'empty-transcript':
      return { kind: 'poison', poison: kind, callId, body: JSON.stringify({ ...valid, format: 'text', transcript: '   ' }) };
    case 'binary-garbage': {
      // Bytes as Latin-1 characters: SQS only carries characters, and refuses most control codes.
      const bytes = Array.from({ length: 64 + Math.floor(random() * 512) }, () => 0x20 + Math.floor(random() * 0xe0));
      return { kind: 'poison', poison: kind, body: String.fromCharCode(...bytes) };
    }
    case 'missing-object': {
      const key = `incoming/${callId}.txt`;
      const notification = {
        Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-west-2', eventTime: '2026-11-01T08:00:00.000Z', eventName: 'ObjectCreated:Put', s3: { bucket: { name: options.bucket }, object: { key, size: 100 } } }],
      };
      return { kind: 'poison', poison: kind, callId, body: JSON.stringify(notification) };
    }
    case 'oversized': {
      const limit = options.maxInlineBytes ?? 240_000;
      const line = 'Customer: I am reading out the whole terms and conditions page for the record, line by line.\n';
      const text = `Agent: Thanks for calling.\n${line.repeat(Math.ceil((limit + 1000) / line.length))}`;
      return { kind: 'poison', poison: kind, callId, body: JSON.stringify({ ...valid, format: 'text', transcript: text }) };
    }
  }
}

/** A new conversation from a template: turns (or "Speaker: ..." lines) in a new order. */
export function shuffleTranscript(transcript: unknown, random: () => number): unknown {
  if (Array.isArray(transcript)) return shuffleInPlace([...transcript], random);
  if (typeof transcript === 'string') return shuffleInPlace(transcript.split('\n').filter((l) => l.trim() !== ''), random).join('\n');
  return transcript;
}

function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
