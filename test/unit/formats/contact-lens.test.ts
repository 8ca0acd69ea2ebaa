import { describe, expect, it } from 'vitest';
import { parseContactLens } from '#domain/formats/index.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

interface ContactLensFixture {
  Participants?: Array<{ ParticipantId: string; ParticipantRole?: string }>;
  Transcript: Array<Record<string, unknown>>;
}

describe('Function: parseContactLens', () => {
  describe('voice', () => {
    it('maps ParticipantId to roles through Participants and keeps redaction tags', () => {
      const transcript = parseContactLens('call-4', fixtureText('contact-lens-voice.json'));

      expect(transcript.turns).toHaveLength(10);
      expect(transcript.turns[0]).toEqual({
        role: 'agent',
        text: 'Hello, thank you for calling Tailspin Home Delivery. This is Omar, how can I help you?',
        startMs: 180,
      });
      expect(transcript.turns[3]).toMatchObject({ role: 'customer', text: "Sure, it's [PII]." });
      expect(transcript.meta).toEqual({ format: 'contact-lens', speakerRoles: { AGENT: 'agent', CUSTOMER: 'customer' }, roleSource: 'labels' });
    });

    it('reads AGENT/CUSTOMER participant ids as roles when Participants is missing', () => {
      const doc = fixtureJson<ContactLensFixture>('contact-lens-voice.json');
      delete doc.Participants;

      expect(parseContactLens('call-4', doc).turns.map((t) => t.role).slice(0, 2)).toEqual(['agent', 'customer']);
    });

    it('names the field that failed', () => {
      const doc = fixtureJson<ContactLensFixture>('contact-lens-voice.json');
      doc.Transcript[2]!.Content = null;

      expect(() => parseContactLens('call-4', doc)).toThrow(/"contact-lens" format \(Transcript\[2\]\.Content\)/);
    });
  });

  describe('chat', () => {
    it('skips events, maps SYSTEM to other and times turns from the first item', () => {
      const transcript = parseContactLens('chat-1', fixtureJson('contact-lens-chat.json'));

      expect(transcript.turns).toHaveLength(8);
      expect(transcript.turns[0]).toEqual({ role: 'other', text: 'Welcome to Litware Mobile support. An agent will be with you shortly.', startMs: 800 });
      expect(transcript.turns[2]).toMatchObject({ role: 'agent', startMs: 58_300 });
      expect(transcript.turns.at(-1)).toEqual({ role: 'customer', text: "no that's all, thanks!", startMs: 170_200 });
      expect(Object.values(transcript.meta.speakerRoles).sort()).toEqual(['agent', 'customer', 'other']);
    });

    it('names the chat item field that failed', () => {
      const doc = fixtureJson<ContactLensFixture>('contact-lens-chat.json');
      doc.Transcript[5]!.Content = 42;

      expect(() => parseContactLens('chat-1', doc)).toThrow(/\(Transcript\[5\]\.Content\): Invalid input: expected string/);
    });

    it('refuses a chat with only events', () => {
      const doc = fixtureJson<ContactLensFixture>('contact-lens-chat.json');
      doc.Transcript = doc.Transcript.filter((item) => item.Type === 'EVENT');

      expect(() => parseContactLens('chat-1', doc)).toThrow(/"contact-lens" format \(transcript\): the transcript has no spoken turns/);
    });
  });
});
