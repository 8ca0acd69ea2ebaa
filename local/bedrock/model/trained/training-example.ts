import { OutcomeSchema } from '../../../../domain/notes.ts';
import { parsePromptTranscript } from '../prompt-transcript.ts';
import type { TrainingExample } from './trained-model.ts';

/**
 * Reads a tuning record back into what it teaches: the transcript from the user turn (as renderPrompt
 * wrote it) and the topics and outcome from the assistant's call-notes JSON. Undefined when the answer
 * holds no notes (the record is valid for Bedrock, but teaches the embedded model nothing).
 */
export function trainingExampleFromRecord(userText: string, assistantText: string): TrainingExample | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(assistantText);
  } catch {
    return undefined;
  }
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { topics, outcome } = answer as { topics?: unknown; outcome?: unknown };
  if (!Array.isArray(topics)) return undefined;
  const labels = [...new Set(topics.filter((t): t is string => typeof t === 'string').map((t) => t.trim()).filter(Boolean))];
  const { turns, callDate } = parsePromptTranscript(userText);
  if (labels.length === 0 || turns.length === 0) return undefined;
  const parsedOutcome = OutcomeSchema.safeParse(outcome);
  return { turns, topics: labels, ...(callDate ? { callDate } : {}), ...(parsedOutcome.success ? { outcome: parsedOutcome.data } : {}) };
}
