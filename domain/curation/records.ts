import type { CallNotes } from '../notes.ts';
import { findPii } from '../pii.ts';
import { renderNotesAnswer, renderPrompt } from '../prompt.ts';
import { estimateTokens, type Transcript } from '../transcript.ts';
import type { DropReason, FamilyLimits, TuningFamily } from './types.ts';

/** The three texts of a training example, before they take a family's shape. */
export interface TrainingTexts {
  system: string;
  user: string;
  assistant: string;
}

export type ClaudeRecord = { system: string; messages: [{ role: 'user'; content: string }, { role: 'assistant'; content: string }] };
export type NovaRecord = {
  schemaVersion: 'bedrock-conversation-2024';
  system: [{ text: string }];
  messages: [{ role: 'user'; content: [{ text: string }] }, { role: 'assistant'; content: [{ text: string }] }];
};
export type TuningRecord = ClaudeRecord | NovaRecord;

/** Record format names, written to the manifest so a reader knows how to parse the files. */
export const FAMILY_FORMAT: Record<TuningFamily, string> = {
  claude3: 'bedrock-claude3-messages',
  nova: 'bedrock-conversation-2024',
};

/**
 * Per-family limits Bedrock checks on a customization job's data.
 * Claude 3 Haiku: DESIGN §4 (32k tokens a record, 10,000 train, 1,000 validation).
 * Nova (Micro/Lite/Pro 1.0): 8..20,000 samples, train and validation together, from AWS's Nova
 * dataset validator (aws-samples/amazon-nova-samples). The 1,000 validation records and 32k tokens
 * a record are not confirmed by a document found; they are the Claude 3 values, kept as safe bounds.
 */
export const FAMILY_LIMITS: Record<TuningFamily, FamilyLimits> = {
  claude3: { maxTokensPerRecord: 32_000, maxTrainRecords: 10_000, maxValidationRecords: 1_000, maxTotalRecords: 11_000 },
  nova: { maxTokensPerRecord: 32_000, maxTrainRecords: 20_000, maxValidationRecords: 1_000, maxTotalRecords: 20_000 },
};

/**
 * Nova refuses a whole job when a prompt holds one of these anywhere (any case): "User:", "Bot:",
 * "Assistant:", "System:", "[EOS]", "<image>", "<video>" (Nova user guide), plus "Thought:" and
 * "<unk>" (AWS's validator). Such records are dropped rather than rewritten, so training text stays
 * what the model is served.
 */
const NOVA_RESERVED = ['system:', 'user:', 'bot:', 'assistant:', 'thought:', '[eos]', '<image>', '<video>', '<unk>'];

/** The training example of a call, rendered by the one prompt function (DESIGN §4) in json-text mode. */
export function trainingTexts(transcript: Transcript, callDate: string, notes: CallNotes): TrainingTexts {
  const prompt = renderPrompt(transcript, { callDate, mode: 'json-text' });
  return { system: prompt.system, user: prompt.messages.map((m) => m.text).join('\n'), assistant: renderNotesAnswer(notes) };
}

/** One training example in the family's record shape: user first, assistant last, no other keys. */
export function toTuningRecord(family: TuningFamily, texts: TrainingTexts): TuningRecord {
  if (family === 'nova') {
    return {
      schemaVersion: 'bedrock-conversation-2024',
      system: [{ text: texts.system }],
      messages: [
        { role: 'user', content: [{ text: texts.user }] },
        { role: 'assistant', content: [{ text: texts.assistant }] },
      ],
    };
  }
  return {
    system: texts.system,
    messages: [
      { role: 'user', content: texts.user },
      { role: 'assistant', content: texts.assistant },
    ],
  };
}

/** The user text of a record line `checkRecord` made for the family (the prompt around the transcript). */
export function recordUserText(family: TuningFamily, line: string): string {
  const record = JSON.parse(line) as TuningRecord;
  return family === 'nova' ? (record as NovaRecord).messages[0].content[0].text : (record as ClaudeRecord).messages[0].content;
}

export type RecordCheck = { ok: true; line: string; tokens: number } | { ok: false; reason: DropReason; detail: string };

/**
 * Renders and checks one record: PII is looked for again in every text (the transcript was
 * redacted at ingest, but corrections are typed by people and redaction can miss), then the
 * family's content rules and its size limit. The token estimate is over the whole JSONL line,
 * as Bedrock counts it.
 */
export function checkRecord(family: TuningFamily, texts: TrainingTexts, limits: FamilyLimits = FAMILY_LIMITS[family]): RecordCheck {
  for (const [part, text] of Object.entries(texts)) {
    const spans = findPii(text);
    if (spans.length > 0) return { ok: false, reason: 'pii', detail: `${part}: ${spans.map((s) => s.type).join(', ')}` };
  }
  if (family === 'nova') {
    const lower = `${texts.system}\n${texts.user}`.toLowerCase();
    const found = NOVA_RESERVED.find((keyword) => lower.includes(keyword));
    if (found) return { ok: false, reason: 'reserved-keyword', detail: `the prompt holds "${found}", reserved by Nova` };
  }
  const line = JSON.stringify(toTuningRecord(family, texts));
  const tokens = estimateTokens(line);
  if (tokens > limits.maxTokensPerRecord) {
    return { ok: false, reason: 'over-token-limit', detail: `about ${tokens} tokens; the limit is ${limits.maxTokensPerRecord}` };
  }
  return { ok: true, line, tokens };
}
