import { describe, expect, it } from 'vitest';
import { accountSoak, percentile, type AccountingInput, type SentMessage } from '../../cli/soak/accounting.ts';

const T0 = Date.parse('2026-11-01T08:00:00Z');
const call = (n: number): SentMessage => ({ planned: { kind: 'call', callId: `c${n}`, body: `{"callId":"c${n}"}` }, messageId: `m${n}`, sentAtMs: T0 });
const duplicate = (n: number, id: string): SentMessage => ({ planned: { kind: 'duplicate', callId: `c${n}`, body: `{"callId":"c${n}"}`, of: n }, messageId: id, sentAtMs: T0 });
const poison = (id: string): SentMessage => ({ planned: { kind: 'poison', poison: 'truncated-json', body: '{"callId":"p' }, messageId: id, sentAtMs: T0 });
const stored = (n: number, afterMs = 1000) => ({ entity: 'call', callId: `c${n}`, transcriptHash: `h${n}`, processedAt: new Date(T0 + afterMs).toISOString() });
const model = { converseCalls: 0, throttled: 0, timedOut: 0, malformed: 0, failed: 0 };
const input = (overrides: Partial<AccountingInput>): AccountingInput => ({ sent: [], items: [], deadLetters: [], model, stillQueued: 0, wallTimeMs: 1000, ...overrides });

describe('Function: accountSoak', () => {
  it('accounts every message: stored, absorbed duplicate, rejected, dead-lettered', () => {
    // Prepare
    const sent = [call(1), call(2), duplicate(1, 'm1b'), poison('p1'), call(3)];
    const items = [stored(1), stored(2, 3000), { entity: 'rejection', messageId: 'p1', reason: 'invalid-message' }];
    const deadLetters = [{ messageId: 'm3', body: '{"callId":"c3"}', reason: 'transient failures exhausted 5 receives' }];

    // Act
    const report = accountSoak(input({ sent, items, deadLetters, model: { converseCalls: 5, throttled: 2, timedOut: 0, malformed: 1, failed: 2 } }));

    // Assess
    expect(report).toMatchObject({
      sent: 5,
      uniqueCalls: 3,
      processed: 2,
      duplicatesAbsorbed: 1,
      rejected: { total: 1, byReason: { 'invalid-message': 1 } },
      deadLettered: { total: 1, byKind: { call: 1 } },
      recordsStored: 2,
      duplicateRecords: 0,
      lost: 0,
      poison: { sent: 1, rejected: 1, unaccounted: 0 },
      modelCalls: { total: 5, successful: 2, faultForced: { throttled: 2, malformed: 1, otherErrors: 0 } },
      latencyMs: { p50: 1000, p95: 3000, samples: 2 },
      checks: { nothingLost: true, noDuplicateRecords: true, everyPoisonAccounted: true, modelCallsWithinBudget: true },
    });
  });

  it('reports a message found nowhere as lost', () => {
    // Act
    const report = accountSoak(input({ sent: [call(1), call(2), poison('p1')], items: [stored(1)] }));

    // Assess
    expect(report.lost).toBe(2);
    expect(report.lostSample.map((l) => l.messageId)).toEqual(['m2', 'p1']);
    expect(report.poison.unaccounted).toBe(1);
    expect(report.checks).toMatchObject({ nothingLost: false, everyPoisonAccounted: false });
  });

  it('counts a second item for the same call, or the same notes version, as a duplicate record', () => {
    // Prepare
    const items = [stored(1), stored(1), stored(2), { entity: 'notes-version', callId: 'c2', transcriptHash: 'h2' }, { entity: 'notes-version', callId: 'c2', transcriptHash: 'h2' }];

    // Act
    const report = accountSoak(input({ sent: [call(1), call(2)], items }));

    // Assess
    expect(report.duplicateRecords).toBe(2);
    expect(report.checks.noDuplicateRecords).toBe(false);
  });

  it('finds a dead letter by its body when SQS gave it a new id', () => {
    // Act
    const report = accountSoak(input({ sent: [poison('p1')], deadLetters: [{ messageId: 'other', body: '{"callId":"p', reason: 'x' }] }));

    // Assess
    expect(report).toMatchObject({ lost: 0, poison: { deadLettered: 1 }, deadLettered: { total: 1, byReason: { x: 1 } } });
  });

  it('holds successful model calls to the budget per unique call', () => {
    // Act
    const report = accountSoak(input({ sent: [call(1), call(2)], items: [stored(1), stored(2)], model: { ...model, converseCalls: 3 } }));

    // Assess
    expect(report.modelCalls.successfulPerUniqueCall).toBe(1.5);
    expect(report.checks.modelCallsWithinBudget).toBe(false);
  });
});

describe('Function: percentile', () => {
  it('takes the nearest rank', () => {
    // Act + Assess
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
    expect(percentile([], 95)).toBe(0);
  });
});
