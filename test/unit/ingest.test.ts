import { describe, expect, it } from 'vitest';
import { ModelOutputError, ModelThrottledError } from '#domain/errors.ts';
import { ingestCall, ingestMessage, oneAtATimePerCall, prefetchCalls } from '#domain/ingest.ts';
import type { CallStore } from '#domain/ports.ts';
import { fakeDeps, message, ScriptedModel, SlowModel, validNotes } from '../support/fakes.ts';

describe('Function: ingestCall', () => {
  it('stores validated notes with the model id, usage and transcript location', async () => {
    // Prepare
    const deps = fakeDeps();

    // Act
    const result = await ingestCall({ messageId: 'm1', body: message() }, deps);

    // Assess
    expect(result.status).toBe('processed');
    const stored = deps.calls.calls.get('call-1')!;
    expect(stored.notes).toEqual(validNotes());
    expect(stored.model.id).toBe('anthropic.claude-3-haiku-20240307-v1:0');
    expect(stored.usage).toEqual({ inputTokens: 100, outputTokens: 40, modelCalls: 1 });
    expect(stored.turnCount).toBe(3);
    expect(deps.transcripts.transcripts.has(stored.transcriptUri)).toBe(true);
  });

  it('renders the call date and transcript into the prompt', async () => {
    const model = new ScriptedModel([{ kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);

    await ingestCall({ messageId: 'm1', body: message() }, deps);

    const user = model.prompts[0]!.messages[0]!.text;
    expect(user).toContain('Call date: 2026-11-16');
    expect(user).toContain('Customer: I lost my card yesterday.');
    expect(model.prompts[0]!.tool?.name).toBe('record_call_notes');
  });

  it.each([
    ['not JSON', '{"type": "call.transcript.v1",', 'body'],
    ['a JSON array', '[]', 'body'],
    ['an unknown type', message({ type: 'call.transcript.v9' }), 'type'],
    ['no agentId', message({ agentId: undefined }), 'agentId'],
    ['a bad startedAt', message({ startedAt: 'yesterday' }), 'startedAt'],
    ['both transcript and S3 URI', message({ transcriptS3Uri: 's3://b/k' }), 'transcript'],
    ['a turn with an unknown role', message({ transcript: [{ role: 'bot', text: 'hi' }] }), 'transcript.0.role'],
    ['an empty transcript', message({ transcript: [] }), 'transcript'],
    ['a number as transcript', message({ format: 'auto', transcript: 42 }), 'transcript'],
    ['a transcript not in the format it names', message({ format: 'genesys', transcript: {} }), 'transcripts'],
  ])('rejects %s with the field at fault, without calling the model', async (_label, body, field) => {
    const model = new ScriptedModel([{ kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);

    const result = await ingestCall({ messageId: 'm1', body }, deps);

    expect(result).toMatchObject({ status: 'rejected', field });
    expect(deps.calls.rejections).toHaveLength(1);
    expect(deps.calls.rejections[0]).toMatchObject({ messageId: 'm1', field });
    expect(model.prompts).toHaveLength(0);
  });

  it('refuses an oversized inline transcript and says to use S3', async () => {
    const deps = fakeDeps();
    const long = Array.from({ length: 400 }, (_, i) => `Customer: sentence number ${i} about my bill`).join('\n');

    const result = await ingestCall({ messageId: 'm1', body: message({ format: 'text', transcript: long }) }, deps);

    expect(result).toMatchObject({ status: 'rejected', reason: 'oversized' });
    expect(result.status === 'rejected' && result.message).toMatch(/transcriptS3Uri/);
  });

  it('reads a transcript delivered by S3 URI', async () => {
    const deps = fakeDeps();
    deps.transcripts.objects.set('s3://in/call-1.txt', 'Agent: Hello.\nCustomer: My internet is down.');

    const result = await ingestCall({ messageId: 'm1', body: message({ transcript: undefined, format: 'text', transcriptS3Uri: 's3://in/call-1.txt' }) }, deps);

    expect(result.status).toBe('processed');
    expect(deps.calls.calls.get('call-1')!.turnCount).toBe(2);
  });

  it('makes no second model call for a duplicate delivery of the same transcript', async () => {
    const model = new ScriptedModel([{ kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);

    await ingestCall({ messageId: 'm1', body: message() }, deps);
    const again = await ingestCall({ messageId: 'm2', body: message() }, deps);

    expect(again).toEqual({ status: 'duplicate', callId: 'call-1' });
    expect(model.prompts).toHaveLength(1);
  });

  it('writes new notes when the transcript of a call changes', async () => {
    const model = new ScriptedModel([{ kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);

    await ingestCall({ messageId: 'm1', body: message() }, deps);
    const changed = await ingestCall({ messageId: 'm2', body: message({ transcript: [{ role: 'customer', text: 'Cancel my plan.' }] }) }, deps);

    expect(changed.status).toBe('processed');
    expect(model.prompts).toHaveLength(2);
  });

  it('repairs an invalid answer once, showing the model what was wrong', async () => {
    const model = new ScriptedModel([{ kind: 'tool', input: { summary: 'x', topics: [] } }, { kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);

    const result = await ingestCall({ messageId: 'm1', body: message() }, deps);

    expect(result.status).toBe('processed');
    expect(model.prompts).toHaveLength(2);
    expect(model.prompts[1]!.messages.at(-1)!.text).toMatch(/topics/);
    expect(deps.calls.calls.get('call-1')!.usage.modelCalls).toBe(2);
  });

  it('throws a transient error when the repaired answer is still invalid', async () => {
    const deps = fakeDeps(new ScriptedModel([{ kind: 'text', text: 'Sorry, I cannot help with that.' }], 'json-text'));

    await expect(ingestCall({ messageId: 'm1', body: message() }, deps)).rejects.toBeInstanceOf(ModelOutputError);
    expect(deps.calls.calls.size).toBe(0);
    expect(deps.calls.rejections).toHaveLength(0);
  });

  it('accepts JSON text wrapped in a code fence from a fine-tuned model', async () => {
    const deps = fakeDeps(new ScriptedModel([{ kind: 'text', text: '```json\n' + JSON.stringify(validNotes()) + '\n```' }], 'json-text'));

    const result = await ingestCall({ messageId: 'm1', body: message() }, deps);

    expect(result.status).toBe('processed');
  });

  it('lets a throttled model call fail the record so SQS retries it', async () => {
    const deps = fakeDeps(new ScriptedModel([new ModelThrottledError('slow down')]));

    await expect(ingestCall({ messageId: 'm1', body: message() }, deps)).rejects.toBeInstanceOf(ModelThrottledError);
    expect(deps.calls.rejections).toHaveLength(0);
  });

  describe('S3 event notifications', () => {
    const notification = (key: string, bucket = 'transcripts-bucket') =>
      JSON.stringify({
        Records: [
          { eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-west-2', eventTime: '2026-11-20T08:00:00.000Z', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key, size: 120 } } },
        ],
      });

    it('reads the transcript object and takes call id, agent and start time from its metadata', async () => {
      const deps = fakeDeps();
      deps.transcripts.objects.set('s3://transcripts-bucket/incoming/upload 1.txt', 'Agent: Hello.\nCustomer: My card was declined.');
      deps.transcripts.metadata.set('s3://transcripts-bucket/incoming/upload 1.txt', { 'call-id': 'call-77', 'agent-id': 'agent-3', 'started-at': '2026-11-19T15:00:00Z' });

      const [result] = await ingestMessage({ messageId: 'm1', body: notification('incoming/upload+1.txt') }, deps);

      expect(result!.status).toBe('processed');
      expect(deps.calls.calls.get('call-77')).toMatchObject({ agentId: 'agent-3', startedAt: '2026-11-19T15:00:00.000Z', turnCount: 2 });
    });

    it('falls back to the file name for the call id and the event time for the start', async () => {
      const deps = fakeDeps();
      deps.transcripts.objects.set('s3://transcripts-bucket/incoming/call-88.json', JSON.stringify([{ role: 'customer', text: 'Where is my parcel?' }]));

      await ingestMessage({ messageId: 'm1', body: notification('incoming/call-88.json') }, deps);

      expect(deps.calls.calls.get('call-88')).toMatchObject({ agentId: 'unknown', startedAt: '2026-11-20T08:00:00.000Z' });
    });

    it('uses an uploaded call.transcript.v1 message as it is', async () => {
      const deps = fakeDeps();
      deps.transcripts.objects.set('s3://transcripts-bucket/incoming/x.json', message({ callId: 'call-99' }));

      await ingestMessage({ messageId: 'm1', body: notification('incoming/x.json') }, deps);

      expect(deps.calls.calls.get('call-99')?.agentId).toBe('agent-7');
    });

    it('rejects a notification for an object that does not exist, naming the URI', async () => {
      const deps = fakeDeps();

      const [result] = await ingestMessage({ messageId: 'm1', body: notification('incoming/call-404.json') }, deps);

      expect(result).toMatchObject({ status: 'rejected', callId: 'call-404', reason: 'transcript-not-found' });
    });

    it('refuses a transcript object over the size limit', async () => {
      const deps = fakeDeps();
      deps.transcripts.objects.set('s3://transcripts-bucket/incoming/big.txt', `Agent: ${'words '.repeat(30_000)}`);

      const [result] = await ingestMessage({ messageId: 'm1', body: notification('incoming/big.txt') }, deps);

      expect(result).toMatchObject({ status: 'rejected', reason: 'oversized' });
    });

    it('acknowledges the S3 test event without storing anything', async () => {
      const deps = fakeDeps();
      const body = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-11-20T08:00:00Z', Bucket: 'b', RequestId: 'r', HostId: 'h' });

      const results = await ingestMessage({ messageId: 'm1', body }, deps);

      expect(results).toEqual([{ status: 'ignored', reason: expect.stringMatching(/test event/i) }]);
      expect(deps.calls.rejections).toHaveLength(0);
    });
  });
});

describe('Function: ingestCall (privacy and long calls)', () => {
  it('redacts PII before the model and the store, and counts what it replaced', async () => {
    const model = new ScriptedModel([{ kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);
    const transcript = [
      { role: 'agent', text: 'Can I have the card number?' },
      { role: 'customer', text: 'Sure, it is 4111 1111 1111 1111 and my email is jane.doe@example.com.' },
    ];

    await ingestCall({ messageId: 'm1', body: message({ transcript }) }, deps);

    const stored = deps.calls.calls.get('call-1')!;
    const sentToModel = JSON.stringify(model.prompts);
    const kept = JSON.stringify([...deps.transcripts.transcripts.values()]);
    for (const text of [sentToModel, kept, JSON.stringify(stored)]) {
      expect(text).not.toContain('4111');
      expect(text).not.toContain('jane.doe');
    }
    expect(sentToModel).toContain('[CARD]');
    expect(stored.redactions).toMatchObject({ CARD: 1, EMAIL: 1 });
  });

  it('keeps the previous notes as history when the transcript of a call changes', async () => {
    const deps = fakeDeps();

    await ingestCall({ messageId: 'm1', body: message() }, deps);
    await ingestCall({ messageId: 'm2', body: message({ transcript: [{ role: 'customer', text: 'Cancel my plan.' }] }) }, deps);

    expect(deps.calls.calls.get('call-1')!.version).toBe(2);
    expect(deps.calls.history.map((c) => c.version)).toEqual([1]);
  });

  it('splits a call over the input budget and merges the notes of its parts', async () => {
    const model = new ScriptedModel([{ kind: 'tool', input: validNotes() }]);
    const deps = { ...fakeDeps(model), limits: { maxInlineBytes: 10_000_000, maxObjectBytes: 10_000_000, maxInputTokens: 2_000 } };
    const transcript = Array.from({ length: 400 }, (_, i) => ({
      role: i % 2 ? 'customer' : 'agent',
      text: `Turn ${i}: we talked about the router, the bill for November and the technician visit again in some detail.`,
    }));

    const result = await ingestCall({ messageId: 'm1', body: message({ transcript }) }, deps);

    expect(result.status).toBe('processed');
    const stored = deps.calls.calls.get('call-1')!;
    expect(stored.parts).toBeGreaterThan(1);
    expect(model.prompts).toHaveLength(stored.parts!);
    for (const prompt of model.prompts) expect(prompt.messages[0]!.text.length / 4).toBeLessThan(2_000 + 400);
  });
});

describe('Function: ingestCall (rejections keep no transcript text)', () => {
  it.each([
    ['a text line without a speaker', message({ format: 'text', transcript: 'Card 4111 1111 1111 1111 ssn 123-45-6789\nAgent: hi' })],
    ['a body that is not JSON', 'jane.doe@example.com called about 4111 1111 1111 1111'],
  ])('stores no PII from %s in the rejection', async (_label, body) => {
    const deps = fakeDeps();

    await ingestCall({ messageId: 'm1', body }, deps);

    const stored = JSON.stringify(deps.calls.rejections);
    expect(deps.calls.rejections).toHaveLength(1);
    expect(stored).not.toContain('4111');
    expect(stored).not.toContain('jane.doe');
  });
});

describe('Function: ingestCall (versions)', () => {
  it('treats a late redelivery of an older transcript as a duplicate, not a new version', async () => {
    const model = new ScriptedModel([{ kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);
    const v1 = message();
    const v2 = message({ transcript: [{ role: 'customer', text: 'Cancel my plan.' }] });

    await ingestCall({ messageId: 'm1', body: v1 }, deps);
    await ingestCall({ messageId: 'm2', body: v2 }, deps);
    const late = await ingestCall({ messageId: 'm1', body: v1 }, deps);

    expect(late.status).toBe('duplicate');
    expect(model.prompts).toHaveLength(2);
    expect(deps.calls.calls.get('call-1')!.version).toBe(2);
  });
});

describe('Function: ingestCall (time zones)', () => {
  it('stores the start time in UTC whatever offset the system sent', async () => {
    const deps = fakeDeps();

    await ingestCall({ messageId: 'm1', body: message({ startedAt: '2026-12-01T01:00:00+05:00' }) }, deps);

    expect(deps.calls.calls.get('call-1')!.startedAt).toBe('2026-11-30T20:00:00.000Z');
  });
});

describe('Function: prefetchCalls', () => {
  /** A store that counts its reads: one-by-one and batched. */
  function countingStore(deps: ReturnType<typeof fakeDeps>) {
    const store = deps.calls;
    const reads = { single: [] as string[], batched: [] as string[][] };
    const calls: CallStore = {
      getCall: (callId) => (reads.single.push(callId), store.getCall(callId)),
      getCalls: async (callIds) => {
        reads.batched.push([...callIds]);
        return new Map([...callIds].flatMap((id) => (store.calls.has(id) ? [[id, store.calls.get(id)!] as const] : [])));
      },
      putCall: (call, previous) => store.putCall(call, previous),
      putRejection: (rejection) => store.putRejection(rejection),
    };
    return { deps: { ...deps, calls }, reads };
  }

  it('reads the calls of a batch in one request and skips a call already stored with this transcript', async () => {
    // Prepare: call-1 stored once before; a batch with call-1 again, call-2 and a poison message
    const base = fakeDeps();
    await ingestCall({ messageId: 'm0', body: message({ callId: 'call-1' }) }, base);
    const { deps, reads } = countingStore(base);
    const records = [
      { messageId: 'm1', body: message({ callId: 'call-1' }) },
      { messageId: 'm2', body: message({ callId: 'call-2' }) },
      { messageId: 'm3', body: 'not json' },
    ];

    // Act
    const batchDeps = await prefetchCalls(records, deps);
    const results = await Promise.all(records.map((r) => ingestCall(r, batchDeps)));

    // Assess
    expect(results.map((r) => r.status)).toEqual(['duplicate', 'processed', 'rejected']);
    expect(reads.batched).toEqual([['call-1', 'call-2']]);
    expect(reads.single).toEqual([]);
  });

  it('answers only the first lookup of a call from the batch read; a second delivery reads the store', async () => {
    const { deps, reads } = countingStore(fakeDeps());
    const records = [
      { messageId: 'm1', body: message({ callId: 'call-1' }) },
      { messageId: 'm2', body: message({ callId: 'call-2' }) },
      { messageId: 'm3', body: message({ callId: 'call-1' }) },
    ];

    const batchDeps = await prefetchCalls(records, deps);
    const results = [];
    for (const r of records) results.push(await ingestCall(r, batchDeps));

    expect(results.map((r) => r.status)).toEqual(['processed', 'processed', 'duplicate']);
    expect(reads.single).toEqual(['call-1']);
  });
});

describe('Function: oneAtATimePerCall', () => {
  const batch = [
    { messageId: 'm1', body: message({ callId: 'call-1' }) },
    { messageId: 'm2', body: message({ callId: 'call-2' }) },
    { messageId: 'm3', body: message({ callId: 'call-1' }) },
    { messageId: 'm4', body: 'not json' },
  ];

  it('one model call for a call delivered twice in one batch run at once', async () => {
    const model = new SlowModel([{ kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);
    deps.calls.reads = 0;
    const inTurn = oneAtATimePerCall();

    const results = await Promise.all(batch.map((r) => inTurn(r, () => ingestCall(r, deps))));

    expect(results.map((r) => r.status)).toEqual(['processed', 'processed', 'duplicate', 'rejected']);
    expect(model.prompts).toHaveLength(2);
    expect(deps.calls.reads).toBe(3); // one read a call message: the copy ran after the first, nothing to wait for
  });

  it('without it, the second delivery still makes no model call: it waits for the notes of the first', async () => {
    const model = new SlowModel([{ kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);

    const results = await Promise.all(batch.map((r) => ingestCall(r, deps)));

    expect(results.map((r) => r.status)).toEqual(['processed', 'processed', 'duplicate', 'rejected']);
    expect(model.prompts).toHaveLength(2);
  });

  it('runs the next delivery of a call after one that failed', async () => {
    const model = new SlowModel([new ModelThrottledError('slow down'), { kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);
    const inTurn = oneAtATimePerCall();
    const [first, second] = [batch[0]!, batch[2]!];
    // As the handler does: the batch's failed messages, so a copy does not wait for their notes.
    const failed = new Set<string>();
    const run = (r: typeof first) => ingestCall(r, deps, { failed }).catch((error: unknown) => (failed.add(r.messageId), Promise.reject(error)));
    deps.calls.reads = 0;

    const settled = await Promise.allSettled([first, second].map((r) => inTurn(r, () => run(r))));

    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled']);
    expect(settled[1]).toMatchObject({ value: { status: 'processed' } });
    expect(deps.calls.reads).toBe(2); // the copy did not poll for the failed message's notes
  });
});

describe('Function: ingestCall (the same call in two messages, in different batches)', () => {
  it('a copy that finds the transcript stored by another message waits for its notes instead of calling the model', async () => {
    const model = new SlowModel([{ kind: 'tool', input: validNotes() }], 20);
    const deps = fakeDeps(model);
    deps.calls.reads = 0;

    const [first, copy] = await Promise.all([ingestCall({ messageId: 'm1', body: message() }, deps), ingestCall({ messageId: 'm2', body: message() }, deps)]);

    expect([first.status, copy.status]).toEqual(['processed', 'duplicate']);
    expect(model.prompts).toHaveLength(1);
    expect(deps.calls.reads).toBeGreaterThan(2); // each message's first read, then the copy's polling
    expect(deps.calls.calls.get('call-1')!.messageId).toBe('m1');
  });

  it('a retry of the message that stored the transcript goes on without waiting', async () => {
    const model = new ScriptedModel([new ModelThrottledError('slow down'), { kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);
    deps.calls.reads = 0;

    await expect(ingestCall({ messageId: 'm1', body: message() }, deps)).rejects.toThrow(ModelThrottledError);
    const retry = await ingestCall({ messageId: 'm1', body: message() }, deps);

    expect(retry.status).toBe('processed');
    expect(deps.calls.reads).toBe(2); // one read an attempt, no polling
  });

  it('a copy goes on at once when the first message began longer ago than a message can run', async () => {
    const model = new ScriptedModel([new ModelThrottledError('slow down'), { kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);
    await expect(ingestCall({ messageId: 'm1', body: message() }, deps)).rejects.toThrow(ModelThrottledError);
    deps.clock.now = () => new Date(Date.parse('2026-11-23T10:00:00Z') + 61_000);
    deps.calls.reads = 0;

    const copy = await ingestCall({ messageId: 'm2', body: message() }, deps);

    expect(copy.status).toBe('processed');
    expect(deps.calls.reads).toBe(1);
    expect(deps.calls.calls.get('call-1')!.messageId).toBe('m2');
  });

  it('a copy waits no longer than the first message could still run, then writes the notes itself', async () => {
    const model = new ScriptedModel([new ModelThrottledError('slow down'), { kind: 'tool', input: validNotes() }]);
    const deps = { ...fakeDeps(model), limits: { maxInlineBytes: 10_000, maxObjectBytes: 100_000, inFlightMs: 600 } };
    deps.clock.now = () => new Date();
    await expect(ingestCall({ messageId: 'm1', body: message() }, deps)).rejects.toThrow(ModelThrottledError);
    deps.calls.reads = 0;

    const copy = await ingestCall({ messageId: 'm2', body: message() }, deps);

    expect(copy.status).toBe('processed');
    expect(deps.calls.reads).toBeGreaterThan(1);
    expect(model.prompts).toHaveLength(2);
  });

  it('a copy waits no later than its own deadline', async () => {
    const model = new ScriptedModel([new ModelThrottledError('slow down'), { kind: 'tool', input: validNotes() }]);
    const deps = fakeDeps(model);
    deps.clock.now = () => new Date();
    await expect(ingestCall({ messageId: 'm1', body: message() }, deps)).rejects.toThrow(ModelThrottledError);

    deps.calls.reads = 0;

    // It stops waiting 5 s before its deadline, to leave time for the model.
    const copy = await ingestCall({ messageId: 'm2', body: message() }, deps, { deadline: Date.now() + 5_400 });

    expect(copy.status).toBe('processed');
    expect(deps.calls.reads).toBeGreaterThan(1);
    expect(model.prompts).toHaveLength(2);
  });

  it('a failing read while it waits fails the record, to be retried', async () => {
    const model = new SlowModel([{ kind: 'tool', input: validNotes() }], 20);
    const deps = fakeDeps(model);
    const first = ingestCall({ messageId: 'm1', body: message() }, deps);
    await new Promise((r) => setTimeout(r, 1));
    let reads = 0;
    const getCall = deps.calls.getCall.bind(deps.calls);
    deps.calls.getCall = async (callId) => {
      if (++reads > 1) throw new Error('table unavailable');
      return getCall(callId);
    };

    await expect(ingestCall({ messageId: 'm2', body: message() }, deps)).rejects.toThrow('table unavailable');
    await first;
  });
});
