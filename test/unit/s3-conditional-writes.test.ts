import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { conditionalWrites, type KoaContext } from '#local/s3-conditional-writes.ts';

/** A request as s3rver's Koa app sees it, with a store that knows which keys hold objects. */
function request(key: string, stored: Set<string>, headers: Record<string, string> = { 'if-none-match': '*' }, querystring = 'x-id=PutObject') {
  const req = Object.assign(new EventEmitter(), { complete: false });
  const ctx: KoaContext = {
    method: 'PUT',
    path: `/calls/${key}`,
    querystring,
    get: (name) => headers[name.toLowerCase()] ?? '',
    req,
    store: { existsObject: async (bucket, k) => stored.has(`${bucket}/${k}`) },
  };
  return { ctx, req };
}

/** A write that stays under way until `finish` is called. */
function slowWrite() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { next: () => done, finish };
}

const answer = (run: Promise<void>) => run.then(() => 'stored', (error: { code: string; status: number }) => `${error.code} ${error.status}`);

describe('local S3: conditional PutObject (If-None-Match: *)', () => {
  it('stores into a free key, refuses a key that holds an object (412)', async () => {
    const middleware = conditionalWrites();
    const stored = new Set(['calls/taken.json']);

    expect(await answer(middleware(request('free.json', stored).ctx, async () => {}))).toBe('stored');
    expect(await answer(middleware(request('taken.json', stored).ctx, async () => {}))).toBe('PreconditionFailed 412');
  });

  it('refuses a conditional write while another of the same key is under way (409), and frees the key after it', async () => {
    const middleware = conditionalWrites();
    const stored = new Set<string>();
    const first = slowWrite();

    const underWay = answer(middleware(request('a.json', stored).ctx, first.next));
    await new Promise((r) => setImmediate(r));
    const racing = await answer(middleware(request('a.json', stored).ctx, async () => {}));
    const otherKey = await answer(middleware(request('b.json', stored).ctx, async () => {}));
    first.finish();

    expect([racing, otherKey, await underWay]).toEqual(['ConditionalRequestConflict 409', 'stored', 'stored']);
    expect(await answer(middleware(request('a.json', stored).ctx, async () => {}))).toBe('stored');
  });

  it('frees the key when the client goes away mid-body, though the store never returns', async () => {
    const middleware = conditionalWrites();
    const stored = new Set<string>();
    const { ctx, req } = request('a.json', stored);

    void middleware(ctx, () => new Promise(() => {})); // s3rver's file store waiting on a body that never ends
    await new Promise((r) => setImmediate(r));
    const before = await answer(middleware(request('a.json', stored).ctx, async () => {}));
    req.emit('close'); // not complete: the client left
    const after = await answer(middleware(request('a.json', stored).ctx, async () => {}));

    expect([before, after]).toEqual(['ConditionalRequestConflict 409', 'stored']);
  });

  it('leaves other requests to s3rver: no condition, a part upload, another method', async () => {
    const middleware = conditionalWrites();
    const stored = new Set(['calls/taken.json']);
    let reached = 0;
    const next = async () => void reached++;

    await middleware(request('taken.json', stored, {}).ctx, next);
    await middleware(request('taken.json', stored, { 'if-none-match': '*' }, 'partNumber=1&uploadId=u&x-id=UploadPart').ctx, next);
    await middleware({ ...request('taken.json', stored).ctx, method: 'GET' }, next);

    expect(reached).toBe(3);
  });
});
