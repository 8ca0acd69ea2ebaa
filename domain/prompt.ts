import { compactTranscript } from './compaction.ts';
import { turnLine, type Transcript } from './transcript.ts';
import { callNotesJsonSchema, type CallNotes } from './notes.ts';

export const NOTES_TOOL_NAME = 'record_call_notes';

export type ModelMode = 'tool' | 'json-text';

/** A model request in Bedrock Converse terms, free of SDK types: the adapter maps it 1:1. */
export interface NotesPrompt {
  system: string;
  messages: { role: 'user' | 'assistant'; text: string }[];
  tool?: { name: string; description: string; inputSchema: Record<string, unknown> };
}


// Sent with every base-model call: every word costs input tokens on every call, so it says only
// what the tool schema cannot.
const INSTRUCTIONS = [
  'Write notes of this support call for a supervisor.',
  'summary: 2-5 sentences: the issue, what the agent did, the outcome.',
  'topics: 1-5 short labels. actionItems: open commitments and requests; due YYYY-MM-DD from the call date, else null.',
  '[CARD], [EMAIL] and similar are redacted data: never guess them.',
].join('\n');

/** Fine-tuned models learned the format from their training data: a short system prompt is enough. */
const TUNED_SYSTEM = 'Write call notes for this support call as JSON with keys summary, topics, actionItems, outcome.';

/** The transcript as the model reads it: compacted (fillers, stutters and repeats out; one turn per speaker change). */
export function renderTranscript(transcript: Transcript): string {
  return renderTurns(compactTranscript(transcript));
}

/** Plain "Speaker: text" lines, without compaction (the baseline the benchmark compares against). */
export function renderTurns(transcript: Transcript): string {
  return transcript.turns.map(turnLine).join('\n');
}

/**
 * The one prompt function (DESIGN §4): inference and training examples are rendered here, so a
 * model is tuned on exactly what it is served.
 */
export function renderPrompt(transcript: Transcript, context: { callDate: string; mode: ModelMode }): NotesPrompt {
  const user = `Call date: ${context.callDate}\n<transcript>\n${renderTranscript(transcript)}\n</transcript>`;
  if (context.mode === 'json-text') {
    return { system: TUNED_SYSTEM, messages: [{ role: 'user', text: user }] };
  }
  return {
    system: INSTRUCTIONS,
    messages: [{ role: 'user', text: user }],
    tool: { name: NOTES_TOOL_NAME, description: 'Record the notes of one support call.', inputSchema: callNotesJsonSchema() },
  };
}

/** The assistant turn of a training record: the notes as the JSON text a tuned model answers with. */
export function renderNotesAnswer(notes: CallNotes): string {
  return JSON.stringify(notes);
}
