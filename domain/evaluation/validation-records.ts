import { CallNotesSchema } from '../notes.ts';
import type { Role, Transcript } from '../transcript.ts';
import type { EvalDialogue } from './dialogues.ts';

/** A validation line that cannot be read back into a transcript and reference notes. */
export class ValidationRecordError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`validation record ${line}: ${message}`);
    this.name = 'ValidationRecordError';
  }
}

/** A curated validation record, read back: the dialogue to evaluate and the call date it was rendered with. */
export type ValidationDialogue = EvalDialogue & { callDate: string };

const ROLE_OF: Record<string, Role> = { Agent: 'agent', Customer: 'customer', Other: 'other' };
const TURN_LINE = /^(Agent|Customer|Other):[ \t]?(.*)$/;

/**
 * Reads the validation split of a curated dataset (Claude 3 `{system, messages}` or Nova
 * `bedrock-conversation-2024` lines) back into what `npm run eval` scores: the transcript from the
 * user turn, as renderPrompt wrote it, and the reference notes from the assistant turn. So candidate
 * and champion are measured with the same metrics, prompt and model path as the eval command.
 */
export function parseValidationRecords(text: string): ValidationDialogue[] {
  const dialogues: ValidationDialogue[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (!raw.trim()) return;
    dialogues.push(parseValidationRecord(raw, index + 1));
  });
  return dialogues;
}

export function parseValidationRecord(raw: string, line: number): ValidationDialogue {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ValidationRecordError(line, `not JSON (${(error as Error).message})`);
  }
  const messages = (json as { messages?: unknown })?.messages;
  if (!Array.isArray(messages) || messages.length < 2) throw new ValidationRecordError(line, 'expected messages with a user and an assistant turn');
  const textOf = (message: unknown): string => {
    const content = (message as { content?: unknown })?.content;
    if (typeof content === 'string') return content;
    if (Array.isArray(content)) return content.map((block) => (typeof block?.text === 'string' ? block.text : '')).join('');
    return '';
  };
  const user = messages.find((m) => m?.role === 'user');
  const assistant = [...messages].reverse().find((m) => m?.role === 'assistant');
  if (!user || !assistant) throw new ValidationRecordError(line, 'expected a user and an assistant turn');

  let notes;
  try {
    notes = CallNotesSchema.parse(JSON.parse(textOf(assistant)));
  } catch (error) {
    throw new ValidationRecordError(line, `the assistant turn is not call notes (${(error as Error).message.slice(0, 200)})`);
  }
  const { callDate, transcript } = readPrompt(textOf(user), `validation-${line}`);
  if (transcript.turns.length === 0) throw new ValidationRecordError(line, 'the user turn holds no transcript lines');
  return {
    id: `validation-${line}`,
    line,
    callDate,
    transcript,
    references: { summaries: [notes.summary], topics: notes.topics, actions: notes.actionItems.map((item) => item.text) },
  };
}

/** The call date and transcript of a prompt rendered by renderPrompt; a line without a label continues the turn before it. */
function readPrompt(userText: string, callId: string): { callDate: string; transcript: Transcript } {
  const callDate = /Call date:\s*(\d{4}-\d{2}-\d{2})/.exec(userText)?.[1] ?? '2000-01-01';
  const open = userText.indexOf('<transcript>');
  const close = userText.lastIndexOf('</transcript>');
  const body = open >= 0 && close > open ? userText.slice(open + '<transcript>'.length, close) : userText;
  const turns: Transcript['turns'] = [];
  for (const raw of body.split(/\r?\n/)) {
    const match = TURN_LINE.exec(raw);
    if (match) turns.push({ role: ROLE_OF[match[1]!]!, text: match[2]!.trim() });
    else if (turns.length > 0 && raw.trim()) turns.at(-1)!.text = `${turns.at(-1)!.text} ${raw.trim()}`.trim();
  }
  const speakerRoles: Record<string, Role> = {};
  for (const turn of turns) speakerRoles[turn.role] = turn.role;
  return { callDate, transcript: { callId, turns: turns.filter((t) => t.text.length > 0), meta: { format: 'validation-record', speakerRoles } } };
}
