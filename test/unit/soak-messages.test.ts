import { describe, expect, it } from 'vitest';
import { loadCallTemplates, planSoakMessages, POISON_KINDS, shuffleTranscript, type PlanOptions } from '../../cli/soak/messages.ts';
import { InvalidInputError } from '../../domain/errors.ts';
import { parseInboundMessage } from '../../domain/inbound.ts';
import { parseText, parseTurns } from '../../domain/transcript.ts';
import { createRandom } from '../../local/bedrock/faults.ts';

const templates = loadCallTemplates();
const plan = (overrides: Partial<PlanOptions> = {}) =>
  planSoakMessages({ messages: 400, poison: 0.05, duplicates: 0.1, callIdPrefix: 'soak-t-', bucket: 'transcripts', templates, seed: 7, ...overrides });

describe('Function: planSoakMessages', () => {
  it('makes the requested mix of calls, duplicates and poison', () => {
    // Act
    const messages = plan();

    // Assess
    expect(messages).toHaveLength(400);
    expect(messages.filter((m) => m.kind === 'poison')).toHaveLength(20);
    expect(messages.filter((m) => m.kind === 'duplicate')).toHaveLength(40);
    const calls = messages.filter((m) => m.kind === 'call');
    expect(new Set(calls.map((m) => m.callId)).size).toBe(calls.length);
    expect(new Set(calls.map((m) => m.body)).size).toBe(calls.length);
  });

  it('re-sends a duplicate with the same body, after its original', () => {
    // Act
    const messages = plan();

    // Assess
    messages.forEach((m, i) => {
      if (m.kind !== 'duplicate') return;
      const original = messages[m.of]!;
      expect(m.of).toBeLessThan(i);
      expect(original).toMatchObject({ kind: 'call', callId: m.callId, body: m.body });
    });
  });

  it('repeats for a seed and differs for another', () => {
    // Act + Assess
    expect(plan()).toEqual(plan());
    expect(plan({ seed: 8 }).map((m) => m.body)).not.toEqual(plan().map((m) => m.body));
  });

  it('makes calls that are valid inbound messages with parseable transcripts', () => {
    // Act
    const calls = plan().filter((m) => m.kind === 'call');

    // Assess
    for (const call of calls) {
      const message = parseInboundMessage(call.body);
      expect(message.callId).toBe(call.callId);
      const transcript = message.format === 'text' ? parseText(message.callId, message.transcript) : parseTurns(message.callId, message.transcript);
      expect(transcript.turns.length).toBeGreaterThan(1);
    }
  });

  it('makes every kind of poison, none of them a valid message with a transcript', () => {
    // Act
    const poison = plan({ messages: 1000, poison: 0.02, duplicates: 0 }).filter((m) => m.kind === 'poison');

    // Assess
    expect(new Set(poison.map((m) => m.poison))).toEqual(new Set(POISON_KINDS));
    for (const m of poison) {
      if (m.poison === 'missing-object') {
        expect(JSON.parse(m.body).Records[0].s3.object.key).toContain(m.callId);
        continue;
      }
      if (m.poison === 'oversized') {
        expect(Buffer.byteLength(JSON.parse(m.body).transcript)).toBeGreaterThan(240_000);
        continue;
      }
      if (m.poison === 'empty-transcript') {
        expect(() => parseText(m.callId!, parseInboundMessage(m.body).transcript)).toThrow(InvalidInputError);
        continue;
      }
      expect(() => parseInboundMessage(m.body)).toThrow(InvalidInputError);
    }
  });
});

describe('Function: shuffleTranscript', () => {
  it('reorders turns and keeps every one of them', () => {
    // Prepare
    const turns = Array.from({ length: 12 }, (_, i) => ({ role: i % 2 ? 'customer' : 'agent', text: `turn ${i}` }));
    const text = turns.map((t) => `${t.role === 'agent' ? 'Agent' : 'Customer'}: ${t.text}`).join('\n');

    // Act
    const shuffledTurns = shuffleTranscript(turns, createRandom(3)) as typeof turns;
    const shuffledText = shuffleTranscript(text, createRandom(3)) as string;

    // Assess
    expect(shuffledTurns).not.toEqual(turns);
    expect([...shuffledTurns].sort((a, b) => a.text.localeCompare(b.text))).toEqual([...turns].sort((a, b) => a.text.localeCompare(b.text)));
    expect(shuffledText.split('\n').sort()).toEqual(text.split('\n').sort());
    expect(turns[0]!.text).toBe('turn 0');
  });
});
