import { buildIngestDeps, loadConfig } from '#adapters/runtime.ts';
import { parseTranscriptDocument } from '#domain/formats/index.ts';
import { parseInboundMessage } from '#domain/inbound.ts';
import { hashTranscript } from '#domain/ingest.ts';
import { redactTranscript } from '#domain/pii.ts';
import type { StoredCall } from '#domain/ports.ts';
import { renderPrompt, type NotesPrompt } from '#domain/prompt.ts';
import type { Transcript } from '#domain/transcript.ts';
import { generateNotes, parsePromptTranscript } from '#local/bedrock/model/embedded-model.ts';
import type { LocalStack } from '#local/stack.ts';
import { makeCallBodies } from './calls.ts';
import { cpuMsSince } from './types.ts';

export interface StepCost {
  step: string;
  cpuMs: number;
  /** A request to AWS (SDK client and emulator), our own code, or the embedded model inside the Converse request. */
  kind: 'request' | 'ours' | 'model';
}

/**
 * What one call costs, step by step: each step of the ingest path run on its own for `count` calls
 * (10 at a time) with the function's own adapters on this thread, so a request's CPU time is the
 * SDK client's and the emulator's together. Shows where a call's CPU goes; the pipeline runs the
 * same steps with the client in a worker thread.
 */
export async function measureStepCosts(stack: LocalStack, count: number): Promise<StepCost[]> {
  // The function's environment (endpoints, credentials), as local/functions.ts gives a handler module.
  Object.assign(process.env, stack.functionEnv('ingest'));
  const deps = buildIngestDeps(loadConfig(process.env));
  const model = deps.model.resolve ? await deps.model.resolve() : deps.model;
  const costs: StepCost[] = [];
  const step = async <T>(name: string, kind: StepCost['kind'], items: readonly T[], work: (item: T) => unknown, callsPerItem = 1) => {
    const start = process.cpuUsage();
    let next = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (next < items.length) await work(items[next++]!);
    }));
    costs.push({ step: name, kind, cpuMs: cpuMsSince(start) / (items.length * callsPerItem) });
  };
  const calls: { callId: string; transcript: Transcript; hash: string }[] = [];
  await step('parse, redact, hash', 'ours', makeCallBodies(count, `steps-${Date.now()}`), (body) => {
    const message = parseInboundMessage(body);
    const { transcript } = redactTranscript(parseTranscriptDocument(message.callId, message.format, message.transcript, deps.formats));
    calls.push({ callId: message.callId, transcript, hash: hashTranscript(transcript) });
  });
  // The handler reads a batch's calls in one request (prefetchCalls), 10 calls a batch.
  const batches = Array.from({ length: Math.ceil(calls.length / 10) }, (_, i) => calls.slice(i * 10, i * 10 + 10).map((c) => c.callId));
  await step('DynamoDB BatchGetItem (10 calls a request)', 'request', batches, (ids) => deps.calls.getCalls!(ids), 10);
  await step('S3 PutObject (transcript)', 'request', calls, (c) => deps.transcripts.putTranscript(c.transcript, c.hash, `steps-${c.callId}`));
  const rendered: NotesPrompt[] = [];
  await step('render prompt', 'ours', calls, (c) => rendered.push(renderPrompt(c.transcript, { callDate: '2026-11-02', mode: model.mode })));
  await step('Bedrock Converse request', 'request', rendered, (prompt) => model.generate(prompt));
  // The embedded model's own work, which the emulator runs inside each Converse request; it is
  // taken out of the Converse figure below, which leaves the request itself (client and emulator).
  await step('embedded model', 'model', rendered, (prompt) => {
    const { callDate, turns } = parsePromptTranscript(prompt.messages[0]!.text);
    return generateNotes({ turns, callDate: callDate ?? '2026-11-02' });
  });
  const embedded = costs.find((c) => c.kind === 'model')!;
  const converse = costs.find((c) => c.step === 'Bedrock Converse request')!;
  converse.cpuMs = Math.max(0, converse.cpuMs - embedded.cpuMs);
  const notes = { summary: 'The customer asked about a refund. The agent explained the steps.', topics: ['refund'], actionItems: [{ owner: 'agent' as const, text: 'Send the refund form', due: null }], outcome: 'resolved' as const };
  await step('DynamoDB PutItem (notes)', 'request', calls, (c) => deps.calls.putCall(storedCall(c.callId, c.hash, notes)));
  return costs;
}

function storedCall(callId: string, transcriptHash: string, notes: StoredCall['notes']): StoredCall {
  return {
    callId, agentId: 'agent-steps', startedAt: '2026-11-02T08:00:00Z', status: 'done', transcriptHash, transcriptUri: `s3://steps/${callId}.json`,
    format: 'turns', speakerRoles: {}, turnCount: 6, notes, model: { id: 'model', version: 'base', mode: 'tool' },
    usage: { inputTokens: 600, outputTokens: 180, modelCalls: 1 }, latencyMs: 5, receivedAt: '2026-11-02T08:00:00Z', processedAt: '2026-11-02T08:00:01Z',
  };
}
