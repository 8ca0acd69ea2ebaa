import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S3Error = require('s3rver/lib/models/error') as new (code: string, message: string, detail?: Record<string, string>) => Error & { status: number; expose: boolean };

export interface KoaContext {
  method: string;
  path: string;
  querystring: string;
  get(header: string): string;
  req: { complete: boolean; once(event: 'close', listener: () => void): unknown };
  store: { existsObject(bucket: string, key: string): Promise<boolean> };
}
export type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

/**
 * S3's conditional PutObject (`If-None-Match: *`: store the object only if the key is free), which
 * s3rver predates: 412 PreconditionFailed when the key holds an object, 409
 * ConditionalRequestConflict while another conditional write of the key is under way, as S3
 * answers. Installed first in s3rver's middleware (path-style requests), whichever store it uses.
 */
export function installConditionalWrites(server: object): void {
  (server as { middleware: Middleware[] }).middleware.unshift(conditionalWrites());
}

/**
 * The check runs before s3rver's own (signature, bucket), so a request that would fail those may
 * get its 412 or 409 first; the stack's clients sign correctly.
 */
export function conditionalWrites(): Middleware {
  /** Keys with a conditional write under way, each with a token of the write that holds it. */
  const writing = new Map<string, object>();
  return async (ctx, next) => {
    const condition = ctx.get('if-none-match');
    // PutObject only (the SDK adds ?x-id=PutObject): a part upload or a subresource (?acl, ?tagging) has other parameters.
    if (ctx.method !== 'PUT' || !condition || [...new URLSearchParams(ctx.querystring).keys()].some((name) => name !== 'x-id')) return next();
    const [bucket, ...rest] = ctx.path.slice(1).split('/');
    let key: string;
    try {
      key = decodeURIComponent(rest.join('/'));
    } catch {
      return next(); // not a key s3rver can route either: its error
    }
    if (!bucket || !key) return next();
    if (condition !== '*') throw new S3Error('NotImplemented', 'If-None-Match on PutObject accepts only *', { Header: 'If-None-Match' });
    const id = `${bucket}/${key}`;
    if (writing.has(id)) {
      const conflict = new S3Error('ConditionalRequestConflict', 'A conflicting conditional operation is currently in progress against this resource. Try again.', { Key: key });
      conflict.status = 409;
      conflict.expose = true;
      throw conflict;
    }
    const hold = {};
    writing.set(id, hold);
    // Only this write's hold: after an abort another write may hold the key.
    const release = () => writing.get(id) === hold && writing.delete(id);
    // A client gone mid-body leaves s3rver's file store waiting on the body for good: the key is
    // free again when the request closes unfinished, not only when the write returns.
    ctx.req.once('close', () => {
      if (!ctx.req.complete) release();
    });
    try {
      if (await ctx.store.existsObject(bucket, key)) {
        throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
      }
      await next();
    } finally {
      release();
    }
  };
}
