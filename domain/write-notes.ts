import { ModelOutputError } from './errors.ts';
import { CallNotesSchema, formatIssues, type CallNotes } from './notes.ts';
import type { ModelOutput, NotesModel, TokenUsage } from './ports.ts';
import { renderPrompt, type NotesPrompt } from './prompt.ts';
import type { Transcript } from './transcript.ts';

export interface WrittenNotes {
  notes: CallNotes;
  usage: TokenUsage & { modelCalls: number };
  latencyMs: number;
}

/**
 * Asks the model for notes and validates them against the call-notes schema. An invalid answer
 * gets one repair attempt that shows the model its errors; a second failure is transient.
 */
export async function writeNotes(transcript: Transcript, context: { callDate: string }, model: NotesModel): Promise<WrittenNotes> {
  const prompt = renderPrompt(transcript, { callDate: context.callDate, mode: model.mode });
  const first = await model.generate(prompt);
  const checked = checkOutput(first.output);
  if (checked.ok) {
    return { notes: checked.notes, usage: { ...first.usage, modelCalls: 1 }, latencyMs: first.latencyMs };
  }
  const second = await model.generate(repairPrompt(prompt, checked.raw, checked.problems));
  const usage = {
    inputTokens: first.usage.inputTokens + second.usage.inputTokens,
    outputTokens: first.usage.outputTokens + second.usage.outputTokens,
    modelCalls: 2,
  };
  const repaired = checkOutput(second.output);
  if (!repaired.ok) {
    throw new ModelOutputError(`model output is not valid call notes after one repair: ${repaired.problems}`, repaired.raw);
  }
  return { notes: repaired.notes, usage, latencyMs: first.latencyMs + second.latencyMs };
}

type Checked = { ok: true; notes: CallNotes } | { ok: false; raw: string; problems: string };

function checkOutput(output: ModelOutput): Checked {
  let candidate: unknown = output.kind === 'tool' ? output.input : undefined;
  const raw = output.kind === 'tool' ? JSON.stringify(output.input) : output.text;
  if (output.kind === 'text') {
    try {
      candidate = JSON.parse(extractJson(output.text));
    } catch (error) {
      return { ok: false, raw, problems: `the answer is not JSON (${(error as Error).message})` };
    }
  }
  const parsed = CallNotesSchema.safeParse(candidate);
  return parsed.success ? { ok: true, notes: parsed.data } : { ok: false, raw, problems: formatIssues(parsed.error) };
}

/** Models sometimes wrap JSON in prose or a code fence; take the outermost object. */
function extractJson(text: string): string {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? text.slice(start, end + 1) : text;
}

function repairPrompt(prompt: NotesPrompt, raw: string, problems: string): NotesPrompt {
  return {
    ...prompt,
    messages: [
      ...prompt.messages,
      { role: 'assistant', text: raw.length > 0 ? raw.slice(0, 20_000) : '(empty)' },
      { role: 'user', text: `That answer is not valid call notes: ${problems}. Answer again with corrected notes only.` },
    ],
  };
}
