import type { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { BedrockNotesModel } from '#adapters/bedrock-notes-model.ts';
import { renderPrompt } from '#domain/prompt.ts';
import { validNotes } from '../support/fakes.ts';

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

/** A Bedrock Runtime client that fails with `failures` in turn, then answers with valid notes. */
function scriptedClient(failures: Error[]) {
  const sent: ConverseCommand[] = [];
  const client = {
    send: async (command: ConverseCommand) => {
      sent.push(command);
      const failure = failures.shift();
      if (failure) throw failure;
      return { output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'record_call_notes', input: validNotes() } }] } }, usage: { inputTokens: 10, outputTokens: 5 }, stopReason: 'tool_use' };
    },
  };
  return { client: client as unknown as BedrockRuntimeClient, sent };
}

const prompt = renderPrompt(
  { callId: 'c1', meta: { format: 'turns', speakerRoles: {} }, turns: [{ role: 'customer', text: 'My card is lost.' }, { role: 'agent', text: 'I blocked it.' }] },
  { callDate: '2026-11-23', mode: 'tool' },
);

describe('BedrockNotesModel: connection failures', () => {
  it('retries a call whose kept-alive connection was reset, on a new attempt', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { client, sent } = scriptedClient([reset]);
    const model = new BedrockNotesModel({ modelId: HAIKU, modelVersion: 'base', maxOutputTokens: 512, client, maxAttempts: 3 });

    const answer = await model.generate(prompt);

    expect(sent).toHaveLength(2);
    expect(answer.output).toMatchObject({ kind: 'tool' });
  });

  it('does not retry an error that is not about the connection or the service', async () => {
    const { client, sent } = scriptedClient([new TypeError('a bug')]);
    const model = new BedrockNotesModel({ modelId: HAIKU, modelVersion: 'base', maxOutputTokens: 512, client, maxAttempts: 3 });

    await expect(model.generate(prompt)).rejects.toThrow('a bug');
    expect(sent).toHaveLength(1);
  });
});
