import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTranscriptDocument } from '#domain/formats/index.ts';
import { parseInboundMessage } from '#domain/inbound.ts';
import type { CallNotes } from '#domain/notes.ts';
import { redactTranscript } from '#domain/pii.ts';
import { renderPrompt, renderTranscript, renderTurns, type NotesPrompt } from '#domain/prompt.ts';
import type { Transcript } from '#domain/transcript.ts';
import { buildResponse, estimateInputTokens, type ConverseRequest } from '#local/bedrock/converse.ts';
import { generateNotes } from '#local/bedrock/model/embedded-model.ts';
import { longCallBody } from './calls.ts';
import { say } from './progress.ts';
import { fmt, metric, type BenchOptions, type BenchResult } from './types.ts';

const NAME = 'tokens';

/**
 * The one-question-per-prompt scheme that post-call analytics solutions ship by default: the whole
 * transcript re-sent for each of seven fields, after the same short preamble, with one question
 * each (the wording here is ours; the shape, lengths and field list follow that default).
 */
export const ONE_QUESTION_FIELDS = {
  summary: 'What is a summary of the transcript?',
  topic: 'What is the topic of the call? For example, iphone issue, billing issue, cancellation. Only reply with the topic, nothing more.',
  product: 'What product did the customer call about? For example, internet, broadband, mobile phone, mobile plans. Only reply with the product, nothing more.',
  resolved: "Did the agent resolve the customer's questions? Only reply with yes or no, nothing more.",
  callback: 'Was this a callback? (yes or no) Only reply with yes or no, nothing more.',
  politeness: 'Was the agent polite and professional? (yes or no) Only reply with yes or no, nothing more.',
  actions: 'What actions did the Agent take?',
} as const;

const PREAMBLE =
  'Human: Answer the question in <question></question> using the transcript in <transcript></transcript>. ' +
  "If the question cannot be answered, reply with 'n/a'. Use gender neutral pronouns. Reply with the answer only.";

export function oneQuestionPrompt(question: string, plainTranscript: string): string {
  return `\n\n${PREAMBLE}\n\n<question>${question}</question>\n\n<transcript>\n${plainTranscript}\n</transcript>\n\nAssistant:`;
}

/** The Converse request BedrockNotesModel sends for a prompt (adapters/bedrock-notes-model.ts). */
export function converseRequest(prompt: NotesPrompt, maxTokens = 1024): ConverseRequest {
  const request: ConverseRequest = {
    system: [{ text: prompt.system }],
    messages: prompt.messages.map((m) => ({ role: m.role, content: [{ text: m.text }] })),
    inferenceConfig: { maxTokens, temperature: 0 },
  };
  if (prompt.tool) {
    request.toolConfig = {
      tools: [{ toolSpec: { name: prompt.tool.name, description: prompt.tool.description, inputSchema: { json: prompt.tool.inputSchema } } }],
      toolChoice: { tool: { name: prompt.tool.name } },
    };
  }
  return request;
}

/** The seven answers the one-question scheme would get, taken from the same model's notes. */
function oneQuestionAnswers(notes: CallNotes): Record<keyof typeof ONE_QUESTION_FIELDS, string> {
  return {
    summary: notes.summary,
    topic: notes.topics[0] ?? 'n/a',
    product: notes.topics[0] ?? 'n/a',
    resolved: notes.outcome === 'resolved' ? 'yes' : 'no',
    callback: 'no',
    politeness: 'yes',
    actions: notes.actionItems.map((a) => a.text).join('. ') || 'n/a',
  };
}

const tokens = (chars: number) => Math.ceil(chars / 4);

interface CallTokens {
  file: string;
  ours: { input: number; output: number; system: number; toolSchema: number; transcript: number; userWrapper: number };
  oneQuestion: { input: number; output: number; requests: number };
  transcriptChars: { plain: number; compacted: number };
  /** Input tokens of the same call to a fine-tuned model (short system prompt, no tool schema). */
  tuned: number;
  notes: { topics: number; actionItems: number; actionItemsWithDue: number; summarySentences: number };
}

function callTokens(file: string, text: string): CallTokens {
  const message = parseInboundMessage(text);
  const parsed = parseTranscriptDocument(message.callId, message.format, message.transcript);
  const { transcript } = redactTranscript(parsed as Transcript);
  const callDate = message.startedAt.slice(0, 10);

  const prompt = renderPrompt(transcript, { callDate, mode: 'tool' });
  const request = converseRequest(prompt);
  const notes = generateNotes({ turns: transcript.turns, callDate });
  const response = buildResponse(request, notes as unknown as Record<string, unknown>, 1);
  const compacted = renderTranscript(transcript);
  const plain = renderTurns(transcript);
  const userChars = prompt.messages.reduce((s, m) => s + m.text.length, 0);

  const answers = oneQuestionAnswers(notes);
  let oqInput = 0;
  let oqOutput = 0;
  for (const [field, question] of Object.entries(ONE_QUESTION_FIELDS)) {
    oqInput += estimateInputTokens({ messages: [{ role: 'user', content: [{ text: oneQuestionPrompt(question, plain) }] }], inferenceConfig: { maxTokens: 1024 } });
    oqOutput += Math.max(1, tokens(answers[field as keyof typeof answers].length));
  }
  return {
    file,
    tuned: estimateInputTokens(converseRequest(renderPrompt(transcript, { callDate, mode: 'json-text' }))),
    ours: {
      input: estimateInputTokens(request),
      output: response.usage.outputTokens,
      system: tokens(prompt.system.length),
      toolSchema: tokens(JSON.stringify(request.toolConfig).length),
      transcript: tokens(compacted.length),
      userWrapper: tokens(userChars - compacted.length),
    },
    oneQuestion: { input: oqInput, output: oqOutput, requests: 7 },
    transcriptChars: { plain: plain.length, compacted: compacted.length },
    notes: {
      topics: notes.topics.length,
      actionItems: notes.actionItems.length,
      actionItemsWithDue: notes.actionItems.filter((a) => a.due).length,
      summarySentences: notes.summary.split(/(?<=[.!?])\s+/).length,
    },
  };
}

/** Benchmark 3: input and output tokens per call, ours vs the one-question-per-prompt scheme. */
export async function run(_options: BenchOptions): Promise<Omit<BenchResult, 'wallMs'>> {
  const dir = 'events/calls';
  const perCall = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => callTokens(file, readFileSync(join(dir, file), 'utf8')));
  // Overhead is per request, so it weighs less on long calls: the same figures for a 10-minute call.
  const long = callTokens('10-minute call', longCallBody('bench-long-10', 10).body);
  const longRatio = long.ours.input / long.oneQuestion.input;
  say(`${NAME}: ${perCall.length} sample calls`);
  const total = (f: (c: CallTokens) => number) => perCall.reduce((s, c) => s + f(c), 0);
  const n = perCall.length;
  const oursIn = total((c) => c.ours.input);
  const oqIn = total((c) => c.oneQuestion.input);
  const ratio = oursIn / oqIn;
  const tunedIn = total((c) => c.tuned);
  const tunedRatio = tunedIn / oqIn;
  const plainChars = total((c) => c.transcriptChars.plain);
  const compactChars = total((c) => c.transcriptChars.compacted);
  const saving = 1 - compactChars / plainChars;
  const breakdown = {
    system: total((c) => c.ours.system) / n,
    toolSchema: total((c) => c.ours.toolSchema) / n,
    transcript: total((c) => c.ours.transcript) / n,
    userWrapper: total((c) => c.ours.userWrapper) / n,
  };
  // What the one-question scheme spends per call besides the transcript seven times over.
  const oqTranscript = (7 * tokens(plainChars)) / n;
  const budgetAt015 = 0.15 * (oqIn / n);
  return {
    name: NAME,
    metrics: [
      metric(NAME, 'input tokens/call: ours, base model (1 request, tool schema)', oursIn / n, 'tokens', fmt(oursIn / n, 0)),
      metric(NAME, 'input tokens/call: ours, fine-tuned model (1 request)', tunedIn / n, 'tokens', fmt(tunedIn / n, 0)),
      metric(NAME, 'input tokens/call: one question per field (7 requests)', oqIn / n, 'tokens', fmt(oqIn / n, 0)),
      metric(NAME, 'input tokens ours (fine-tuned, as served) / one-question', tunedRatio, '', fmt(tunedRatio, 3), { text: '<= 0.15', pass: tunedRatio <= 0.15 }),
      metric(NAME, 'input tokens ours (base model) / one-question', ratio, '', fmt(ratio, 3)),
      metric(NAME, 'output tokens/call: ours / one-question', total((c) => c.ours.output) / n, 'tokens', `${fmt(total((c) => c.ours.output) / n, 0)} / ${fmt(total((c) => c.oneQuestion.output) / n, 0)}`),
      metric(NAME, 'input breakdown: system / tool schema / transcript / wrapper', breakdown.transcript, 'tokens', `${fmt(breakdown.system, 0)} / ${fmt(breakdown.toolSchema, 0)} / ${fmt(breakdown.transcript, 0)} / ${fmt(breakdown.userWrapper, 0)}`),
      metric(NAME, 'input tokens ours / one-question, 10-minute call', longRatio, '', fmt(longRatio, 3)),
      metric(NAME, 'transcript compaction saving (renderTranscript vs renderTurns)', saving * 100, '%', fmt(saving * 100, 1)),
    ],
    details: {
      tokenCounting: 'emulator estimate: ceil(chars / 4) of system + message text + JSON of toolConfig (local/bedrock/converse.ts estimateInputTokens); no tokenizer package is installed',
      perCall,
      tenMinuteCall: long,
      totals: { oursInput: oursIn, oneQuestionInput: oqIn, oursOutput: total((c) => c.ours.output), oneQuestionOutput: total((c) => c.oneQuestion.output) },
      ratio,
      compaction: { plainChars, compactChars, saving },
      breakdownPerCall: breakdown,
      oneQuestionTranscriptTokensPerCall: oqTranscript,
      oursInputBudgetAt015: budgetAt015,
      overBudgetBy: oursIn / n - budgetAt015,
    },
    notes: [
      `tokens counted as the emulator does (ceil(chars/4) of system, messages and tool schema JSON) for both schemes; no tokenizer is installed`,
      `at 0.15 our budget is ${fmt(budgetAt015, 0)} input tokens a call; we use ${fmt(oursIn / n, 0)} (system ${fmt(breakdown.system, 0)}, tool schema ${fmt(breakdown.toolSchema, 0)}, transcript ${fmt(breakdown.transcript, 0)}, wrapper ${fmt(breakdown.userWrapper, 0)})`,
    ],
  };
}
