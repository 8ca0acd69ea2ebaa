import { describe, expect, it } from 'vitest';
import { TranscriptFormatError } from '#domain/errors.ts';
import { parseTranscribe } from '#domain/formats/index.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

interface TranscribeFixture {
  results: {
    items?: Array<{ type: string; speaker_label?: string; channel_label?: string; start_time?: string; alternatives: Array<{ content: string }> }>;
    audio_segments?: unknown[];
    speaker_labels?: unknown;
    channel_labels?: unknown;
  };
}

describe('Function: parseTranscribe', () => {
  describe('diarized output', () => {
    it('rebuilds turns from items with punctuation attached and the agent found by its phrases', () => {
      const transcript = parseTranscribe('call-1', fixtureText('transcribe-diarized.json'));

      expect(transcript.turns).toHaveLength(9);
      expect(transcript.turns.map((t) => t.role)).toEqual(['agent', 'customer', 'agent', 'customer', 'agent', 'customer', 'agent', 'customer', 'agent']);
      expect(transcript.turns[0]).toEqual({
        role: 'agent',
        text: 'Thank you for calling Northwind Broadband, this is Maya. How can I help you today?',
        startMs: 600,
      });
      expect(transcript.turns[3]).toEqual({ role: 'customer', text: "Sure, it's 555-0142.", startMs: 18_255 });
      expect(transcript.meta).toEqual({ format: 'transcribe', speakerRoles: { spk_0: 'agent', spk_1: 'customer' }, roleSource: 'heuristic' });
    });

    it('uses configured roles for speaker labels', () => {
      const transcript = parseTranscribe('call-1', fixtureJson('transcribe-diarized.json'), { channelRoles: { spk_0: 'customer', spk_1: 'agent' } });

      expect(transcript.turns[0]!.role).toBe('customer');
      expect(transcript.meta.speakerRoles).toEqual({ spk_0: 'customer', spk_1: 'agent' });
      expect(transcript.meta.roleSource).toBe('config');
    });

    it('reads speakers from speaker_labels.segments when items carry no label (older output)', () => {
      const doc = fixtureJson<TranscribeFixture>('transcribe-diarized.json');
      for (const item of doc.results.items!) delete item.speaker_label;
      const expected = parseTranscribe('call-1', fixtureJson('transcribe-diarized.json'));

      const transcript = parseTranscribe('call-1', doc);

      expect(transcript.turns).toEqual(expected.turns);
    });

    it('falls back to audio_segments when there are no items', () => {
      const doc = fixtureJson<TranscribeFixture>('transcribe-diarized.json');
      delete doc.results.items;

      const transcript = parseTranscribe('call-1', doc);

      expect(transcript.turns).toEqual(parseTranscribe('call-1', fixtureJson('transcribe-diarized.json')).turns);
    });

    it("marks speech as 'other' when the job neither diarized nor split channels", () => {
      const doc = fixtureJson<TranscribeFixture>('transcribe-diarized.json');
      for (const item of doc.results.items!) delete item.speaker_label;
      delete doc.results.speaker_labels;

      const transcript = parseTranscribe('call-1', doc);

      expect(transcript.turns).toHaveLength(1);
      expect(transcript.turns[0]).toMatchObject({ role: 'other', startMs: 600 });
      expect(transcript.meta.speakerRoles).toEqual({ unlabelled: 'other' });
    });
  });

  describe('channel-separated output', () => {
    it('finds the agent by phrases even when the customer speaks first', () => {
      const transcript = parseTranscribe('call-2', fixtureJson('transcribe-channels.json'));

      expect(transcript.turns).toHaveLength(9);
      expect(transcript.turns[0]).toEqual({ role: 'customer', text: 'Hello?', startMs: 600 });
      expect(transcript.turns[1]!.role).toBe('agent');
      expect(transcript.turns[4]!.text).toBe("It's C as in cat, four, four, nine, one.");
      expect(transcript.meta.speakerRoles).toEqual({ ch_0: 'customer', ch_1: 'agent' });
    });

    it('uses channelRoles for ch_0/ch_1', () => {
      const transcript = parseTranscribe('call-2', fixtureJson('transcribe-channels.json'), { channelRoles: { ch_0: 'agent', ch_1: 'customer' } });

      expect(transcript.turns[0]!.role).toBe('agent');
      expect(transcript.meta.roleSource).toBe('config');
    });

    it('merges the per-channel item lists in time order when results.items is absent', () => {
      const doc = fixtureJson<TranscribeFixture>('transcribe-channels.json');
      delete doc.results.items;

      const transcript = parseTranscribe('call-2', doc);

      expect(transcript.turns).toEqual(parseTranscribe('call-2', fixtureJson('transcribe-channels.json')).turns);
    });
  });

  describe('refusals', () => {
    it('names the item field that failed', () => {
      const doc = fixtureJson<TranscribeFixture>('transcribe-diarized.json');
      doc.results.items![3]!.alternatives = [];

      expect(() => parseTranscribe('call-1', doc)).toThrow(TranscriptFormatError);
      expect(() => parseTranscribe('call-1', doc)).toThrow(/"transcribe" format \(results\.items\[3\]\.alternatives\): expected at least one alternative/);
    });

    it('refuses a document without results, and one with no words', () => {
      expect(() => parseTranscribe('call-1', { jobName: 'x' })).toThrow(/\(results\): expected the "results" object/);
      expect(() => parseTranscribe('call-1', { results: { items: [] } })).toThrow(/no spoken turns/);
    });

    it('refuses a string that is not JSON', () => {
      expect(() => parseTranscribe('call-1', '{"results": ')).toThrow(/"transcribe" format \(transcript\): the string is not valid JSON/);
    });
  });
});
