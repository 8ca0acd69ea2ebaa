import { describe, expect, it } from 'vitest';
import type { CallNotes } from '../../domain/notes.ts';
import { actionOverlap, actionRecall, aggregate, normalizeLabel, percentile, topicScores, type DialogueOutcome } from '../../cli/eval/metrics.ts';

describe('Function: normalizeLabel', () => {
  it('lower-cases and reads _ and - as spaces', () => {
    // Act + Assess
    expect(normalizeLabel('Plane_Book')).toBe('plane book');
    expect(normalizeLabel('  bank-fraud__report ')).toBe('bank fraud report');
  });
});

describe('Function: topicScores', () => {
  it('counts accuracy on the top topic only, and F1 over the label sets', () => {
    // Prepare: predicted {plane book, hotel search, weather}, reference {plane book, ride book}:
    // shared 1 -> P 1/3, R 1/2, F1 2/5.
    const predicted = ['Plane-Book', 'hotel search', 'weather'];

    // Act
    const scores = topicScores(predicted, ['plane_book', 'ride_book']);
    const topMissed = topicScores(['weather', 'plane book'], ['plane_book']);

    // Assess
    expect(scores?.accuracy).toBe(1);
    expect(scores?.f1).toBeCloseTo(2 / 5, 10);
    expect(topMissed?.accuracy).toBe(0);
    expect(topMissed?.f1).toBeCloseTo(2 / 3, 10);
  });

  it('is undefined without reference topics and 0 without predictions', () => {
    // Act + Assess
    expect(topicScores(['billing'], [])).toBeUndefined();
    expect(topicScores([], ['billing'])).toEqual({ accuracy: 0, f1: 0 });
  });
});

describe('Function: actionRecall', () => {
  it('recalls a reference action when a predicted item holds at least half of its tokens', () => {
    // Prepare: "plane_flight_available" -> {plane, flight, available}; 2 of 3 found -> 0.67;
    // "hotel_reservation_succeeded": 1 of 3 -> 0.33, not recalled.
    const predicted = ['Check whether the flight is available for the customer', 'Email the hotel'];

    // Act
    const recall = actionRecall(predicted, ['plane_flight_available', 'hotel_reservation_succeeded']);

    // Assess
    expect(actionOverlap('plane_flight_available', predicted[0]!)).toBeCloseTo(2 / 3, 10);
    expect(actionOverlap('hotel_reservation_succeeded', predicted[1]!)).toBeCloseTo(1 / 3, 10);
    expect(recall).toBe(0.5);
  });

  it('ignores stop words when comparing and counts exactly half as a match', () => {
    // Act + Assess: "send a refund" -> {send, refund}; the item has "send" only: 1 of 2.
    expect(actionOverlap('send a refund', 'Send the customer a new card')).toBe(0.5);
    expect(actionRecall(['Send the customer a new card'], ['send a refund'])).toBe(1);
    expect(actionRecall([], ['send a refund'])).toBe(0);
    expect(actionRecall(['anything'], [])).toBeUndefined();
  });
});

describe('Function: percentile', () => {
  it('uses the nearest rank', () => {
    // Prepare
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];

    // Act + Assess
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe('Function: aggregate', () => {
  const notes = (summary: string, topics: string[]): CallNotes => ({ summary, topics, actionItems: [], outcome: 'resolved' });
  const outcome = (over: Partial<DialogueOutcome>): DialogueOutcome => ({
    id: 'x',
    references: { summaries: [], topics: [], actions: [] },
    notes: null,
    latencyMs: 0,
    baselineSummary: '',
    ...over,
  });

  it('averages each metric over the dialogues that have its reference, and scores failures as 0', () => {
    // Prepare
    const outcomes = [
      outcome({ id: 'a', references: { summaries: ['the card was lost'], topics: [], actions: [] }, notes: notes('the card was lost', ['lost card']), latencyMs: 10, usage: { inputTokens: 100, outputTokens: 20, modelCalls: 1 }, baselineSummary: 'hello there' }),
      outcome({ id: 'b', references: { summaries: ['a refund was issued'], topics: [], actions: [] }, error: 'ModelOutputError: bad', latencyMs: 30, baselineSummary: 'a refund was issued' }),
      outcome({ id: 'c', references: { summaries: [], topics: ['lost_card'], actions: [] }, notes: notes('x y', ['Lost-Card']), latencyMs: 20, usage: { inputTokens: 300, outputTokens: 40, modelCalls: 2 } }),
    ];

    // Act
    const metrics = aggregate(outcomes, 'lead-3 baseline');

    // Assess
    expect(metrics).toMatchObject({ dialogues: 3, withSummary: 2, withTopics: 1, withActions: 0 });
    expect(metrics.model.rougeL).toBeCloseTo(0.5, 10);
    expect(metrics.baseline.rougeL).toBeCloseTo(0.5, 10);
    expect(metrics.model.topicAccuracy).toBe(1);
    expect(metrics.model.actionRecall).toBeNull();
    expect(metrics.model.schemaValidRate).toBeCloseTo(2 / 3, 10);
    expect(metrics.model.firstAnswerValidRate).toBeCloseTo(1 / 3, 10);
    expect(metrics.model.errors).toBe(1);
    expect(metrics.model.inputTokensPerCall).toBe(200);
    expect(metrics.model.outputTokensPerCall).toBe(30);
    expect(metrics.model.latencyP50Ms).toBe(10);
    expect(metrics.model.latencyP95Ms).toBe(20);
  });
});
