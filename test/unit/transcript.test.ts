import { describe, expect, it } from 'vitest';
import { TranscriptFormatError } from '#domain/errors.ts';
import { parseText, parseTurns } from '#domain/transcript.ts';

describe('Function: parseText', () => {
  it('reads Agent/Customer lines and their common variants', () => {
    const transcript = parseText('c1', 'Rep: Thanks for calling.\n\n[00:01:05] Caller: My bill is wrong.\nit doubled this month\nAgent: Let me check.');

    expect(transcript.turns).toEqual([
      { role: 'agent', text: 'Thanks for calling.' },
      { role: 'customer', text: 'My bill is wrong. it doubled this month', startMs: 65_000 },
      { role: 'agent', text: 'Let me check.' },
    ]);
    expect(transcript.meta.speakerRoles).toMatchObject({ Rep: 'agent', Caller: 'customer', Agent: 'agent' });
  });

  it('refuses text whose first line has no speaker label', () => {
    expect(() => parseText('c1', 'hello there\nAgent: hi')).toThrow(/no speaker label/);
  });

  it('refuses a non-string transcript, naming what it got', () => {
    expect(() => parseText('c1', { a: 1 })).toThrow(TranscriptFormatError);
    expect(() => parseText('c1', { a: 1 })).toThrow(/got an object/);
  });
});

describe('Function: parseTurns', () => {
  it('drops empty turns and trims text', () => {
    const transcript = parseTurns('c1', [{ role: 'agent', text: '  Hello ' }, { role: 'customer', text: '   ' }]);

    expect(transcript.turns).toEqual([{ role: 'agent', text: 'Hello' }]);
  });

  it('names the turn and field that failed', () => {
    expect(() => parseTurns('c1', [{ role: 'agent', text: 'ok' }, { role: 'agent', text: 5 }])).toThrow(/transcript\.1\.text/);
  });
});
