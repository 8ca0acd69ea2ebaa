import { redactTranscript } from '../pii.ts';
import type { NotesModel } from '../ports.ts';
import type { Transcript } from '../transcript.ts';
import { writeNotes } from '../write-notes.ts';
import { leadSentences } from './baseline.ts';
import type { EvalDialogue } from './dialogues.ts';
import type { DialogueOutcome } from './metrics.ts';

export interface EvalRunOptions {
  callDate: string;
  concurrency: number;
  /** Called as each dialogue finishes (progress output). */
  onDone?: (outcome: DialogueOutcome) => void;
}

/**
 * What ingest does to a transcript before the model sees it: personal data redacted to placeholders
 * ([CARD], [EMAIL], ...), so the eval measures the prompts production serves. The one call site.
 */
export function prepareTranscript(transcript: Transcript): Transcript {
  return redactTranscript(transcript).transcript;
}

/**
 * Runs every dialogue through the ingest model path (renderPrompt + model + schema check and one
 * repair, via writeNotes), at most `concurrency` at a time. A failed dialogue is an outcome with
 * notes null and the error, never a thrown run. Outcomes keep the input order.
 */
export async function evaluateDialogues(dialogues: readonly EvalDialogue[], model: NotesModel, options: EvalRunOptions): Promise<DialogueOutcome[]> {
  const outcomes: DialogueOutcome[] = new Array(dialogues.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < dialogues.length) {
      const index = next;
      next += 1;
      const dialogue = dialogues[index]!;
      const outcome = await evaluateOne(dialogue, model, dialogue.callDate ?? options.callDate);
      outcomes[index] = outcome;
      options.onDone?.(outcome);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, dialogues.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return outcomes;
}

async function evaluateOne(dialogue: EvalDialogue, model: NotesModel, callDate: string): Promise<DialogueOutcome> {
  const base = { id: dialogue.id, references: dialogue.references, baselineSummary: leadSentences(dialogue.transcript) };
  const started = performance.now();
  try {
    const written = await writeNotes(prepareTranscript(dialogue.transcript), { callDate }, model);
    return { ...base, notes: written.notes, usage: written.usage, latencyMs: performance.now() - started };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ...base, notes: null, error: message, latencyMs: performance.now() - started };
  }
}
