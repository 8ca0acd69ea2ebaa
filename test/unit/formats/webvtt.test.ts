import { describe, expect, it } from 'vitest';
import { parseWebVtt } from '#domain/formats/index.ts';
import { fixtureText } from './fixtures.ts';

describe('Function: parseWebVtt', () => {
  it('reads voice tags, joins cues of one speaker and finds the agent among named speakers', () => {
    const transcript = parseWebVtt('meet-1', fixtureText('webvtt.vtt'));

    expect(transcript.turns).toHaveLength(8);
    expect(transcript.turns[0]).toEqual({ role: 'agent', text: 'Hi, this is Jordan with Relecloud support. How can I help you today?', startMs: 500 });
    expect(transcript.turns[1]).toEqual({
      role: 'customer',
      text: "Hi Jordan. I can't share my screen in meetings since the last update. The button is just greyed out.",
      startMs: 4_900,
    });
    expect(transcript.turns[4]!.text).toContain('Privacy & Security');
    expect(transcript.turns[5]!.text).toBe('Okay, I turned it on and restarted the app. It works now.');
    expect(transcript.meta).toEqual({ format: 'webvtt', speakerRoles: { 'Jordan Lee': 'agent', 'Sam Rivera': 'customer' }, roleSource: 'heuristic' });
  });

  it('takes roles from role-word voices and "Agent:" prefixes', () => {
    const vtt = [
      'WEBVTT',
      '',
      '00:01.000 --> 00:03.000',
      '<v.first Customer>My card was declined.</v>',
      '',
      '00:03.500 --> 00:06.000',
      'Agent: Let me check that for you.',
      '',
      '01:00:06.500 --> 01:00:08.000',
      'Caller: Thanks.',
    ].join('\n');

    const transcript = parseWebVtt('meet-2', vtt);

    expect(transcript.turns).toEqual([
      { role: 'customer', text: 'My card was declined.', startMs: 1_000 },
      { role: 'agent', text: 'Let me check that for you.', startMs: 3_500 },
      { role: 'customer', text: 'Thanks.', startMs: 3_606_500 },
    ]);
    expect(transcript.meta.roleSource).toBe('labels');
  });

  it('uses channelRoles for speaker names', () => {
    const transcript = parseWebVtt('meet-1', fixtureText('webvtt.vtt'), { channelRoles: { 'Sam Rivera': 'agent', 'Jordan Lee': 'customer' } });

    expect(transcript.turns[0]!.role).toBe('customer');
    expect(transcript.meta.roleSource).toBe('config');
  });

  it('refuses text without a WEBVTT header, and a file without cues', () => {
    expect(() => parseWebVtt('meet-3', '00:01.000 --> 00:02.000\nhello')).toThrow(/"webvtt" format \(transcript\): expected WebVTT text/);
    expect(() => parseWebVtt('meet-3', 'WEBVTT\n\nNOTE nothing here\n')).toThrow(/no spoken turns/);
    expect(() => parseWebVtt('meet-3', { text: 'WEBVTT' })).toThrow(/got an object/);
  });
});
