import { ModelOutputError } from './errors.ts';
import { mergeNotes, splitTranscript } from './long-call.ts';
import { CallNotesSchema, formatIssues, type CallNotes } from './notes.ts';
import type { ModelCallOptions, ModelOutput, NotesModel, TokenUsage } from './ports.ts';
import { renderPrompt, renderTranscript, type NotesPrompt } from './prompt.ts';
import { estimateTokens, type Transcript } from './transcript.ts';

export interface WrittenNotes {
  notes: CallNotes;
  usage: TokenUsage & { modelCalls: number };
  latencyMs: number;
  /** How many parts a long call was split into (1 for most calls). */
  parts: number;
}

export interface WriteContext {
  callDate: string;
  /** Transcripts over this many input tokens are split on turn boundaries and their notes merged. */
  maxInputTokens?: number;
}

/**
 * Notes for one call. A call over the input budget is split on turn boundaries, each part gets
 * notes, and the parts are merged into one result (topics deduplicated, action items kept, one
 * summary).
 */
export async function writeNotes(transcript: Transcript, context: WriteContext, model: NotesModel, options: ModelCallOptions = {}): Promise<WrittenNotes> {
  const budget = context.maxInputTokens ?? Number.POSITIVE_INFINITY;
  if (estimateTokens(renderTranscript(transcript)) <= budget) {
    return { ...(await notesForPart(transcript, context.callDate, model, options)), parts: 1 };
  }
  const parts = splitTranscript(transcript, budget);
  const written = [];
  for (const part of parts) written.push(await notesForPart(part, context.callDate, model, options));
  return {
    notes: mergeNotes(written.map((w) => w.notes)),
    usage: {
      inputTokens: sum(written.map((w) => w.usage.inputTokens)),
      outputTokens: sum(written.map((w) => w.usage.outputTokens)),
      modelCalls: sum(written.map((w) => w.usage.modelCalls)),
    },
    latencyMs: sum(written.map((w) => w.latencyMs)),
    parts: parts.length,
  };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Asks the model for notes and validates them against the call-notes schema. An invalid answer
 * gets one repair attempt that shows the model its errors; a second failure is transient.
 */
async function notesForPart(transcript: Transcript, callDate: string, model: NotesModel, options: ModelCallOptions): Promise<Omit<WrittenNotes, 'parts'>> {
  const prompt = renderPrompt(transcript, { callDate, mode: model.mode });
  const first = await model.generate(prompt, options);
  const checked = checkOutput(first.output);
  if (checked.ok) {
    return { notes: checked.notes, usage: { ...first.usage, modelCalls: 1 }, latencyMs: first.latencyMs };
  }
  const second = await model.generate(repairPrompt(prompt, checked.raw, checked.problems), options);
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
  const raw = output.kind === 'tool' ? JSON.stringify(output.input) ?? '' : output.text;
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
