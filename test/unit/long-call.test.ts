import { describe, expect, it } from 'vitest';
import { mergeNotes, splitTranscript } from '#domain/long-call.ts';
import { CallNotesSchema, countSentences, type CallNotes } from '#domain/notes.ts';
import { renderTranscript, renderTurns } from '#domain/prompt.ts';
import { estimateTokens, type Role, type Transcript } from '#domain/transcript.ts';

/** Deterministic pseudo-random numbers (a linear congruential generator), so the call is the same every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) % 4_294_967_296;
    return state / 4_294_967_296;
  };
}

const SENTENCES = [
  'I am looking at the account now.',
  'The bill went up by twenty dollars this month.',
  'Can you check whether the promotion expired?',
  'The router keeps dropping the connection every evening.',
  'I will open a ticket with the network team.',
  'Let me put you on a brief hold while I check.',
  'The technician can come Thursday between 8 and 12.',
  'The credit will show on the next statement.',
  'Is there anything else I can help with today?',
  'My card [CARD] was charged twice for the same order.',
];

/** A two-hour call: ~1,500 turns, one every ~4.8 s, with a few long monologues. */
function twoHourCall(): Transcript {
  const random = seeded(2024);
  const turns = Array.from({ length: 1_500 }, (_, i) => {
    const role: Role = i % 2 === 0 ? 'agent' : 'customer';
    const count = i % 250 === 7 ? 120 : 1 + Math.floor(random() * 4); // every 250th turn reads out terms and conditions
    const text = Array.from({ length: count }, (_, k) => `${SENTENCES[Math.floor(random() * SENTENCES.length)]!.slice(0, -1)} (turn ${i}, part ${k}).`).join(' ');
    return { role, text, startMs: i * 4_800 };
  });
  return { callId: 'call-2h', turns, meta: { format: 'turns', speakerRoles: { agent: 'agent', customer: 'customer' } } };
}

/** The uncompacted `Role: text` lines, the budget's measure. */
const rawLines = (t: Transcript): string => renderTurns(t);

const notes = (overrides: Partial<CallNotes>): CallNotes => ({
  summary: 'The customer called about a billing issue. The agent checked the account.',
  topics: ['billing'],
  actionItems: [],
  outcome: 'resolved',
  ...overrides,
});

describe('Function: splitTranscript', () => {
  it('splits a two-hour call into parts under budget, losing nothing', () => {
    // Prepare
    const call = twoHourCall();
    const budget = 4_000;

    // Act
    const parts = splitTranscript(call, budget);

    // Assess
    expect(estimateTokens(rawLines(call))).toBeGreaterThan(10 * budget);
    expect(parts.length).toBeGreaterThan(10);
    for (const part of parts) {
      expect(estimateTokens(rawLines(part))).toBeLessThanOrEqual(budget);
      expect(estimateTokens(renderTranscript(part))).toBeLessThanOrEqual(budget);
      expect(part.callId).toBe(call.callId);
      expect(part.meta).toEqual(call.meta);
    }
    const said = parts.flatMap((part) => part.turns.map((turn) => `${turn.role}|${turn.text}`));
    const everything = said.join('\n');
    for (const turn of call.turns) {
      // a long monologue is cut into several turns of the same role, on sentence boundaries
      for (const sentence of turn.text.split(/(?<=\.)\s+/)) expect(everything).toContain(sentence);
      expect(said.some((line) => line.startsWith(`${turn.role}|`) && line.includes(turn.text.split(/(?<=\.)\s+/)[0]!))).toBe(true);
    }
  });

  it('cuts a turn over the budget on sentence boundaries into turns of the same role', () => {
    // Prepare
    const monologue = Array.from({ length: 40 }, (_, i) => `Clause ${i} of the terms applies to every plan.`).join(' ');
    const call: Transcript = {
      callId: 'c-long',
      turns: [
        { role: 'customer', text: 'What are the terms?', startMs: 0 },
        { role: 'agent', text: monologue, startMs: 5_000 },
      ],
      meta: { format: 'text', speakerRoles: { Agent: 'agent' } },
    };

    // Act
    const parts = splitTranscript(call, 200);

    // Assess
    const agentTurns = parts.flatMap((p) => p.turns).filter((t) => t.role === 'agent');
    expect(new Set(agentTurns.map((t) => t.text)).size).toBeGreaterThan(1);
    for (const turn of agentTurns) expect(turn.text).toMatch(/^Clause \d+ .*plan\.$/);
    expect(agentTurns.find((t) => t.text.startsWith('Clause 0 '))?.startMs).toBe(5_000);
    for (const part of parts) expect(estimateTokens(rawLines(part))).toBeLessThanOrEqual(200);
  });

  it('starts each part with the last 2 turns of the previous part', () => {
    const turns = Array.from({ length: 60 }, (_, i) => ({ role: (i % 2 ? 'customer' : 'agent') as Role, text: `Turn number ${i} says a few words here.` }));
    const call: Transcript = { callId: 'c', turns, meta: { format: 'turns', speakerRoles: {} } };

    const parts = splitTranscript(call, 150);

    expect(parts.length).toBeGreaterThan(2);
    parts.slice(1).forEach((part, i) => expect(part.turns.slice(0, 2)).toEqual(parts[i]!.turns.slice(-2)));
  });

  it('returns the call as one part when it fits', () => {
    const call: Transcript = { callId: 'c', turns: [{ role: 'agent', text: 'Hello.' }], meta: { format: 'turns', speakerRoles: {} } };

    expect(splitTranscript(call, 1_000)).toEqual([call]);
  });

  it('refuses a budget too small for any turn', () => {
    const call: Transcript = { callId: 'c', turns: [{ role: 'agent', text: 'Hello.' }], meta: { format: 'turns', speakerRoles: {} } };

    expect(() => splitTranscript(call, 3)).toThrow(RangeError);
  });
});

describe('Function: mergeNotes', () => {
  it('merges the notes of 10 parts into one schema-valid result', () => {
    // Prepare
    const parts = Array.from({ length: 10 }, (_, i) =>
      notes({
        summary: `Part ${i}: the customer asked about charge number ${i}. The agent reviewed invoice ${i} and the plan history in detail. Outcome of part ${i} was noted.`,
        topics: [`Topic ${i % 7}`, 'billing', i % 2 ? 'Refund' : 'refund'],
        actionItems: Array.from({ length: 3 }, (_, k) => ({ owner: 'agent' as const, text: `Send document ${i * 3 + k} by email`, due: null })),
        outcome: i === 9 ? 'resolved' : 'follow_up',
      }),
    );

    // Act
    const merged = mergeNotes(parts);

    // Assess
    expect(CallNotesSchema.safeParse(merged).success).toBe(true);
    expect(merged.topics).toEqual(['billing', 'refund', 'Topic 0', 'Topic 1', 'Topic 2']);
    expect(merged.actionItems).toHaveLength(20);
    expect(merged.outcome).toBe('follow_up');
    expect(countSentences(merged.summary)).toBeGreaterThanOrEqual(2);
    expect(countSentences(merged.summary)).toBeLessThanOrEqual(5);
    expect(merged.summary.startsWith('Part 0: the customer asked about charge number 0.')).toBe(true);
    expect(merged.summary.endsWith('Outcome of part 9 was noted.')).toBe(true);
  });

  it('keeps near-identical action items once, with the latest due date said', () => {
    const parts = [
      notes({ actionItems: [{ owner: 'company', text: 'Mail a replacement card.', due: '2026-11-20' }, { owner: 'customer', text: 'Return the old router', due: null }] }),
      notes({ actionItems: [{ owner: 'company', text: 'mail a replacement card', due: '2026-11-22' }, { owner: 'agent', text: 'Mail a replacement card', due: null }] }),
      notes({ actionItems: [{ owner: 'company', text: 'Mail the replacement card', due: null }] }),
    ];

    const merged = mergeNotes(parts);

    expect(merged.actionItems).toEqual([
      { owner: 'company', text: 'Mail a replacement card.', due: '2026-11-22' },
      { owner: 'customer', text: 'Return the old router', due: null },
      { owner: 'agent', text: 'Mail a replacement card', due: null },
    ]);
  });

  it.each([
    [['resolved', 'escalated', 'resolved'], [], 'escalated'],
    [['unresolved', 'resolved'], [], 'resolved'],
    [['follow_up', 'resolved'], [{ owner: 'agent', text: 'Call back Friday', due: null }], 'follow_up'],
    [['follow_up', 'unresolved'], [], 'unresolved'],
  ] as const)('takes the outcome %j (items %j) as %s', (outcomes, items, expected) => {
    const parts = outcomes.map((outcome, i) => notes({ outcome, actionItems: i === 0 ? [...items] : [] }));

    expect(mergeNotes(parts).outcome).toBe(expected);
  });

  it('keeps the summary within 5 sentences and 2000 characters however long the parts are', () => {
    const long = (i: number): string => `Sentence one of part ${i} ${'is very long '.repeat(60)}. Two ${'words '.repeat(50)}${i}. Three about topic ${i}. Four. Five ends part ${i}.`;
    const parts = Array.from({ length: 6 }, (_, i) => notes({ summary: long(i) }));

    const merged = mergeNotes(parts);

    expect(merged.summary.length).toBeLessThanOrEqual(2_000);
    expect(countSentences(merged.summary)).toBeLessThanOrEqual(5);
    expect(merged.summary.startsWith('Sentence one of part 0')).toBe(true);
    expect(merged.summary.endsWith('Five ends part 5.')).toBe(true);
  });

  it('returns a single part as it is, and refuses none', () => {
    const only = notes({ outcome: 'unresolved' });

    expect(mergeNotes([only])).toEqual(only);
    expect(() => mergeNotes([])).toThrow(RangeError);
  });
});
