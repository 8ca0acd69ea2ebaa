import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  InternalServerException,
  ModelNotReadyException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallNotesSchema } from '../../domain/notes.ts';
import { renderPrompt, type NotesPrompt } from '../../domain/prompt.ts';
import type { Transcript } from '../../domain/transcript.ts';
import { AdaptiveConcurrency } from '../../adapters/adaptive-concurrency.ts';
import { BedrockNotesModel, bedrockRuntimeClient } from '../../adapters/bedrock-notes-model.ts';
import { startBedrockEmulator, type BedrockEmulator } from '../../local/bedrock/server.ts';

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const CUSTOM_MODEL_ARN = 'arn:aws:bedrock:us-west-2:123456789012:custom-model/anthropic.claude-3-haiku-20240307-v1:0:200k/abcd1234efgh';

const lostCardCall: Transcript = {
  callId: 'call-1',
  meta: { format: 'turns', speakerRoles: {} },
  turns: [
    { role: 'agent', text: 'Thanks for calling Acme Bank, this is Dana. How can I help?' },
    { role: 'customer', text: 'Hi, I lost my debit card yesterday and I think it was stolen.' },
    { role: 'agent', text: "I've blocked the card. I'll send you a replacement card within 5 business days." },
    { role: 'customer', text: "Great, thanks, that's all." },
  ],
};

/** The Converse input the Bedrock adapter sends for a rendered prompt (SDK shapes). */
function toConverseInput(modelId: string, prompt: NotesPrompt): ConverseCommandInput {
  return {
    modelId,
    system: [{ text: prompt.system }],
    messages: prompt.messages.map((m) => ({ role: m.role, content: [{ text: m.text }] })),
    inferenceConfig: { maxTokens: 2000, temperature: 0 },
    ...(prompt.tool
      ? {
          toolConfig: {
            tools: [{ toolSpec: { name: prompt.tool.name, description: prompt.tool.description, inputSchema: { json: prompt.tool.inputSchema as never } } }],
            toolChoice: { tool: { name: prompt.tool.name } },
          },
        }
      : {}),
  };
}

describe('Bedrock emulator (Converse over HTTP with the real SDK)', () => {
  let emulator: BedrockEmulator;
  let client: BedrockRuntimeClient;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ port: 0 });
    client = new BedrockRuntimeClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
  });

  afterEach(() => {
    emulator.setFaults({ throttleRate: 0, throttleNext: 0, timeoutRate: 0, malformedRate: 0, latencyMs: { min: 0, max: 0 }, failNext: [] });
  });

  afterAll(async () => {
    client.destroy();
    await emulator.close();
  });

  it('the adapter client reuses its connections; the SDK default opens one per call (HTTP/2, one stream a session)', async () => {
    const options = { endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
    const calls = async (c: BedrockRuntimeClient) => {
      const before = emulator.stats().connections;
      for (let i = 0; i < 8; i++) await c.send(new ConverseCommand(toConverseInput(HAIKU, renderPrompt(lostCardCall, { callDate: '2026-11-23', mode: 'tool' }))));
      return emulator.stats().connections - before;
    };
    const adapter = bedrockRuntimeClient(options);
    const sdkDefault = new BedrockRuntimeClient({ ...options, maxAttempts: 1 });
    try {
      expect(await calls(adapter)).toBe(1);
      expect(await calls(sdkDefault)).toBe(8);
    } finally {
      adapter.destroy();
      sdkDefault.destroy();
    }
  });

  it('the adapter pauses its starts after a throttle: under a quota the same calls meet far fewer throttles than without the pause', async () => {
    // Its own emulator: a tokens-per-minute quota over a 1 s window, about two of these calls a second.
    const quoted = await startBedrockEmulator({ port: 0, faults: { tokensPerMinute: 90_000, quotaWindowSeconds: 1 } });
    const client = bedrockRuntimeClient({ endpoint: quoted.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const prompt = renderPrompt(lostCardCall, { callDate: '2026-11-23', mode: 'tool' });
    // Ten calls at once through the model adapter (its retries and concurrency limit), as a batch would.
    const throttlesWith = async (concurrency: AdaptiveConcurrency) => {
      await new Promise((r) => setTimeout(r, 1100)); // the previous run's tokens leave the window
      const model = new BedrockNotesModel({ modelId: HAIKU, modelVersion: 'base', maxOutputTokens: 1024, client, concurrency, maxAttempts: 6, maxRetrySeconds: 30 });
      const before = quoted.stats().throttled;
      const answers = await Promise.all(Array.from({ length: 10 }, () => model.generate(prompt)));
      expect(answers.filter((a) => a.usage.outputTokens > 0)).toHaveLength(10);
      return quoted.stats().throttled - before;
    };
    try {
      const paused = await throttlesWith(new AdaptiveConcurrency());
      const unpaused = await throttlesWith(new AdaptiveConcurrency({ pauseMs: 0 }));
      expect(unpaused).toBeGreaterThan(0);
      expect(paused).toBeLessThan(unpaused * 0.6);
    } finally {
      client.destroy();
      await quoted.close();
    }
  });

  describe('Method: converse', () => {
    it('binds port 0 to a real port and reports it', () => {
      // Assess
      expect(emulator.port).toBeGreaterThan(0);
      expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
    });

    it('answers a tool-forced request with a toolUse whose input is valid call notes', async () => {
      // Prepare
      const input = toConverseInput(HAIKU, renderPrompt(lostCardCall, { callDate: '2024-05-08', mode: 'tool' }));

      // Act
      const response = await client.send(new ConverseCommand(input));

      // Assess
      expect(response.stopReason).toBe('tool_use');
      const block = response.output?.message?.content?.[0];
      expect(block?.toolUse?.name).toBe('record_call_notes');
      expect(block?.toolUse?.toolUseId).toMatch(/^tooluse_/);
      const notes = CallNotesSchema.parse(block?.toolUse?.input);
      expect(notes.topics.join(' ')).toMatch(/card/);
      expect(notes.actionItems).toContainEqual(expect.objectContaining({ owner: 'agent', due: '2024-05-15' }));
      expect(response.usage?.inputTokens).toBeGreaterThan(100);
      expect(response.usage?.totalTokens).toBe((response.usage?.inputTokens ?? 0) + (response.usage?.outputTokens ?? 0));
      expect(response.metrics?.latencyMs).toBeGreaterThanOrEqual(1);
      expect(response.$metadata.requestId).toBeTruthy();
    });

    it('answers a request without tools with the notes as JSON text (fine-tuned model ARN)', async () => {
      // Prepare
      const input = toConverseInput(CUSTOM_MODEL_ARN, renderPrompt(lostCardCall, { callDate: '2024-05-08', mode: 'json-text' }));

      // Act
      const response = await client.send(new ConverseCommand(input));

      // Assess
      expect(response.stopReason).toBe('end_turn');
      const text = response.output?.message?.content?.[0]?.text ?? '';
      expect(CallNotesSchema.safeParse(JSON.parse(text)).success).toBe(true);
    });

    it('accepts inference-profile ids and Nova models', async () => {
      // Prepare
      const prompt = renderPrompt(lostCardCall, { callDate: '2024-05-08', mode: 'tool' });

      // Act
      const responses = await Promise.all(
        ['us.anthropic.claude-3-haiku-20240307-v1:0', 'amazon.nova-lite-v1:0', 'eu.amazon.nova-micro-v1:0'].map((id) =>
          client.send(new ConverseCommand(toConverseInput(id, prompt))),
        ),
      );

      // Assess
      for (const response of responses) expect(response.stopReason).toBe('tool_use');
    });

    it('is deterministic: the same request gives the same answer', async () => {
      // Prepare
      const input = toConverseInput(HAIKU, renderPrompt(lostCardCall, { callDate: '2024-05-08', mode: 'tool' }));

      // Act
      const [a, b] = [await client.send(new ConverseCommand(input)), await client.send(new ConverseCommand(input))];

      // Assess
      expect(a.output).toEqual(b.output);
      expect(a.usage).toEqual(b.usage);
    });

    const longCall = (repeat: number): Transcript => ({
      callId: 'long',
      meta: { format: 'turns', speakerRoles: {} },
      turns: Array.from({ length: 1500 }, (_, i) => ({
        role: i % 2 === 0 ? 'customer' : 'agent',
        text: `${i === 0 ? 'My internet keeps dropping every evening. ' : ''}${'We talked about the router settings and the line quality again. '.repeat(repeat)}`,
      })),
    });

    it('answers a two-hour call of 1,500 turns (about 1 MB) within the context window', async () => {
      // Prepare
      const input = toConverseInput('amazon.nova-lite-v1:0', renderPrompt(longCall(10), { callDate: '2024-05-08', mode: 'tool' }));

      // Act
      const response = await client.send(new ConverseCommand(input));

      // Assess
      expect(JSON.stringify(input).length).toBeGreaterThan(900_000);
      expect(CallNotesSchema.safeParse(response.output?.message?.content?.[0]?.toolUse?.input).success).toBe(true);
    });

    it('reads a body of several MB and refuses it as Bedrock does when it exceeds the context window', async () => {
      // Prepare
      const input = toConverseInput(HAIKU, renderPrompt(longCall(30), { callDate: '2024-05-08', mode: 'tool' }));

      // Act
      const error = await client.send(new ConverseCommand(input)).catch((e: unknown) => e);

      // Assess
      expect(JSON.stringify(input).length).toBeGreaterThan(2_500_000);
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).message).toBe('Input is too long for requested model.');
    });
  });

  describe('Method: converse (errors)', () => {
    const input = () => toConverseInput(HAIKU, renderPrompt(lostCardCall, { callDate: '2024-05-08', mode: 'tool' }));

    it('returns ResourceNotFoundException (404) for an unknown model id', async () => {
      // Act
      const error = await client.send(new ConverseCommand({ ...input(), modelId: 'acme.unknown-model-v1:0' })).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    });

    it.each([
      ['no messages', { messages: [] }],
      ['an assistant first', { messages: [{ role: 'assistant', content: [{ text: 'hi' }] }] }],
      ['roles not alternating', { messages: [{ role: 'user', content: [{ text: 'a' }] }, { role: 'user', content: [{ text: 'b' }] }] }],
      ['a blank text block', { messages: [{ role: 'user', content: [{ text: '  ' }] }] }],
      ['a toolChoice naming an undefined tool', { toolConfig: { ...input().toolConfig!, toolChoice: { tool: { name: 'other_tool' } } } }],
      ['maxTokens over the model limit', { inferenceConfig: { maxTokens: 100_000 } }],
    ] as [string, Partial<ConverseCommandInput>][])('returns ValidationException (400) for %s', async (_name, patch) => {
      // Prepare
      const request = { ...input(), ...patch } as ConverseCommandInput;

      // Act
      const error = await client.send(new ConverseCommand(request)).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).$metadata.httpStatusCode).toBe(400);
      expect((error as ValidationException).message.length).toBeGreaterThan(10);
    });

    it.each([
      ['AccessDeniedException', AccessDeniedException, 403],
      ['ModelTimeoutException', ModelTimeoutException, 408],
      ['ThrottlingException', ThrottlingException, 429],
      ['ModelNotReadyException', ModelNotReadyException, 429],
      ['InternalServerException', InternalServerException, 500],
      ['ServiceUnavailableException', ServiceUnavailableException, 503],
    ] as const)('surfaces an injected %s as the SDK exception class', async (name, ErrorClass, status) => {
      // Prepare
      emulator.setFaults({ failNext: [name] });

      // Act
      const error = await client.send(new ConverseCommand(input())).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ErrorClass);
      expect((error as InstanceType<typeof ErrorClass>).name).toBe(name);
      expect((error as InstanceType<typeof ErrorClass>).$metadata.httpStatusCode).toBe(status);
      expect((error as InstanceType<typeof ErrorClass>).$metadata.requestId).toBeTruthy();
    });
  });

  describe('Method: faults', () => {
    const input = () => toConverseInput(HAIKU, renderPrompt(lostCardCall, { callDate: '2024-05-08', mode: 'tool' }));

    it('throttles exactly the next call when throttleNext is 1', async () => {
      // Prepare
      const before = emulator.stats();
      emulator.setFaults({ throttleNext: 1 });

      // Act
      const first = await client.send(new ConverseCommand(input())).catch((e: unknown) => e);
      const second = await client.send(new ConverseCommand(input()));

      // Assess
      expect(first).toBeInstanceOf(ThrottlingException);
      expect((first as ThrottlingException).$metadata.httpStatusCode).toBe(429);
      expect(second.stopReason).toBe('tool_use');
      const after = emulator.stats();
      expect(after.converseCalls - before.converseCalls).toBe(2);
      expect(after.throttled - before.throttled).toBe(1);
    });

    it('lets out-of-process tools read and change faults over HTTP', async () => {
      // Act
      const health = await fetch(`${emulator.url}/_emulator/health`);
      const posted = await fetch(`${emulator.url}/_emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ throttleNext: 2, latencyMs: { min: 1, max: 2 } }),
      });
      const current = await fetch(`${emulator.url}/_emulator/faults`);
      const errors = await Promise.all([1, 2, 3].map(() => client.send(new ConverseCommand(input())).catch((e: unknown) => e)));
      const invalid = await fetch(`${emulator.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ throttleRate: 2 }) });

      // Assess
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true });
      expect(await posted.json()).toMatchObject({ throttleNext: 2, throttleRate: 0, latencyMs: { min: 1, max: 2 } });
      expect(await current.json()).toMatchObject({ throttleNext: 2 });
      expect(errors.filter((e) => e instanceof ThrottlingException)).toHaveLength(2);
      expect(invalid.status).toBe(400);
      expect(invalid.headers.get('x-amzn-errortype')).toBe('ValidationException');
    });

    it('answers malformed output when malformedRate is 1, in both modes', async () => {
      // Prepare
      emulator.setFaults({ malformedRate: 1 });
      const jsonInput = toConverseInput(CUSTOM_MODEL_ARN, renderPrompt(lostCardCall, { callDate: '2024-05-08', mode: 'json-text' }));

      // Act
      const tool = await Promise.all([1, 2, 3].map(() => client.send(new ConverseCommand(input()))));
      const text = await Promise.all([1, 2, 3].map(() => client.send(new ConverseCommand(jsonInput))));

      // Assess
      for (const r of tool) expect(CallNotesSchema.safeParse(r.output?.message?.content?.[0]?.toolUse?.input).success).toBe(false);
      for (const r of text) {
        const raw = r.output?.message?.content?.[0]?.text ?? '';
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          parsed = undefined;
        }
        expect(CallNotesSchema.safeParse(parsed).success).toBe(false);
      }
    });

    it('repeats the same fault sequence for the same seed', async () => {
      // Prepare
      const runs = await Promise.all([7, 7, 8].map(async (seed) => {
        const own = await startBedrockEmulator({ port: 0, seed, faults: { throttleRate: 0.5 } });
        const ownClient = new BedrockRuntimeClient({ endpoint: own.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
        const outcomes: string[] = [];
        // Act
        for (let i = 0; i < 12; i += 1) {
          outcomes.push(await ownClient.send(new ConverseCommand(input())).then(() => 'ok', (e: Error) => e.name));
        }
        ownClient.destroy();
        await own.close();
        return outcomes.join(',');
      }));

      // Assess
      expect(runs[0]).toBe(runs[1]);
      expect(runs[0]).toContain('ThrottlingException');
      expect(runs[0]).toContain('ok');
    });
  });
});
