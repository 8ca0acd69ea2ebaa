import { describe, expect, it } from 'vitest';
import { parseTwilio, TWILIO_CHANNEL_ROLES } from '#domain/formats/index.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

interface TwilioFixture {
  sentences: Array<{ media_channel: unknown; start_time: unknown; transcript: string }>;
}

describe('Function: parseTwilio', () => {
  it('maps media channels by the dual-channel convention (1 customer, 2 agent) and records it', () => {
    const transcript = parseTwilio('call-6', fixtureText('twilio.json'));

    expect(TWILIO_CHANNEL_ROLES).toEqual({ 1: 'customer', 2: 'agent' });
    expect(transcript.turns).toHaveLength(8);
    expect(transcript.turns[0]).toEqual({ role: 'agent', text: 'Thank you for calling Proseware Pharmacy, this is Dana. How can I help?', startMs: 840 });
    expect(transcript.turns[1]).toMatchObject({ role: 'customer', startMs: 6_120 });
    expect(transcript.meta).toEqual({ format: 'twilio', speakerRoles: { 1: 'customer', 2: 'agent' }, roleSource: 'convention' });
  });

  it('uses channelRoles when given', () => {
    const transcript = parseTwilio('call-6', fixtureJson('twilio.json'), { channelRoles: { 1: 'agent', 2: 'customer' } });

    expect(transcript.turns[0]!.role).toBe('customer');
    expect(transcript.meta).toMatchObject({ speakerRoles: { 1: 'agent', 2: 'customer' }, roleSource: 'config' });
  });

  it('orders by sentence_index and accepts a bare array of sentences with numeric times', () => {
    const doc = fixtureJson<TwilioFixture>('twilio.json');
    const sentences = doc.sentences.reverse().map((s) => ({ ...s, start_time: Number(s.start_time) }));

    expect(parseTwilio('call-6', sentences).turns).toEqual(parseTwilio('call-6', fixtureJson('twilio.json')).turns);
  });

  it("marks a single-channel (mono) transcript as 'other' without configuration", () => {
    const doc = fixtureJson<TwilioFixture>('twilio.json');
    for (const s of doc.sentences) s.media_channel = 1;

    const transcript = parseTwilio('call-6', doc);

    expect(transcript.turns).toHaveLength(1);
    expect(transcript.turns[0]!.role).toBe('other');
  });

  it('names the field that failed', () => {
    const doc = fixtureJson<TwilioFixture>('twilio.json');
    doc.sentences[2]!.media_channel = 'two';

    expect(() => parseTwilio('call-6', doc)).toThrow(/"twilio" format \(sentences\[2\]\.media_channel\): Invalid input: expected number/);
  });
});
