import { buildIngestDeps, loadConfig } from '#adapters/runtime.ts';
import { parseTranscriptDocument } from '#domain/formats/index.ts';
import { parseInboundMessage } from '#domain/inbound.ts';
import { hashTranscript } from '#domain/ingest.ts';
import { redactTranscript } from '#domain/pii.ts';
import type { StoredCall } from '#domain/ports.ts';
import { renderPrompt } from '#domain/prompt.ts';
import type { Transcript } from '#domain/transcript.ts';
import type { LocalStack } from '#local/stack.ts';
import { makeCallBodies } from './calls.ts';
import { cpuMsSince } from './types.ts';

export interface StepCost {
  step: string;
  cpuMs: number;
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
  const step = async <T>(name: string, items: readonly T[], work: (item: T) => unknown) => {
    const start = process.cpuUsage();
    let next = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (next < items.length) await work(items[next++]!);
    }));
    costs.push({ step: name, cpuMs: cpuMsSince(start) / items.length });
  };
  const calls: { callId: string; transcript: Transcript; hash: string }[] = [];
  await step('parse, redact, hash', makeCallBodies(count, `steps-${Date.now()}`), (body) => {
    const message = parseInboundMessage(body);
    const { transcript } = redactTranscript(parseTranscriptDocument(message.callId, message.format, message.transcript, deps.formats));
    calls.push({ callId: message.callId, transcript, hash: hashTranscript(transcript) });
  });
  await step('DynamoDB GetItem', calls, (c) => deps.calls.getCall(c.callId));
  await step('S3 PutObject (transcript)', calls, (c) => deps.transcripts.putTranscript(c.transcript, c.hash));
  await step('render prompt', calls, (c) => renderPrompt(c.transcript, { callDate: '2026-11-02', mode: model.mode }));
  await step('Bedrock Converse (embedded model)', calls, (c) => model.generate(renderPrompt(c.transcript, { callDate: '2026-11-02', mode: model.mode })));
  const notes = { summary: 'The customer asked about a refund. The agent explained the steps.', topics: ['refund'], actionItems: [{ owner: 'agent' as const, text: 'Send the refund form', due: null }], outcome: 'resolved' as const };
  await step('DynamoDB PutItem (notes)', calls, (c) => deps.calls.putCall(storedCall(c.callId, c.hash, notes)));
  return costs;
}

function storedCall(callId: string, transcriptHash: string, notes: StoredCall['notes']): StoredCall {
  return {
    callId, agentId: 'agent-steps', startedAt: '2026-11-02T08:00:00Z', status: 'done', transcriptHash, transcriptUri: `s3://steps/${callId}.json`,
    format: 'turns', speakerRoles: {}, turnCount: 6, notes, model: { id: 'model', version: 'base', mode: 'tool' },
    usage: { inputTokens: 600, outputTokens: 180, modelCalls: 1 }, latencyMs: 5, receivedAt: '2026-11-02T08:00:00Z', processedAt: '2026-11-02T08:00:01Z',
  };
}
