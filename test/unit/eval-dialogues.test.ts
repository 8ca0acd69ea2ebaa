import { describe, expect, it } from 'vitest';
import { EvalInputError, parseDialogues } from '../../cli/eval/dialogues.ts';

const line = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({
    id: 'd1',
    turns: [{ speaker: 'customer', text: 'My card  is lost.' }, { speaker: 'agent', text: 'I blocked it.' }],
    reference: { summary: 'Customer lost a card.', topics: ['lost_card'], actions: [] },
    meta: {},
    ...over,
  });

function parseError(text: string): EvalInputError {
  try {
    parseDialogues(text);
  } catch (error) {
    if (error instanceof EvalInputError) return error;
    throw error;
  }
  throw new Error('expected an EvalInputError');
}

describe('Function: parseDialogues', () => {
  it('maps speakers to roles and collects the references, skipping blank lines', () => {
    // Act
    const [dialogue, ...rest] = parseDialogues(`${line()}\n\n${line({ id: 7 })}\n`);

    // Assess
    expect(rest.map((d) => d.id)).toEqual(['7']);
    expect(dialogue).toMatchObject({
      id: 'd1',
      line: 1,
      transcript: { callId: 'd1', turns: [{ role: 'customer', text: 'My card is lost.' }, { role: 'agent', text: 'I blocked it.' }] },
      references: { summaries: ['Customer lost a card.'], topics: ['lost_card'], actions: [] },
    });
  });

  it('uses every human summary once, with DialogSum speaker tags named by role', () => {
    // Prepare
    const text = line({
      reference: { summary: '#Person1# helps #Person2#.', topics: [], actions: [] },
      meta: { summaries: ['#Person1# helps #Person2#.', '#Person2# thanks #Person1#.'], abstractive_summaries: ['Agent helps.', 'Agent helps.'], speaker_map: { '#Person1#': 'agent', '#Person2#': 'customer' } },
    });

    // Act
    const [dialogue] = parseDialogues(text);

    // Assess
    expect(dialogue!.references.summaries).toEqual(['the agent helps the customer.', 'Agent helps.', 'the customer thanks the agent.']);
  });

  it('names the line of invalid JSON', () => {
    // Act
    const error = parseError(`${line()}\n{"id": "d2", "turns": [`);

    // Assess
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^line 2: not valid JSON/);
  });

  it('names the line and field of a missing or wrong value', () => {
    // Act
    const badSpeaker = parseError(line({ turns: [{ speaker: 'bot', text: 'hi' }] }));
    const noReference = parseError(`${line()}\n${line({ id: 'd9', reference: undefined })}`);
    const emptyTurns = parseError(line({ turns: [{ speaker: 'agent', text: '  ' }] }));

    // Assess
    expect(badSpeaker).toMatchObject({ line: 1, field: 'turns.0.speaker' });
    expect(badSpeaker.message).toMatch(/^line 1 \(id d1\): field turns\.0\.speaker: /);
    expect(noReference).toMatchObject({ line: 2, field: 'reference' });
    expect(emptyTurns).toMatchObject({ line: 1, field: 'turns' });
  });

  it('refuses a file without dialogues', () => {
    // Act + Assess
    expect(parseError('\n \n').message).toMatch(/no dialogues/);
  });
});
