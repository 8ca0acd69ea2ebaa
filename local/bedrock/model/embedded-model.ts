import type { CallNotes } from '../../../domain/notes.ts';
import { extractActionItems } from './action-items.ts';
import { decideOutcome } from './outcome.ts';
import { summarize } from './summary.ts';
import { analyzeCall } from './text.ts';
import { extractTopics } from './topics.ts';
import type { TrainedModel } from './trained/trained-model.ts';
import type { NotesInput } from './types.ts';

export { parsePromptTranscript, type PromptTranscript } from './prompt-transcript.ts';
export type { ModelTurn, NotesInput, SpeakerRole } from './types.ts';
export type { TrainedModel } from './trained/trained-model.ts';

/**
 * The embedded notes model of the offline stack (DESIGN §7): extractive, deterministic and linear in
 * the transcript's length. Pure: the same input always gives the same notes, valid per CallNotesSchema.
 * A `trained` model (from a customization job) supplies the topics, and the outcome when it is sure.
 */
export function generateNotes(input: NotesInput, trained?: TrainedModel): CallNotes {
  const turns = Array.isArray(input.turns) ? input.turns : [];
  const call = analyzeCall({ callDate: input.callDate, turns });
  const actionItems = extractActionItems(call);
  const learned = trained?.predict(turns);
  const outcome = learned?.outcome ?? decideOutcome(call, actionItems);
  return {
    summary: summarize(call, outcome, actionItems),
    topics: learned?.topics ?? extractTopics(call),
    actionItems,
    outcome,
  };
}
