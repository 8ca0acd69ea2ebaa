import { describe, expect, it } from 'vitest';
import { TranscriptFormatError } from '#domain/errors.ts';
import { detectFormat, parseTranscriptDocument } from '#domain/formats/index.ts';
import { TRANSCRIPT_FIXTURES, type FixtureName, fixtureText } from './fixtures.ts';

const fixtures = Object.entries(TRANSCRIPT_FIXTURES) as Array<[FixtureName, (typeof TRANSCRIPT_FIXTURES)[FixtureName]]>;

describe('Function: detectFormat', () => {
  it.each(fixtures)('recognises %s as %s, as text and as a parsed value', (name, format) => {
    const text = fixtureText(name);
    const value: unknown = name.endsWith('.json') ? JSON.parse(text) : text;

    expect(detectFormat(text)).toBe(format);
    expect(detectFormat(value)).toBe(format);
  });

  it('tells Call Analytics from Contact Lens when the transcript list is empty', () => {
    expect(detectFormat({ JobStatus: 'COMPLETED', Transcript: [] })).toBe('transcribe-call-analytics');
    expect(detectFormat({ Version: '1.1.0', Participants: [{ ParticipantId: 'AGENT' }], Transcript: [] })).toBe('contact-lens');
  });

  it('reads "[00:01] Agent: ..." as text although it starts with "["', () => {
    expect(detectFormat('[00:01] Agent: hello\n[00:03] Customer: hi')).toBe('text');
  });

  it('refuses what it cannot place, saying what it saw and what is accepted', () => {
    const attempt = () => detectFormat({ foo: 1, utterances: [] });

    expect(attempt).toThrow(TranscriptFormatError);
    expect(attempt).toThrow(/^transcript is not valid "auto" format \(transcript\): could not tell the transcript format from an object with keys "foo", "utterances"; accepted: turns/);
    expect(() => detectFormat(42)).toThrow(/from a number;/);
    expect(() => detectFormat([])).toThrow(/from an empty array;/);
    expect(() => detectFormat('{"broken": ')).toThrow(/not valid JSON/);
    expect(() => detectFormat('just some words')).toThrow(/neither WebVTT nor "Speaker: \.\.\." lines/);
  });
});

describe('Function: parseTranscriptDocument', () => {
  it.each(fixtures)('parses %s with format auto the same as with its own format', (name, format) => {
    const text = fixtureText(name);

    const auto = parseTranscriptDocument('call-9', 'auto', text);

    expect(auto).toEqual(parseTranscriptDocument('call-9', format, text));
    expect(auto.callId).toBe('call-9');
    expect(auto.meta.format).toBe(format);
    expect(auto.turns.length).toBeGreaterThanOrEqual(6);
    expect(auto.turns.length).toBeLessThanOrEqual(12);
    expect(new Set(auto.turns.map((t) => t.role))).toContain('agent');
    expect(new Set(auto.turns.map((t) => t.role))).toContain('customer');
  });

  it('passes options through to the parser', () => {
    const transcript = parseTranscriptDocument('call-9', 'auto', fixtureText('twilio.json'), { channelRoles: { 1: 'agent', 2: 'customer' } });

    expect(transcript.meta.roleSource).toBe('config');
  });

  it('refuses a document in another format than the one named, naming the format and field', () => {
    expect(() => parseTranscriptDocument('call-9', 'genesys', fixtureText('twilio.json'))).toThrow(
      /^transcript is not valid "genesys" format \(transcripts\): expected an array of transcripts/,
    );
    expect(() => parseTranscriptDocument('call-9', 'contact-lens', fixtureText('transcribe-call-analytics.json'))).toThrow(
      /"contact-lens" format \(Participants\[0\]\.ParticipantId\): Invalid input: expected string/,
    );
    expect(() => parseTranscriptDocument('call-9', 'twilio', fixtureText('webvtt.vtt'))).toThrow(/"twilio" format \(transcript\): expected .* got a string that is not JSON/);
  });

  it('refuses an unknown format name', () => {
    const attempt = () => parseTranscriptDocument('call-9', 'zoom' as never, 'Agent: hi');

    expect(attempt).toThrow(TranscriptFormatError);
    expect(attempt).toThrow(/"zoom" format \(format\): unknown format; expected one of auto, turns/);
  });

  describe('turns and text', () => {
    it('reads a turns array given as JSON text and records its roles as labels', () => {
      const transcript = parseTranscriptDocument('call-9', 'turns', fixtureText('turns.json'));

      expect(transcript.turns[3]).toEqual({ role: 'customer', text: "The light is blinking... and it's paired now!", startMs: 19_600 });
      expect(transcript.meta).toMatchObject({ format: 'turns', roleSource: 'labels' });
    });

    it('reads text lines with their timestamps', () => {
      const transcript = parseTranscriptDocument('call-9', 'text', fixtureText('text.txt'));

      expect(transcript.turns).toHaveLength(8);
      expect(transcript.turns[4]).toEqual({
        role: 'agent',
        text: "Thanks. The flight on the twelfth has seats available. The change fee is forty dollars, and there's no fare difference.",
        startMs: 21_000,
      });
    });

    it('refuses a label that only looks like a speaker because of the object prototype', () => {
      expect(() => parseTranscriptDocument('call-9', 'text', 'Constructor: hello\nAgent: hi')).toThrow(/line 1 has no speaker label/);
    });
  });
});
