import { createHash } from 'node:crypto';
import type { CallNotes } from '../../domain/notes.ts';
import { validationError } from './errors.ts';
import type { ModelProfile } from './models.ts';
import { generateNotes, parsePromptTranscript } from './model/embedded-model.ts';

/** The parts of a Converse request the emulator reads (the real API has more; they are accepted). */
export interface ConverseRequest {
  messages: { role: 'user' | 'assistant'; content: Record<string, unknown>[] }[];
  system?: Record<string, unknown>[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: {
    tools: Record<string, unknown>[];
    toolChoice?: { tool?: { name: string }; any?: object; auto?: object };
  };
}

export interface ConverseResponse {
  output: { message: { role: 'assistant'; content: Record<string, unknown>[] } };
  stopReason: 'end_turn' | 'tool_use' | 'max_tokens';
  usage: { inputTokens: number; outputTokens: number; totalTokens: number };
  metrics: { latencyMs: number };
}

const CONTENT_BLOCKS = new Set([
  'text', 'image', 'document', 'video', 'audio', 'toolUse', 'toolResult', 'guardContent', 'cachePoint',
  'reasoningContent', 'citationsContent', 'searchResult',
]);
const SYSTEM_BLOCKS = new Set(['text', 'guardContent', 'cachePoint']);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a Converse body as Bedrock does, with Bedrock's wording; throws ValidationException. */
export function validateConverseRequest(body: unknown, model: ModelProfile): ConverseRequest {
  if (!isObject(body)) throw validationError('Malformed input request, please reformat your input and try again.');
  const { messages, system, inferenceConfig, toolConfig } = body;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw validationError('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  }
  let usesTools = false;
  messages.forEach((message: unknown, i) => {
    if (!isObject(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      throw validationError(`1 validation error detected: Value at 'messages.${i + 1}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`);
    }
    if (i === 0 && message.role !== 'user') {
      throw validationError('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
    }
    if (i > 0 && (messages[i - 1] as { role: string }).role === message.role) {
      throw validationError('A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.');
    }
    if (!Array.isArray(message.content) || message.content.length === 0) {
      throw validationError(`The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`);
    }
    message.content.forEach((block: unknown, j) => {
      const key = checkBlock(block, CONTENT_BLOCKS, `messages.${i}.content.${j}`);
      if (key === 'toolUse' || key === 'toolResult') usesTools = true;
    });
  });
  if (system !== undefined) {
    if (!Array.isArray(system)) throw validationError("1 validation error detected: Value at 'system' failed to satisfy constraint: Member must be a list");
    system.forEach((block: unknown, j) => checkBlock(block, SYSTEM_BLOCKS, `system.${j}`));
  }
  if (inferenceConfig !== undefined) checkInferenceConfig(inferenceConfig, model);
  if (toolConfig !== undefined) checkToolConfig(toolConfig);
  else if (usesTools) {
    throw validationError('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
  }
  return body as unknown as ConverseRequest;
}

function checkBlock(block: unknown, allowed: Set<string>, at: string): string {
  const keys = isObject(block) ? Object.keys(block) : [];
  if (keys.length !== 1 || !allowed.has(keys[0]!)) {
    throw validationError(`The ContentBlock object at ${at} must set exactly one of the following keys: ${[...allowed].join(', ')}.`);
  }
  const key = keys[0]!;
  const value = (block as Record<string, unknown>)[key];
  if (key === 'text' && (typeof value !== 'string' || value.trim() === '')) {
    throw validationError(`The text field in the ContentBlock object at ${at} is blank. Add text to the text field, and try again.`);
  }
  return key;
}

function checkInferenceConfig(config: unknown, model: ModelProfile): void {
  if (!isObject(config)) throw validationError("1 validation error detected: Value at 'inferenceConfig' failed to satisfy constraint: Member must be a structure");
  const { maxTokens, temperature, topP, stopSequences } = config;
  if (maxTokens !== undefined) {
    if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
      throw validationError(`1 validation error detected: Value '${String(maxTokens)}' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    }
    if (maxTokens > model.maxOutputTokens) {
      throw validationError(`The maximum tokens you requested exceeds the model limit of ${model.maxOutputTokens}. Try again with a maximum tokens value that is lower than ${model.maxOutputTokens}.`);
    }
  }
  for (const [name, value] of [['temperature', temperature], ['topP', topP]] as const) {
    if (value !== undefined && (typeof value !== 'number' || value < 0 || value > 1)) {
      throw validationError(`1 validation error detected: Value '${String(value)}' at 'inferenceConfig.${name}' failed to satisfy constraint: Member must have value between 0 and 1`);
    }
  }
  if (stopSequences !== undefined && (!Array.isArray(stopSequences) || stopSequences.some((s) => typeof s !== 'string'))) {
    throw validationError("1 validation error detected: Value at 'inferenceConfig.stopSequences' failed to satisfy constraint: Member must be a list of strings");
  }
}

function checkToolConfig(config: unknown): void {
  if (!isObject(config) || !Array.isArray(config.tools) || config.tools.length === 0) {
    throw validationError('The toolConfig field must contain at least one tool in the tools list.');
  }
  const names = new Set<string>();
  config.tools.forEach((tool: unknown, i) => {
    if (isObject(tool) && Object.keys(tool).length === 1 && ('cachePoint' in tool || 'systemTool' in tool)) return;
    const spec = isObject(tool) ? tool.toolSpec : undefined;
    if (!isObject(spec) || typeof spec.name !== 'string' || !TOOL_NAME.test(spec.name)) {
      throw validationError(`1 validation error detected: Value at 'toolConfig.tools.${i + 1}.member.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+`);
    }
    if (!isObject(spec.inputSchema) || !isObject(spec.inputSchema.json)) {
      throw validationError(`The inputSchema of tool ${spec.name} must be an object with a json member holding a JSON schema.`);
    }
    if (names.has(spec.name)) throw validationError(`The toolConfig field contains duplicate tool name ${spec.name}.`);
    names.add(spec.name);
  });
  const choice = config.toolChoice;
  if (choice === undefined) return;
  const keys = isObject(choice) ? Object.keys(choice) : [];
  if (keys.length !== 1 || !['auto', 'any', 'tool'].includes(keys[0]!)) {
    throw validationError('The toolChoice field must set exactly one of auto, any or tool.');
  }
  if (keys[0] === 'tool') {
    const name = (choice as { tool?: { name?: unknown } }).tool?.name;
    if (typeof name !== 'string' || !names.has(name)) {
      throw validationError(`The tool ${String(name)} specified in toolChoice is not defined in the toolConfig.tools list.`);
    }
  }
}

/** About four characters a token, over everything the model reads: system, messages and tool schemas. */
export function estimateInputTokens(request: ConverseRequest): number {
  let chars = 0;
  for (const block of request.system ?? []) chars += typeof block.text === 'string' ? block.text.length : 0;
  for (const message of request.messages) {
    for (const block of message.content) chars += typeof block.text === 'string' ? block.text.length : JSON.stringify(block).length;
  }
  if (request.toolConfig) chars += JSON.stringify(request.toolConfig).length;
  return Math.max(1, Math.ceil(chars / 4));
}

/** The tool a request forces, if any: `toolChoice.tool` by name, or the first tool for `any`. */
export function forcedTool(request: ConverseRequest): string | undefined {
  const choice = request.toolConfig?.toolChoice;
  if (choice?.tool) return choice.tool.name;
  if (choice?.any) {
    const first = request.toolConfig?.tools.find((t) => isObject(t.toolSpec));
    return (first?.toolSpec as { name?: string } | undefined)?.name;
  }
  return undefined;
}

/** The transcript prompt: the first user text holding <transcript>, else all user text. */
export function promptText(request: ConverseRequest): string {
  const userTexts = request.messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content.map((b) => (typeof b.text === 'string' ? b.text : '')).join('\n'));
  return userTexts.find((t) => t.includes('<transcript>')) ?? userTexts.join('\n');
}

export function notesForRequest(request: ConverseRequest, today: string): CallNotes {
  const { callDate, turns } = parsePromptTranscript(promptText(request));
  return generateNotes({ turns, callDate: callDate ?? today });
}

/** Output that is not valid notes, as models sometimes answer: cut-off JSON, prose, wrong shapes. */
export function malformedAnswer(notes: CallNotes, variant: number, tool: boolean): Record<string, unknown> | string {
  if (tool) {
    if (variant === 0) {
      const { outcome: _o, actionItems: _a, ...rest } = notes;
      return rest;
    }
    if (variant === 1) return { ...notes, topics: [], actionItems: notes.actionItems.map(({ text }) => ({ text, due: 'next week' })) };
    return { notes: JSON.stringify(notes) };
  }
  const json = JSON.stringify(notes);
  if (variant === 0) return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
  if (variant === 1) return `Here are the call notes:\n\n- Summary: ${notes.summary}\n- Outcome: ${notes.outcome}`;
  return JSON.stringify({ ...notes, topics: notes.topics.join(', '), outcome: 'done' });
}

/** Builds the response body: toolUse when a tool is forced, else the notes as JSON text. */
export function buildResponse(
  request: ConverseRequest,
  answer: Record<string, unknown> | string,
  latencyMs: number,
): ConverseResponse {
  const inputTokens = estimateInputTokens(request);
  const maxTokens = request.inferenceConfig?.maxTokens ?? Number.POSITIVE_INFINITY;
  const tool = forcedTool(request);
  const serialized = typeof answer === 'string' ? answer : JSON.stringify(answer);
  const fullTokens = Math.max(1, Math.ceil(serialized.length / 4));
  const truncated = fullTokens > maxTokens;
  const outputTokens = Math.min(fullTokens, maxTokens);
  let content: Record<string, unknown>[];
  if (tool) {
    const toolUseId = `tooluse_${createHash('sha256').update(serialized).digest('base64url').slice(0, 22)}`;
    const input = truncated ? {} : typeof answer === 'string' ? { text: answer } : answer;
    content = [{ toolUse: { toolUseId, name: tool, input } }];
  } else {
    content = [{ text: truncated ? serialized.slice(0, outputTokens * 4) : serialized }];
  }
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: truncated ? 'max_tokens' : tool ? 'tool_use' : 'end_turn',
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    metrics: { latencyMs },
  };
}
