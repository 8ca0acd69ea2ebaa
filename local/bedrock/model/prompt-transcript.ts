import type { ModelTurn, SpeakerRole } from './types.ts';

const LABEL_ROLE: Record<string, SpeakerRole> = { agent: 'agent', customer: 'customer', other: 'other' };
const TURN_LINE = /^(Agent|Customer|Other):[ \t]?(.*)$/;

export interface PromptTranscript {
  /** The `Call date:` line, or null when the prompt has none. */
  callDate: string | null;
  turns: ModelTurn[];
}

/**
 * Reads back what renderPrompt (domain/prompt.ts) wrote: `Call date: YYYY-MM-DD`, then one
 * `Agent: ...` / `Customer: ...` / `Other: ...` line per turn between <transcript> tags. A line
 * without a label continues the turn before it (a turn's text may hold newlines). Without tags, the
 * labeled lines of the whole text are read; text with no labels at all becomes one customer turn.
 */
export function parsePromptTranscript(userText: string): PromptTranscript {
  const callDate = /Call date:\s*(\d{4}-\d{2}-\d{2})/.exec(userText)?.[1] ?? null;
  const open = userText.indexOf('<transcript>');
  const close = userText.lastIndexOf('</transcript>');
  const body = open >= 0 && close > open ? userText.slice(open + '<transcript>'.length, close) : userText;

  const turns: ModelTurn[] = [];
  for (const line of body.split(/\r?\n/)) {
    const m = TURN_LINE.exec(line);
    if (m) {
      turns.push({ role: LABEL_ROLE[m[1]!.toLowerCase()]!, text: m[2]!.trim() });
    } else if (turns.length > 0 && line.trim()) {
      const last = turns[turns.length - 1]!;
      last.text = last.text ? `${last.text} ${line.trim()}` : line.trim();
    }
  }
  if (turns.length === 0) {
    const text = body.replace(/Call date:\s*\d{4}-\d{2}-\d{2}/, '').trim();
    if (text) turns.push({ role: 'customer', text });
  }
  return { callDate, turns };
}
