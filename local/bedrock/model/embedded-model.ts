import type { CallNotes } from '../../../domain/notes.ts';
import { extractActionItems } from './action-items.ts';
import { decideOutcome } from './outcome.ts';
import { summarize } from './summary.ts';
import { analyzeCall } from './text.ts';
import { extractTopics } from './topics.ts';
import type { NotesInput } from './types.ts';

export { parsePromptTranscript, type PromptTranscript } from './prompt-transcript.ts';
export type { ModelTurn, NotesInput, SpeakerRole } from './types.ts';

/**
 * The embedded notes model of the offline stack (DESIGN §7): extractive, deterministic and linear in
 * the transcript's length. Pure: the same input always gives the same notes, valid per CallNotesSchema.
 */
export function generateNotes(input: NotesInput): CallNotes {
  const call = analyzeCall({ callDate: input.callDate, turns: Array.isArray(input.turns) ? input.turns : [] });
  const actionItems = extractActionItems(call);
  const outcome = decideOutcome(call, actionItems);
  return {
    summary: summarize(call, outcome, actionItems),
    topics: extractTopics(call),
    actionItems,
    outcome,
  };
}
