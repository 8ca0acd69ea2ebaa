import { describe, expect, it } from 'vitest';
import type { Transcript } from '../../domain/transcript.ts';
import { leadSentences } from '../../cli/eval/baseline.ts';

const transcript = (texts: string[]): Transcript => ({
  callId: 'c1',
  turns: texts.map((text, i) => ({ role: i % 2 === 0 ? 'customer' : 'agent', text })),
  meta: { format: 'eval', speakerRoles: {} },
});

describe('Function: leadSentences', () => {
  it('takes the first three sentences across turns, in the order spoken, without labels', () => {
    // Prepare
    const call = transcript(['My card is lost. I need a new one!', 'Sorry to hear that. I can help.', 'Thanks.']);

    // Act
    const lead = leadSentences(call);

    // Assess
    expect(lead).toBe('My card is lost. I need a new one! Sorry to hear that.');
  });

  it('treats the end of a turn as the end of a sentence and returns what there is for short calls', () => {
    // Act + Assess
    expect(leadSentences(transcript(['no punctuation here', 'ok']))).toBe('no punctuation here ok');
    expect(leadSentences(transcript(['One. Two. Three. Four.']), 2)).toBe('One. Two.');
  });
});
