import { describe, expect, it } from 'vitest';
import { parseTranscribeCallAnalytics } from '#domain/formats/index.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

interface CallAnalyticsFixture {
  Transcript: Array<{ ParticipantRole: unknown; Content: string; BeginOffsetMillis: number; Items?: unknown }>;
}

describe('Function: parseTranscribeCallAnalytics', () => {
  it('reads roles from ParticipantRole and keeps [PII] tags', () => {
    const transcript = parseTranscribeCallAnalytics('call-3', fixtureText('transcribe-call-analytics.json'));

    expect(transcript.turns).toHaveLength(10);
    expect(transcript.turns.filter((t) => t.role === 'agent')).toHaveLength(5);
    expect(transcript.turns[0]).toEqual({ role: 'agent', text: 'Thanks for calling Fabrikam Energy billing, how can I help?', startMs: 200 });
    expect(transcript.turns[3]).toEqual({ role: 'customer', text: "It's [PII], account [PII].", startMs: 14_890 });
    expect(transcript.meta).toEqual({ format: 'transcribe-call-analytics', speakerRoles: { AGENT: 'agent', CUSTOMER: 'customer' }, roleSource: 'labels' });
  });

  it('joins consecutive segments of one participant into one turn', () => {
    const doc = fixtureJson<CallAnalyticsFixture>('transcribe-call-analytics.json');
    doc.Transcript.splice(2, 0, { ParticipantRole: 'CUSTOMER', Content: 'Sorry, one more thing.', BeginOffsetMillis: 9_000 });

    const transcript = parseTranscribeCallAnalytics('call-3', doc);

    expect(transcript.turns).toHaveLength(10);
    expect(transcript.turns[1]!.text).toBe('Hi, my bill this month is almost double what it usually is. Sorry, one more thing.');
  });

  it('accepts segments without word items (the streaming post-call record)', () => {
    const doc = fixtureJson<CallAnalyticsFixture>('transcribe-call-analytics.json');
    for (const segment of doc.Transcript) delete segment.Items;

    expect(parseTranscribeCallAnalytics('call-3', doc).turns).toHaveLength(10);
  });

  it('names the segment field that failed', () => {
    const doc = fixtureJson<CallAnalyticsFixture>('transcribe-call-analytics.json');
    doc.Transcript[4]!.ParticipantRole = 7;

    expect(() => parseTranscribeCallAnalytics('call-3', doc)).toThrow(/"transcribe-call-analytics" format \(Transcript\[4\]\.ParticipantRole\): Invalid input: expected string/);
  });
});
