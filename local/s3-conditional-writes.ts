import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S3Error = require('s3rver/lib/models/error') as new (code: string, message: string, detail?: Record<string, string>) => Error & { status: number; expose: boolean };

interface KoaContext {
  method: string;
  path: string;
  querystring: string;
  get(header: string): string;
  store: { existsObject(bucket: string, key: string): Promise<boolean> };
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

/**
 * S3's conditional PutObject (`If-None-Match: *`: store the object only if the key is free), which
 * s3rver predates: 412 PreconditionFailed when the key holds an object, 409
 * ConditionalRequestConflict while another conditional write of the key is under way, as S3
 * answers. Installed first in s3rver's middleware (path-style requests), whichever store it uses.
 */
export function installConditionalWrites(server: object): void {
  (server as { middleware: Middleware[] }).middleware.unshift(conditionalWrites());
}

function conditionalWrites(): Middleware {
  const writing = new Set<string>();
  return async (ctx, next) => {
    const condition = ctx.get('if-none-match');
    // PutObject only (the SDK adds ?x-id=PutObject): a part upload or a subresource (?acl, ?tagging) has other parameters.
    if (ctx.method !== 'PUT' || !condition || [...new URLSearchParams(ctx.querystring).keys()].some((name) => name !== 'x-id')) return next();
    const [bucket, ...rest] = ctx.path.slice(1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (!bucket || !key) return next();
    if (condition !== '*') throw new S3Error('NotImplemented', 'If-None-Match on PutObject accepts only *', { Header: 'If-None-Match' });
    const id = `${bucket}/${key}`;
    if (writing.has(id)) {
      const conflict = new S3Error('ConditionalRequestConflict', 'A conflicting conditional operation is currently in progress against this resource. Try again.', { Key: key });
      conflict.status = 409;
      conflict.expose = true;
      throw conflict;
    }
    writing.add(id);
    try {
      if (await ctx.store.existsObject(bucket, key)) {
        throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
      }
      await next();
    } finally {
      writing.delete(id);
    }
  };
}
