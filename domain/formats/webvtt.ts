import { TranscriptFormatError } from '../errors.ts';
import { describe, type Role } from '../transcript.ts';
import { buildTranscript } from './document.ts';
import { configuredRoles, roleFromLabel, UNLABELLED } from './speaker-roles.ts';
import type { FormatOptions, ParsedTranscript, RoleSource, Utterance } from './types.ts';

const HEADER = /^\uFEFF?\s*WEBVTT(?:[ \t]|\r?\n|\r|$)/;
const TIMING = /^\s*(?:(\d{1,9}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})\s+-->\s/;
// Bounded by "<" so that text full of "<" without ">" stays linear.
const VOICE = /<v(?:\.[^\s<>]*)?(?:[ \t]+([^<>]*))?>/g;
const TAG = /<[^<>]*>/g;
const PREFIX = /^([A-Za-z][\w .'-]{0,30}?)\s*:\s*(\S.*)$/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: ' ', lrm: '', rlm: '', quot: '"', apos: "'" };

/** True for text that starts with a WebVTT header. */
export function isWebVtt(text: string): boolean {
  return HEADER.test(text);
}

/**
 * WebVTT captions. The speaker of a cue line is its voice tag (`<v Agent>`, `<v.loud Jane Doe>`)
 * or a `Agent:` / `Caller:` / `Speaker 1:` prefix; a line with neither continues the speaker
 * before it, across cues. Names that are role words (agent, rep, customer, caller…) give the role;
 * `options.channelRoles` may name the others; the rest go to the agent-phrase heuristic.
 * Other tags are stripped and entities decoded; NOTE, STYLE and REGION blocks are skipped.
 */
export function parseWebVtt(callId: string, raw: unknown, options: FormatOptions = {}): ParsedTranscript {
  if (typeof raw !== 'string') {
    throw new TranscriptFormatError('webvtt', 'transcript', `expected WebVTT text starting with "WEBVTT", got ${describe(raw)}`);
  }
  if (!isWebVtt(raw)) {
    throw new TranscriptFormatError('webvtt', 'transcript', 'expected WebVTT text starting with a "WEBVTT" header line');
  }

  const utterances: Utterance[] = [];
  let speaker = UNLABELLED;
  const blocks = raw.replace(HEADER, '').split(/(?:\r?\n|\r)[ \t]*(?:\r?\n|\r)/);
  for (const [index, block] of blocks.entries()) {
    const lines = block.split(/\r?\n|\r/).filter((line) => line.trim() !== '');
    const timingAt = lines.findIndex((line) => line.includes('-->'));
    if (index === 0 && timingAt < 0) continue; // the rest of the header block
    if (timingAt < 0 || timingAt > 1 || /^(?:NOTE|STYLE|REGION)\b/.test(lines[0] ?? '')) continue;
    const timing = TIMING.exec(lines[timingAt]!);
    let startMs = timing ? clockMs(timing) : undefined;
    for (const line of lines.slice(timingAt + 1)) {
      for (const part of voiceParts(line, speaker)) {
        speaker = part.speaker;
        utterances.push({ speaker, text: part.text, startMs });
        startMs = undefined; // only the cue's first words start at the cue time
      }
    }
  }

  const labels = new Set(utterances.map((u) => u.speaker));
  const configured = configuredRoles(labels, options.channelRoles);
  const known = new Map<string, Role>(configured);
  for (const label of labels) {
    const role = label === UNLABELLED ? 'other' : roleFromLabel(label);
    if (!known.has(label) && role) known.set(label, role);
  }
  const source: RoleSource = configured.size > 0 ? 'config' : 'labels';
  return buildTranscript(callId, 'webvtt', utterances, known, source);
}

/** Split one cue line into its speakers' text: voice spans first, else a role-word prefix. */
function voiceParts(line: string, current: string): Utterance[] {
  const parts: Utterance[] = [];
  let speaker = current;
  let from = 0;
  let voices = 0;
  for (const match of line.matchAll(VOICE)) {
    voices += 1;
    parts.push({ speaker, text: line.slice(from, match.index) });
    speaker = match[1]?.trim() || speaker;
    from = match.index + match[0].length;
  }
  parts.push({ speaker, text: line.slice(from) });

  const spoken = parts.map((p) => ({ ...p, text: decodeEntities(p.text.replace(TAG, '')).trim() })).filter((p) => p.text !== '');
  const first = spoken[0];
  if (voices === 0 && first) {
    const prefix = PREFIX.exec(first.text);
    const label = prefix?.[1]?.trim();
    if (label && (roleFromLabel(label) || /^speaker[ _-]?\w{1,3}$/i.test(label))) {
      return [{ speaker: label, text: prefix![2]! }];
    }
  }
  return spoken;
}

function clockMs(m: RegExpExecArray): number {
  const [, h = '0', min = '0', s = '0', frac = '0'] = m;
  return ((Number(h) * 60 + Number(min)) * 60 + Number(s)) * 1000 + Number(frac.padEnd(3, '0'));
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return Object.hasOwn(ENTITIES, name.toLowerCase()) ? ENTITIES[name.toLowerCase()]! : whole;
  });
}
