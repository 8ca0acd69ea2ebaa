import type { CustomizationFamily } from '../models.ts';

/** One validated record, reduced to what the embedded model learns from: the first user and assistant turns. */
export interface TuningRecord {
  line: number;
  system: string | undefined;
  user: string;
  assistant: string;
}

export interface DatasetLimits {
  maxRecords: number;
  minRecords: number;
  /** Largest record, in tokens (estimated as characters / 4). */
  maxTokensPerRecord: number;
}

/** Raised for the first record Bedrock would refuse; the job ends Failed with this message. */
export class TuningDatasetError extends Error {
  override readonly name = 'TuningDatasetError';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a JSONL tuning file as Bedrock does for the base model's family and returns its records.
 * Claude 3: `{"system"?: string, "messages": [{"role": "user", "content": string}, {"role": "assistant", ...}, ...]}`
 * (user first, assistant last, alternating, no other keys). Nova: the bedrock-conversation-2024 schema.
 */
export function parseTuningFile(text: string, fileName: string, family: CustomizationFamily, limits: DatasetLimits): TuningRecord[] {
  const records: TuningRecord[] = [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const fail = (message: string): never => {
      throw new TuningDatasetError(`${fileName} line ${line}: ${message}`);
    };
    if (!raw.trim()) fail('empty line; each line must hold one JSON record');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      fail('not valid JSON');
    }
    if (!isObject(value)) fail('a record must be a JSON object');
    const record = family === 'nova' ? novaRecord(value as Record<string, unknown>, fail) : claudeRecord(value as Record<string, unknown>, fail);
    const tokens = Math.ceil(raw.length / 4);
    if (tokens > limits.maxTokensPerRecord) fail(`the record has about ${tokens} tokens; the limit is ${limits.maxTokensPerRecord}`);
    records.push({ line, ...record });
    if (records.length > limits.maxRecords) {
      throw new TuningDatasetError(`${fileName} has more than ${limits.maxRecords} records, the limit for this base model`);
    }
  });
  if (records.length < limits.minRecords) {
    throw new TuningDatasetError(`${fileName} has ${records.length} records; at least ${limits.minRecords} are required`);
  }
  return records;
}

type Fail = (message: string) => never;

function checkKeys(value: Record<string, unknown>, allowed: string[], at: string, fail: Fail): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length > 0) fail(`${at}unexpected key ${JSON.stringify(extra[0])}; allowed keys are ${allowed.join(', ')}`);
}

function checkTurns(messages: unknown, fail: Fail, text: (content: unknown, at: string) => string): { user: string; assistant: string } {
  if (!Array.isArray(messages)) fail('messages must be a list');
  const list = messages as unknown[];
  if (list.length < 2) fail('messages must hold at least one user and one assistant message');
  const texts: string[] = [];
  list.forEach((message, i) => {
    if (!isObject(message)) fail(`messages[${i}] must be an object`);
    const m = message as Record<string, unknown>;
    checkKeys(m, ['role', 'content'], `messages[${i}]: `, fail);
    const expected = i % 2 === 0 ? 'user' : 'assistant';
    if (m.role !== expected) fail(`messages[${i}].role must be ${expected}`);
    texts.push(text(m.content, `messages[${i}].content`));
  });
  if (list.length % 2 !== 0) fail(`messages[${list.length - 1}].role must be assistant: the last message must come from the assistant`);
  return { user: texts[0]!, assistant: texts[1]! };
}

function claudeRecord(value: Record<string, unknown>, fail: Fail): Omit<TuningRecord, 'line'> {
  checkKeys(value, ['system', 'messages'], '', fail);
  if (value.system !== undefined && typeof value.system !== 'string') fail('system must be a string');
  const turns = checkTurns(value.messages, fail, (content, at) => {
    if (typeof content !== 'string' || !content.trim()) fail(`${at} must be a non-empty string`);
    return content as string;
  });
  return { system: value.system as string | undefined, ...turns };
}

function novaRecord(value: Record<string, unknown>, fail: Fail): Omit<TuningRecord, 'line'> {
  checkKeys(value, ['schemaVersion', 'system', 'messages'], '', fail);
  if (value.schemaVersion !== 'bedrock-conversation-2024') fail('schemaVersion must be "bedrock-conversation-2024"');
  let system: string | undefined;
  if (value.system !== undefined) {
    if (!Array.isArray(value.system)) fail('system must be a list of {"text": string} blocks');
    system = (value.system as unknown[])
      .map((block, i) => {
        if (!isObject(block) || typeof block.text !== 'string' || Object.keys(block).length !== 1) fail(`system[${i}] must be {"text": string}`);
        return (block as { text: string }).text;
      })
      .join('\n');
  }
  const turns = checkTurns(value.messages, fail, (content, at) => {
    if (!Array.isArray(content) || content.length === 0) fail(`${at} must be a non-empty list of content blocks`);
    return (content as unknown[])
      .map((block, j) => {
        if (!isObject(block) || Object.keys(block).length !== 1) fail(`${at}[${j}] must set exactly one of text, image, video`);
        const b = block as Record<string, unknown>;
        if ('text' in b) {
          if (typeof b.text !== 'string' || !b.text.trim()) fail(`${at}[${j}].text must be a non-empty string`);
          return b.text as string;
        }
        if ('image' in b || 'video' in b) return '';
        return fail(`${at}[${j}] must set exactly one of text, image, video`);
      })
      .join('\n');
  });
  return { system, ...turns };
}
