import * as z from './zod.ts';
import { TranscriptFormatError } from './errors.ts';

export const RoleSchema = z.enum(['agent', 'customer', 'other']);
export type Role = z.infer<typeof RoleSchema>;

export const TurnSchema = z.object({
  role: RoleSchema,
  text: z.string(),
  startMs: z.optional(z.number().check(z.int(), z.gte(0))),
});
export type Turn = z.infer<typeof TurnSchema>;

const ROLE_LABEL = { agent: 'Agent', customer: 'Customer', other: 'Other' } as const;

/** One turn as the prompt writes it: `Agent: text`. */
export function turnLine(turn: Turn): string {
  return `${ROLE_LABEL[turn.role]}: ${turn.text}`;
}

/** Normalized transcript (DESIGN §4): every format is parsed into this. */
export interface Transcript {
  callId: string;
  turns: Turn[];
  meta: { format: string; speakerRoles: Record<string, Role> };
}

const TEXT_SPEAKERS: Record<string, Role> = {
  agent: 'agent', rep: 'agent', representative: 'agent', advisor: 'agent', operator: 'agent', support: 'agent',
  customer: 'customer', caller: 'customer', client: 'customer', member: 'customer', user: 'customer',
};

function speakerRole(label: string): Role | undefined {
  return Object.hasOwn(TEXT_SPEAKERS, label) ? TEXT_SPEAKERS[label] : undefined;
}

/** `turns` format: `[{role, text, startMs?}]`. */
export function parseTurns(callId: string, raw: unknown): Transcript {
  const parsed = z.array(TurnSchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TranscriptFormatError('turns', `transcript.${issue.path.join('.')}`, `${issue.message}; expected [{"role":"agent"|"customer"|"other","text":"...","startMs"?:number}]`);
  }
  const turns = parsed.data.map((t) => ({ ...t, text: t.text.trim() })).filter((t) => t.text.length > 0);
  return finish(callId, 'turns', turns, { agent: 'agent', customer: 'customer', other: 'other' });
}

/**
 * `text` format: one turn per `Speaker: words` line. A line without a speaker label continues
 * the previous turn; a leading `[00:01:02]` or `00:01` timestamp is read as the turn's start.
 */
export function parseText(callId: string, raw: unknown): Transcript {
  if (typeof raw !== 'string') {
    throw new TranscriptFormatError('text', 'transcript', `expected a string of "Agent: ..." / "Customer: ..." lines, got ${describe(raw)}`);
  }
  const turns: Turn[] = [];
  const roles: Record<string, Role> = {};
  for (const [index, line] of raw.split(/\r?\n/).entries()) {
    const m = /^\s*(?:\[?(\d{1,2}(?::\d{2}){1,2})\]?\s*)?([A-Za-z][\w .'-]{0,30}?)\s*:\s*(.*)$/.exec(line);
    const label = m?.[2]?.trim().toLowerCase();
    const role = label ? speakerRole(label) ?? speakerRole(label.split(/\s+/)[0]!) : undefined;
    if (m && role) {
      roles[m[2]!.trim()] = role;
      const turn: Turn = { role, text: m[3]!.trim() };
      if (m[1]) turn.startMs = clockToMs(m[1]);
      turns.push(turn);
    } else if (line.trim() && turns.length > 0) {
      turns[turns.length - 1]!.text += ` ${line.trim()}`;
    } else if (line.trim()) {
      // The line is not quoted: it is unredacted transcript text, and this message is stored.
      throw new TranscriptFormatError('text', 'transcript', `line ${index + 1} has no speaker label; start each turn with "Agent:" or "Customer:"`);
    }
  }
  return finish(callId, 'text', turns.filter((t) => t.text.trim().length > 0), roles);
}

function finish(callId: string, format: string, turns: Turn[], speakerRoles: Record<string, Role>): Transcript {
  if (turns.length === 0) {
    throw new TranscriptFormatError(format, 'transcript', 'the transcript has no spoken turns');
  }
  return { callId, turns, meta: { format, speakerRoles } };
}

function clockToMs(clock: string): number {
  return clock.split(':').reduce((acc, part) => acc * 60 + Number(part), 0) * 1000;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Rough token estimate (about 4 characters a token for English), used for budgets, not billing. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
