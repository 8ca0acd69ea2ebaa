import { describe, expect, it } from 'vitest';
import { parseGenesys } from '#domain/formats/index.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

interface GenesysFixture {
  transcripts: Array<{ phrases: unknown }>;
}

describe('Function: parseGenesys', () => {
  it('maps participantPurpose to roles: internal agent, external customer, ivr other', () => {
    const transcript = parseGenesys('call-5', fixtureText('genesys.json'));

    expect(transcript.turns).toHaveLength(9);
    expect(transcript.turns.slice(0, 3).map((t) => t.role)).toEqual(['other', 'agent', 'customer']);
    expect(transcript.turns[1]).toEqual({
      role: 'agent',
      text: 'Thank you for calling Adatum Bank, my name is Chris. How may I assist you today?',
      startMs: 6_400,
    });
    expect(transcript.meta).toEqual({ format: 'genesys', speakerRoles: { ivr: 'other', internal: 'agent', external: 'customer' }, roleSource: 'labels' });
  });

  it('puts phrases of several communications in time order', () => {
    const doc = fixtureJson<GenesysFixture>('genesys.json');
    const phrases = doc.transcripts[0]!.phrases as unknown[];
    doc.transcripts = [{ phrases: phrases.slice(5) }, { phrases: phrases.slice(0, 5) }];

    expect(parseGenesys('call-5', doc).turns).toEqual(parseGenesys('call-5', fixtureJson('genesys.json')).turns);
  });

  it('names the field that failed', () => {
    const doc = fixtureJson<GenesysFixture>('genesys.json');
    doc.transcripts[0]!.phrases = 'not phrases';

    expect(() => parseGenesys('call-5', doc)).toThrow(
      'transcript is not valid "genesys" format (transcripts[0].phrases): expected an array of phrases',
    );
  });
});
