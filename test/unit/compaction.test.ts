import { describe, expect, it } from 'vitest';
import { compactionSaving, compactText, compactTranscript } from '#domain/compaction.ts';
import type { Role, Transcript } from '#domain/transcript.ts';

const transcriptOf = (...turns: [Role, string, number?][]): Transcript => ({
  callId: 'call-7',
  turns: turns.map(([role, text, startMs]) => (startMs === undefined ? { role, text } : { role, text, startMs })),
  meta: { format: 'turns', speakerRoles: { Agent: 'agent', Caller: 'customer' } },
});

describe('Function: compactText', () => {
  it.each([
    ['Um, so, uh, the the bill is is wrong, and I- I called twice.', 'So the bill is wrong, and I called twice.'],
    ['I mean, th- the router, like, keeps dropping every, uh, every hour.', 'The router keeps dropping every hour.'],
    ['Yeah so I I I tried to, um, restart it, you know, like three times.', 'Yeah so I tried to restart it like three times.'],
    ['Hmm, let me, er, pull up the account.', 'Let me pull up the account.'],
    ['Ah, okay, the card [CARD] was charged, uh, twice on the the fifth.', 'Okay, the card [CARD] was charged twice on the fifth.'],
  ])('cleans "%s"', (spoken, compacted) => {
    expect(compactText(spoken)).toBe(compactText(compacted));
    expect(compactText(spoken)).toBe(compacted);
  });

  it.each([
    'You know what I mean? I like the new plan.',
    'I mean it, I want to cancel.',
    'My number is five five five, one two three.',
    'I know that that is not your fault.',
    'I went to the ER last night.',
    'The refund of $49.99 arrives in 5 to 7 business days.',
    'Cards [CARD] [CARD] and [PII] were replaced.',
    'It feels like the router is broken.',
  ])('keeps content as said: "%s"', (sentence) => {
    expect(compactText(sentence)).toBe(sentence);
  });

  it('empties a turn of pure filler', () => {
    expect(compactText('Um... uh, hmm.')).toBe('');
  });
});

describe('Function: compactTranscript', () => {
  it('drops backchannel between two turns of the other speaker and merges them', () => {
    // Prepare
    const transcript = transcriptOf(
      ['agent', 'So I see two charges on the account.', 1_000],
      ['customer', 'Mm-hmm.', 3_000],
      ['agent', 'One of them is a duplicate, so I will reverse it.', 4_000],
      ['customer', 'Okay, right.', 6_000],
      ['agent', 'It should show up in 5 business days.', 7_000],
      ['customer', 'Great, thank you so much.', 9_000],
    );

    // Act
    const compacted = compactTranscript(transcript);

    // Assess
    expect(compacted.turns).toEqual([
      { role: 'agent', text: 'So I see two charges on the account. One of them is a duplicate, so I will reverse it. It should show up in 5 business days.', startMs: 1_000 },
      { role: 'customer', text: 'Great, thank you so much.', startMs: 9_000 },
    ]);
    expect(compacted.callId).toBe('call-7');
    expect(compacted.meta).toEqual(transcript.meta);
  });

  it('keeps an "okay" that answers a question, and backchannel at the edges of the call', () => {
    const transcript = transcriptOf(
      ['customer', 'Okay.'],
      ['agent', 'Do you want me to cancel the order?'],
      ['customer', 'Okay.'],
      ['agent', 'Done, it is cancelled.'],
      ['customer', 'Right.'],
    );

    const compacted = compactTranscript(transcript);

    expect(compacted.turns.map((t) => t.text)).toEqual(['Okay.', 'Do you want me to cancel the order?', 'Okay.', 'Done, it is cancelled.', 'Right.']);
  });

  it('drops turns that were only filler, merging the speaker turns around them', () => {
    const transcript = transcriptOf(['customer', 'My internet, uh, keeps dropping.', 0], ['agent', 'Um...', 2_000], ['customer', 'Like every hour.', 3_000]);

    const compacted = compactTranscript(transcript);

    expect(compacted.turns).toEqual([{ role: 'customer', text: 'My internet keeps dropping. Like every hour.', startMs: 0 }]);
  });

  it('does not change its input, and keeps every placeholder and content word', () => {
    // Prepare
    const transcript = transcriptOf(
      ['customer', 'Uh, hi, yeah, I I need to, um, update the the card, it is [CARD], and my email is [EMAIL].'],
      ['agent', 'Sure, I- I can do that. And, uh, the phone, [PHONE], is still right?'],
      ['customer', 'Yes, yes.'],
    );
    const copy = structuredClone(transcript);
    const words = (t: Transcript): Set<string> => new Set(t.turns.flatMap((turn) => turn.text.toLowerCase().match(/\[[a-z]+\]|[a-z']+/g) ?? []));
    const FILLER = new Set(['uh', 'um']);

    // Act
    const compacted = compactTranscript(transcript);

    // Assess
    expect(transcript).toEqual(copy);
    const after = words(compacted);
    for (const word of words(transcript)) if (!FILLER.has(word)) expect(after).toContain(word);
    expect(compacted.turns.map((t) => t.text).join(' ')).toMatch(/\[CARD\].*\[EMAIL\].*\[PHONE\]/);
  });
});

describe('Function: compactionSaving', () => {
  it('measures the rendered prompt before and after', () => {
    // Prepare
    const before = transcriptOf(
      ['customer', 'Um, so, uh, I I was, like, charged twice, you know, for the the same, uh, order.'],
      ['agent', 'Mm-hmm.'],
      ['customer', 'And, um, I- I want a refund.'],
      ['agent', 'Okay, I, uh, I see it and I will refund the second charge.'],
    );

    // Act
    const after = compactTranscript(before);
    const saving = compactionSaving(before, after);

    // Assess
    expect(after.turns.map((t) => t.text)).toEqual([
      'So I was charged twice for the same order. And I want a refund.',
      'Okay, I see it and I will refund the second charge.',
    ]);
    expect(saving.charsBefore).toBeGreaterThan(saving.charsAfter);
    expect(saving.ratio).toBeCloseTo(saving.charsAfter / saving.charsBefore);
    expect(saving.ratio).toBeLessThan(0.8);
  });
});
