import * as z from '../zod.ts';
import type { Role } from '../transcript.ts';
import { configuredRoles, UNLABELLED } from './speaker-roles.ts';
import { buildTranscript, decodeJsonDocument, listOf, secondsToMs, validateDocument } from './document.ts';
import type { FormatOptions, ParsedTranscript, Utterance } from './types.ts';

const EXPECTED = 'Amazon Transcribe batch output {"results":{"items":[{"type","alternatives":[{"content"}],"start_time",...}]}}';

const Seconds = z.union([z.number().check(z.gte(0)), z.string().check(z.regex(/^\d+(?:\.\d+)?$/))], {
  error: 'expected a time in seconds such as "1.25"',
});

const ItemSchema = z.object({
  start_time: z.optional(Seconds),
  end_time: z.optional(Seconds),
  type: z.enum(['pronunciation', 'punctuation']),
  alternatives: z.array(z.object({ content: z.string() }), { error: 'expected an array of alternatives' }).check(z.minLength(1, 'expected at least one alternative')),
  speaker_label: z.optional(z.string()),
  channel_label: z.optional(z.string()),
});
type Item = z.infer<typeof ItemSchema>;

const LabelledTimeSchema = z.object({ start_time: z.optional(Seconds), speaker_label: z.optional(z.string()) });

export const TranscribeSchema = z.object({
  jobName: z.optional(z.string()),
  results: z.object(
    {
      transcripts: z.optional(z.array(z.object({ transcript: z.string() }))),
      items: z.optional(listOf(ItemSchema, 'expected an array of items')),
      speaker_labels: z.optional(
        z.object({
          speakers: z.optional(z.number()),
          segments: z.optional(listOf(z.object({ speaker_label: z.string(), items: z.optional(listOf(LabelledTimeSchema, 'expected an array of items')) }), 'expected an array of segments')),
        }),
      ),
      channel_labels: z.optional(
        z.object({
          channels: z.array(z.object({ channel_label: z.string(), items: z.optional(listOf(ItemSchema, 'expected an array of items')) })),
          number_of_channels: z.optional(z.number()),
        }),
      ),
      audio_segments: z.optional(
        listOf(
          z.object({
            transcript: z.string(),
            start_time: z.optional(Seconds),
            speaker_label: z.optional(z.string()),
            channel_label: z.optional(z.string()),
          }),
          'expected an array of audio segments',
        ),
      ),
    },
    { error: 'expected the "results" object of a Transcribe job' },
  ),
});
type TranscribeDocument = z.infer<typeof TranscribeSchema>;

/**
 * Amazon Transcribe batch JSON, diarized (`spk_0`…) or channel-separated (`ch_0`…). Turns are
 * rebuilt from `results.items` in time order: consecutive words of one speaker or channel form a
 * turn, punctuation attaches to the word before it. Older outputs that keep labels only under
 * `speaker_labels.segments` or `channel_labels.channels` are matched by start time. Without items,
 * `results.audio_segments` is used, then the flat `results.transcripts` text.
 * Labels carry no roles: `options.channelRoles` names them, else the agent-phrase heuristic does.
 */
export function parseTranscribe(callId: string, raw: unknown, options: FormatOptions = {}): ParsedTranscript {
  const doc = validateDocument('transcribe', TranscribeSchema, decodeJsonDocument('transcribe', raw, EXPECTED), EXPECTED);
  const utterances = utterancesFromItems(doc) ?? utterancesFromSegments(doc) ?? utterancesFromText(doc);

  const labels = new Set(utterances.map((u) => u.speaker));
  const configured = configuredRoles(labels, options.channelRoles);
  const known = new Map<string, Role>(labels.has(UNLABELLED) ? [[UNLABELLED, 'other'], ...configured] : configured);
  return buildTranscript(callId, 'transcribe', utterances, known, configured.size > 0 ? 'config' : 'heuristic');
}

function utterancesFromItems({ results }: TranscribeDocument): Utterance[] | undefined {
  const channels = results.channel_labels?.channels ?? [];
  let items: Item[] = results.items ?? [];
  if (items.length === 0) {
    items = channels.flatMap((ch) => (ch.items ?? []).map((item) => ({ ...item, channel_label: item.channel_label ?? ch.channel_label })));
  }
  if (items.length === 0) return undefined;

  // Older outputs: the label of a word is found by its start time in the label sections.
  const labelAt = new Map<string, string>();
  for (const segment of results.speaker_labels?.segments ?? []) {
    for (const entry of segment.items ?? []) {
      if (entry.start_time !== undefined) labelAt.set(timeKey(entry.start_time), entry.speaker_label ?? segment.speaker_label);
    }
  }
  for (const ch of channels) {
    for (const entry of ch.items ?? []) {
      if (entry.start_time !== undefined) labelAt.set(timeKey(entry.start_time), ch.channel_label);
    }
  }

  const words: Array<Utterance & { at: number }> = [];
  for (const item of items) {
    const content = item.alternatives[0]!.content.trim();
    const last = words.at(-1);
    if (item.type === 'punctuation') {
      if (last) last.text += content;
      continue;
    }
    const label = item.speaker_label ?? item.channel_label
      ?? (item.start_time === undefined ? undefined : labelAt.get(timeKey(item.start_time)))
      ?? last?.speaker ?? UNLABELLED;
    const startMs = secondsToMs(item.start_time);
    words.push({ speaker: label, text: content, startMs, at: startMs ?? last?.at ?? 0 });
  }
  // Channel-separated items may come channel by channel; a stable sort keeps punctuation with its word.
  return words.sort((a, b) => a.at - b.at);
}

function utterancesFromSegments({ results }: TranscribeDocument): Utterance[] | undefined {
  const segments = results.audio_segments ?? [];
  if (segments.length === 0) return undefined;
  let at = 0;
  return segments
    .map((s) => {
      const startMs = secondsToMs(s.start_time);
      at = startMs ?? at;
      return { speaker: s.speaker_label ?? s.channel_label ?? UNLABELLED, text: s.transcript, startMs, at };
    })
    .sort((a, b) => a.at - b.at);
}

function utterancesFromText({ results }: TranscribeDocument): Utterance[] {
  return (results.transcripts ?? []).map((t) => ({ speaker: UNLABELLED, text: t.transcript }));
}

function timeKey(seconds: string | number): string {
  return String(Number(seconds));
}
