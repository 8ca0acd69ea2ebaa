import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintLocalToken, readLocalKeys } from '#local/auth.ts';
import { startIngestPipeline, type IngestPipeline } from '#local/pipeline.ts';
import type { LocalStack } from '#local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';

// Response bodies are checked field by field below.
const body = async (response: Response): Promise<any> => response.json();
const sample = (name: string) => JSON.parse(readFileSync(`events/calls/${name}.json`, 'utf8'));

describe('Integration: HTTP API on the local stack', () => {
  let stack: LocalStack;
  let pipeline: IngestPipeline;
  const token: Record<string, string> = {};

  const call = (path: string, init: RequestInit & { as?: string } = {}) =>
    fetch(`${stack.endpoints.api}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.as ? { authorization: `Bearer ${token[init.as]}` } : {}) },
    });

  beforeAll(async () => {
    stack = await startTestStack();
    pipeline = await startIngestPipeline(stack, { env: { LOG_LEVEL: 'ERROR' } });
    const messages = [
      { ...sample('lost-card'), callId: 'api-1', agentId: 'agent-a', startedAt: '2026-11-20T10:00:00Z' },
      { ...sample('billing-dispute'), callId: 'api-2', agentId: 'agent-a', startedAt: '2026-11-21T10:00:00Z' },
      { ...sample('internet-outage'), callId: 'api-3', agentId: 'agent-b', startedAt: '2026-11-22T10:00:00Z' },
    ];
    const ids = await pipeline.send(messages.map((m) => JSON.stringify(m)));
    await pipeline.waitFor(ids, 30_000);
    const keys = readLocalKeys(stack.auth.keyFile);
    token.agentA = await mintLocalToken(keys, { agentId: 'agent-a', role: 'agent' });
    token.agentB = await mintLocalToken(keys, { agentId: 'agent-b', role: 'agent' });
    token.supervisor = await mintLocalToken(keys, { agentId: 'sup-1', role: 'supervisor' });
    token.expired = await mintLocalToken(keys, { agentId: 'agent-a', role: 'agent', ttlSeconds: -10 });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await stack?.close();
  });

  it('answers 401 with problem details when there is no token or a bad one', async () => {
    const none = await call('/calls/api-1');
    const expired = await call('/calls/api-1', { as: 'expired' });
    const forged = await fetch(`${stack.endpoints.api}/calls/api-1`, { headers: { authorization: `Bearer ${token.agentA!.slice(0, -4)}AAAA` } });

    for (const response of [none, expired, forged]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('shows an agent their call with notes, model, usage and rating summary', async () => {
    const response = await call('/calls/api-1', { as: 'agentA' });
    const payload = await body(response);

    expect(response.status).toBe(200);
    expect(payload).toMatchObject({ callId: 'api-1', agentId: 'agent-a', model: { id: expect.any(String), version: expect.any(String) }, ratings: { count: 0 } });
    expect(payload.notes.topics.length).toBeGreaterThan(0);
    expect(payload.usage.inputTokens).toBeGreaterThan(0);
    expect(response.headers.get('strict-transport-security')).toBeTruthy();
  });

  it('forbids an agent from reading or rating another agent’s call', async () => {
    const read = await call('/calls/api-3', { as: 'agentA' });
    const rate = await call('/calls/api-3/ratings', { as: 'agentA', method: 'POST', body: JSON.stringify({ score: 4 }) });

    expect(read.status).toBe(403);
    expect(rate.status).toBe(403);
  });

  it('refuses a score of 7 and a correction that breaks the schema, naming the field', async () => {
    const score = await call('/calls/api-1/ratings', { as: 'agentA', method: 'POST', body: JSON.stringify({ score: 7 }) });
    const correction = await call('/calls/api-1/ratings', { as: 'agentA', method: 'POST', body: JSON.stringify({ score: 3, corrections: { outcome: 'fixed-ish' } }) });
    const topics = await call('/calls/api-1/ratings', { as: 'agentA', method: 'POST', body: JSON.stringify({ score: 3, corrections: { topics: [] } }) });

    expect(score.status).toBe(400);
    expect(await body(score)).toMatchObject({ status: 400, field: 'score' });
    expect(await body(correction)).toMatchObject({ status: 400, field: 'corrections.outcome' });
    expect(await body(topics)).toMatchObject({ status: 400, field: 'corrections.topics' });
  });

  it('stores a valid rating, shows it on the call, and keeps history on re-rating', async () => {
    const first = await call('/calls/api-1/ratings', { as: 'agentA', method: 'POST', body: JSON.stringify({ score: 2, comment: 'topics are off' }) });
    const second = await call('/calls/api-1/ratings', {
      as: 'agentA',
      method: 'POST',
      body: JSON.stringify({ score: 4, fieldScores: { topics: 2 }, corrections: { topics: ['lost card', 'replacement card'] } }),
    });
    const view = await body(await call('/calls/api-1', { as: 'agentA' }));

    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(view.ratings).toMatchObject({ count: 1, meanScore: 4, corrected: 1 });
    expect(view.myRating).toMatchObject({ score: 4, version: 2, corrections: { topics: ['lost card', 'replacement card'] } });
  });

  it('lists calls newest first: agents see their own, supervisors all, with pagination', async () => {
    const mine = await body(await call('/calls', { as: 'agentA' }));
    const page1 = await body(await call('/calls?limit=2', { as: 'supervisor' }));
    const page2 = await body(await call(`/calls?limit=2&cursor=${page1.nextCursor}`, { as: 'supervisor' }));
    const other = await call('/calls?agentId=agent-b', { as: 'agentA' });

    expect(mine.calls.map((c: { callId: string }) => c.callId)).toEqual(['api-2', 'api-1']);
    expect(mine.calls.map((c: { myRating: { score: number } | null }) => c.myRating?.score ?? null)).toEqual([null, 4]);
    expect(page1.calls.map((c: { callId: string }) => c.callId)).toEqual(['api-3', 'api-2']);
    expect(page2.calls.map((c: { callId: string }) => c.callId)).toEqual(['api-1']);
    expect(page2.nextCursor).toBeNull();
    expect(other.status).toBe(403);
  });

  it('answers 400 for a bad query, 404 for an unknown call, 413 for a huge body', async () => {
    const query = await call('/calls?limit=500', { as: 'supervisor' });
    const missing = await call('/calls/nope', { as: 'supervisor' });
    const huge = await call('/calls/api-1/ratings', { as: 'agentA', method: 'POST', body: JSON.stringify({ score: 4, comment: 'x'.repeat(70_000) }) });

    expect(await body(query)).toMatchObject({ status: 400, field: 'limit' });
    expect(missing.status).toBe(404);
    expect(huge.status).toBe(413);
  });

  it('serves the redacted transcript of a call to whoever may read the call', async () => {
    const mine = await call('/calls/api-1/transcript', { as: 'agentA' });
    const theirs = await call('/calls/api-3/transcript', { as: 'agentA' });
    const payload = await body(mine);

    expect(mine.status).toBe(200);
    expect(payload.turns.length).toBeGreaterThan(2);
    expect(payload.turns[0]).toMatchObject({ role: expect.stringMatching(/agent|customer|other/), text: expect.any(String) });
    expect(theirs.status).toBe(403);
  });

  it('lets supervisors curate now and list dataset versions; agents may not', async () => {
    const agentList = await call('/datasets', { as: 'agentA' });
    const agentCurate = await call('/datasets', { as: 'agentA', method: 'POST', body: '{}' });
    const curated = await call('/datasets', { as: 'supervisor', method: 'POST', body: JSON.stringify({ to: new Date(Date.now() + 60_000).toISOString() }) });
    const result = await body(curated);
    const list = await body(await call('/datasets', { as: 'supervisor' }));
    const badWindow = await call('/datasets', { as: 'supervisor', method: 'POST', body: JSON.stringify({ from: 'last week' }) });

    expect(agentList.status).toBe(403);
    expect(agentCurate.status).toBe(403);
    expect([200, 201]).toContain(curated.status);
    expect(result.status).toMatch(/created|empty/);
    if (result.status === 'created') {
      expect(list.datasets.map((d: { version: string }) => d.version)).toContain(result.dataset.version);
      const one = await call(`/datasets/${result.dataset.version}`, { as: 'supervisor' });
      expect(one.status).toBe(200);
    }
    expect(await body(badWindow)).toMatchObject({ status: 400, field: 'from' });
  });

  it('shows supervisors the model registry and refuses operator actions that do not apply', async () => {
    const agent = await call('/models', { as: 'agentA' });
    const registry = await body(await call('/models', { as: 'supervisor' }));
    const rollback = await call('/models/rollback', { as: 'supervisor', method: 'POST', body: '{}' });
    const approve = await call('/models/notes-v9/approve', { as: 'supervisor', method: 'POST', body: '{}' });

    expect(agent.status).toBe(403);
    expect(registry).toMatchObject({ line: expect.any(String), champion: { version: 0, modelId: stack.functionEnv('api').CALLNOTES_MODEL_ID }, models: [] });
    expect(await body(rollback)).toMatchObject({ status: 409, detail: expect.stringMatching(/no earlier champion/) });
    expect(approve.status).toBe(409);
  });
});
