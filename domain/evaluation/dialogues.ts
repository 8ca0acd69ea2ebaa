import * as z from '../zod.ts';
import type { Role, Transcript } from '../transcript.ts';

/** A line of an eval file that cannot be used; names the line and the field, so the file can be fixed. */
export class EvalInputError extends Error {
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(message: string, where: { line?: number; field?: string } = {}) {
    super(message);
    this.name = 'EvalInputError';
    this.line = where.line;
    this.field = where.field;
  }
}

/** What the metrics compare against; empty lists mean the dialogue has no such label. */
export interface EvalReferences {
  summaries: string[];
  topics: string[];
  actions: string[];
}

export interface EvalDialogue {
  id: string;
  /** 1-based line of the file the dialogue came from. */
  line: number;
  transcript: Transcript;
  references: EvalReferences;
  /** The call date the dialogue was recorded with (curated records carry one); else the run's. */
  callDate?: string;
}

const SPEAKER_ROLES = { agent: 'agent', customer: 'customer', other: 'other' } as const satisfies Record<string, Role>;

const DialogueLineSchema = z.object({
  id: z.pipe(z.union([z.string().check(z.minLength(1)), z.number()]), z.transform(String)),
  turns: z.array(z.object({ speaker: z.enum(['agent', 'customer', 'other']), text: z.string() })).check(z.minLength(1)),
  reference: z.object({
    summary: z.optional(z.nullable(z.string())),
    topics: z.optional(z.array(z.string())),
    actions: z.optional(z.array(z.string())),
  }),
  meta: z.optional(
    z.looseObject({
      abstractive_summaries: z.optional(z.array(z.string())),
      summaries: z.optional(z.array(z.string())),
      speaker_map: z.optional(z.record(z.string(), z.string())),
    }),
  ),
});

type DialogueLine = z.infer<typeof DialogueLineSchema>;

/**
 * Parses eval dialogues, one JSON object a line (the shape of shared/eval: `{id, turns: [{speaker,
 * text}], reference: {summary, topics, actions}, meta}`); blank lines are skipped. The first bad
 * line throws an EvalInputError that says which line and field.
 */
export function parseDialogues(text: string): EvalDialogue[] {
  const dialogues: EvalDialogue[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (!raw.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new EvalInputError(`line ${line}: not valid JSON (${(error as Error).message})`, { line });
    }
    const parsed = DialogueLineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      const id = typeof (json as { id?: unknown })?.id === 'string' ? ` (id ${(json as { id: string }).id})` : '';
      throw new EvalInputError(`line ${line}${id}: field ${field}: ${issue.message}`, { line, field });
    }
    dialogues.push(toDialogue(parsed.data, line));
  });
  if (dialogues.length === 0) throw new EvalInputError('the file holds no dialogues (expected one JSON object a line)');
  return dialogues;
}

function toDialogue(row: DialogueLine, line: number): EvalDialogue {
  const turns = row.turns
    .map((turn) => ({ role: SPEAKER_ROLES[turn.speaker], text: turn.text.replace(/\s+/g, ' ').trim() }))
    .filter((turn) => turn.text.length > 0);
  if (turns.length === 0) throw new EvalInputError(`line ${line} (id ${row.id}): field turns: every turn is empty`, { line, field: 'turns' });
  const speakerRoles: Record<string, Role> = {};
  for (const turn of turns) speakerRoles[turn.role] = turn.role;
  return {
    id: row.id,
    line,
    transcript: { callId: row.id, turns, meta: { format: 'eval', speakerRoles } },
    references: {
      summaries: referenceSummaries(row),
      topics: (row.reference.topics ?? []).filter((t) => t.trim()),
      actions: (row.reference.actions ?? []).filter((a) => a.trim()),
    },
  };
}

/**
 * Every human summary of the dialogue, deduplicated: reference.summary plus meta.abstractive_summaries
 * (TweetSumm keeps up to 5) and meta.summaries (DialogSum keeps 3). DialogSum names speakers
 * "#Person1#": with a meta.speaker_map they become "the agent" / "the customer", the words a
 * notes summary uses, so ROUGE compares content rather than placeholders.
 */
export function referenceSummaries(row: Pick<DialogueLine, 'reference' | 'meta'>): string[] {
  const all = [row.reference.summary ?? '', ...(row.meta?.abstractive_summaries ?? []), ...(row.meta?.summaries ?? [])];
  const map = row.meta?.speaker_map ?? {};
  const named = all.map((summary) =>
    summary.replace(/#Person\d+#/g, (tag) => {
      const role = map[tag];
      return role === 'agent' || role === 'customer' ? `the ${role}` : tag;
    }).trim(),
  );
  return [...new Set(named.filter((s) => s.length > 0))];
}
