import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TranscriptFormatError } from '#domain/errors.ts';
import { parseTranscriptDocument, type TranscriptFormat } from '#domain/formats/index.ts';
import { TRANSCRIPT_FORMATS } from '#domain/inbound.ts';
import type { Role } from '#domain/transcript.ts';
import { TRANSCRIPT_FIXTURES, type FixtureName, fixtureText } from './fixtures.ts';

const SEED = 20_261_123;
const formats = fc.constantFrom<TranscriptFormat>(...TRANSCRIPT_FORMATS);
const fixtureNames = Object.keys(TRANSCRIPT_FIXTURES) as FixtureName[];
const texts = new Map(fixtureNames.map((name) => [name, fixtureText(name)]));
// Configuration is typed, but may come from JSON: include a role that is not one.
const channelRoles = fc.option(fc.dictionary(fc.constantFrom('1', '2', 'ch_0', 'spk_1', '__proto__', 'Agent'), fc.constantFrom('agent', 'customer', 'other', 'boss')), {
  nil: undefined,
});

/** The property: a transcript with at least one turn, or a TranscriptFormatError; nothing else. */
function parsesOrRefuses(format: TranscriptFormat, raw: unknown, roles?: Record<string, string>): void {
  let result;
  try {
    result = parseTranscriptDocument('fuzz', format, raw, roles ? { channelRoles: roles as Record<string, Role> } : {});
  } catch (error) {
    if (!(error instanceof TranscriptFormatError)) throw error;
    expect(error.message).toMatch(/^transcript is not valid ".{1,40}" format \(.+\): ./);
    return;
  }
  expect(result.turns.length).toBeGreaterThan(0);
  const bad = result.turns.find(
    (turn) =>
      !['agent', 'customer', 'other'].includes(turn.role) ||
      turn.text.trim() === '' ||
      (turn.startMs !== undefined && !(Number.isSafeInteger(turn.startMs) && turn.startMs >= 0)),
  );
  expect(bad).toBeUndefined();
}

/** Replace the value at a random path of a JSON document with an arbitrary one. */
function mutate(doc: unknown, picks: number[], replacement: unknown): unknown {
  if (picks.length === 0 || typeof doc !== 'object' || doc === null) return replacement;
  const keys = Object.keys(doc);
  if (keys.length === 0) return replacement;
  const [pick, ...rest] = picks;
  const key = keys[pick! % keys.length]!;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(doc) ? [...doc] : { ...doc };
  (copy as Record<string, unknown>)[key] = mutate((doc as Record<string, unknown>)[key], rest, replacement);
  return copy;
}

const anything = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withBoxedValues: true,
  withTypedArray: true,
});

describe('Property: parseTranscriptDocument returns turns or throws TranscriptFormatError', () => {
  it('for arbitrary values and every format (800 runs)', () => {
    fc.assert(fc.property(formats, anything, channelRoles, (format, raw, roles) => parsesOrRefuses(format, raw, roles)), {
      seed: SEED,
      numRuns: 800,
    });
  });

  it('for fixtures with one value anywhere replaced (700 runs)', () => {
    fc.assert(
      fc.property(
        formats,
        fc.constantFrom(...fixtureNames.filter((name) => name.endsWith('.json'))),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.oneof(anything, fc.constantFrom(null, '', [], {}, -1, 1e308, '__proto__', 'WEBVTT', '[PII]')),
        (format, name, picks, replacement) => parsesOrRefuses(format, mutate(JSON.parse(texts.get(name)!), picks, replacement)),
      ),
      { seed: SEED, numRuns: 700 },
    );
  });

  it('for truncated and spliced fixture text (400 runs)', () => {
    fc.assert(
      fc.property(formats, fc.constantFrom(...fixtureNames), fc.nat(), fc.string({ maxLength: 20 }), (format, name, cut, splice) => {
        const text = texts.get(name)!;
        const at = cut % (text.length + 1);
        parsesOrRefuses(format, text.slice(0, at) + splice);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('for random strings shaped like the text formats (300 runs)', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('WEBVTT', '00:00:01.000 --> 00:00:02.000', '<v Agent>', '</v>', '<v', 'NOTE', '&amp;', '&#x110000;', 'Agent: hi', 'constructor: x', '[00:01] Caller:'),
    );
    fc.assert(
      fc.property(formats, fc.array(line, { maxLength: 30 }), fc.constantFrom('\n', '\r\n', '\n\n', ' '), (format, lines, sep) => parsesOrRefuses(format, lines.join(sep))),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('for huge documents, quickly', () => {
    const started = Date.now();
    const huge = [
      'x'.repeat(2_000_000),
      '<v '.repeat(300_000),
      `WEBVTT\n\n00:00.000 --> 00:01.000\n${'<v A'.repeat(200_000)}`,
      `WEBVTT\n\n00:00.000 --> 00:01.000\n${'<'.repeat(500_000)}`,
      `${'['.repeat(100_000)}`,
      JSON.stringify({ sentences: Array.from({ length: 20_000 }, (_, i) => ({ media_channel: (i % 2) + 1, transcript: 'hi', sentence_index: i })) }),
      JSON.stringify({ Channel: 'CHAT', Transcript: Array.from({ length: 20_000 }, () => ({ Type: 'EVENT', AbsoluteTime: '2026-01-01T00:00:00Z' })) }),
      `Agent: ${'word '.repeat(400_000)}`,
    ];
    for (const raw of huge) for (const format of TRANSCRIPT_FORMATS) parsesOrRefuses(format, raw);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
