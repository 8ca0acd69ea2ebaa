import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';

// s3rver's own models, so its controllers get the objects they build from its file store.
const require = createRequire(import.meta.url);
const S3Bucket = require('s3rver/lib/models/bucket') as new (name: string, creationDate: Date) => unknown;
const S3Object = require('s3rver/lib/models/object') as {
  new (bucket: string, key: string, content: unknown, metadata: Record<string, unknown>): S3ObjectModel;
  ALLOWED_METADATA: string[];
};
const { getConfigModel } = require('s3rver/lib/models/config') as { getConfigModel(type: string): new (xml: string) => unknown };

interface S3ObjectModel {
  bucket: string;
  key: string;
  content: unknown;
  metadata: Record<string, string>;
  range?: { start: number; end: number };
}

interface StoredObject {
  content: Buffer;
  md5: string;
  modified: Date;
  /** What s3rver's file store keeps in its .metadata.json: the allowed headers and x-amz-meta-*. */
  metadata: Record<string, string>;
}

interface Bucket {
  created: Date;
  objects: Map<string, StoredObject>;
  /** Bucket configuration (cors, website) and object tagging, as XML, by `${key}\n${type}`. */
  subresources: Map<string, string>;
  uploads: Map<string, { key: string; metadata: Record<string, string>; parts: Map<number, { content: Buffer; md5: string }> }>;
}

/**
 * s3rver's store kept in memory: the same methods and results as its file store
 * (s3rver/lib/stores/filesystem.js, 3.7.1), without the five to eight file operations a PutObject
 * costs there (a folder, the object, its md5 and its metadata, each through libuv's thread pool).
 * The local stack's objects live as long as the stack, as dynalite's items do.
 */
export class S3MemoryStore {
  private readonly buckets = new Map<string, Bucket>();

  /** Installs the store into an s3rver instance (its Koa app keeps the store in two places). */
  static install(server: object): S3MemoryStore {
    const store = new S3MemoryStore();
    const app = server as { store: unknown; context: { store: unknown } };
    app.store = app.context.store = store;
    return store;
  }

  reset(): void {
    this.buckets.clear();
  }

  async listBuckets(): Promise<unknown[]> {
    return [...this.buckets.keys()].sort().map((name) => new S3Bucket(name, this.buckets.get(name)!.created));
  }

  async getBucket(name: string): Promise<unknown> {
    const bucket = this.buckets.get(name);
    return bucket ? new S3Bucket(name, bucket.created) : null;
  }

  async putBucket(name: string): Promise<unknown> {
    if (!this.buckets.has(name)) this.buckets.set(name, { created: new Date(), objects: new Map(), subresources: new Map(), uploads: new Map() });
    return this.getBucket(name);
  }

  async deleteBucket(name: string): Promise<void> {
    this.buckets.delete(name);
  }

  async listObjects(
    bucketName: string,
    { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity }: { delimiter?: string; startAfter?: string; prefix?: string; maxKeys?: number },
  ): Promise<{ objects: S3ObjectModel[]; commonPrefixes: string[]; isTruncated: boolean }> {
    const bucket = this.buckets.get(bucketName);
    const commonPrefixes = new Set<string>();
    const objects: S3ObjectModel[] = [];
    let isTruncated = false;
    const keys = bucket ? [...bucket.objects.keys()].filter((key) => key > startAfter && key.startsWith(prefix)).sort() : [];
    for (const key of keys) {
      if (delimiter) {
        const at = key.indexOf(delimiter, prefix.length);
        if (at !== -1) {
          commonPrefixes.add(key.slice(0, at + delimiter.length));
          continue;
        }
      }
      // As the file store: maxKeys counts objects, and a truncated list ends on an object.
      if (objects.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      objects.push(new S3Object(bucketName, key, null, this.metadataOf(bucket!.objects.get(key)!)));
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated };
  }

  async existsObject(bucket: string, key: string): Promise<boolean> {
    return this.object(bucket, key) !== undefined;
  }

  async getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<S3ObjectModel | null> {
    const stored = this.object(bucket, key);
    if (!stored) return null;
    const lastByte = Math.max(0, stored.content.length - 1);
    const range = { start: options?.start || 0, end: Math.min(options?.end || Infinity, lastByte) };
    const ranged = options !== undefined && (options.start !== undefined || Boolean(options.end));
    const satisfiable = range.start >= 0 && range.end >= range.start;
    // s3rver's controller destroys the content of a HEAD request, so it is a stream as the file store's.
    const object = new S3Object(bucket, key, satisfiable ? Readable.from([stored.content.subarray(range.start, range.end + 1)]) : null, this.metadataOf(stored));
    if (ranged) object.range = range;
    return object;
  }

  async putObject(object: S3ObjectModel): Promise<{ size: number; md5: string }> {
    const content = await readAll(object.content);
    const md5 = createHash('md5').update(content).digest('hex');
    this.bucketFor(object.bucket).objects.set(object.key, { content, md5, modified: new Date(), metadata: storedMetadata(object.metadata) });
    return { size: content.length, md5 };
  }

  async copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata?: Record<string, string>): Promise<Record<string, string>> {
    const source = this.object(srcBucket, srcKey);
    if (!source) throw Object.assign(new Error(`no object ${srcBucket}/${srcKey}`), { code: 'ENOENT' });
    const copy = { ...source, modified: new Date(), metadata: replacementMetadata ? storedMetadata(replacementMetadata) : source.metadata };
    this.bucketFor(destBucket).objects.set(destKey, copy);
    return this.metadataOf(copy);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    this.buckets.get(bucket)?.objects.delete(key);
  }

  async initiateUpload(bucket: string, key: string, uploadId: string, metadata: Record<string, string>): Promise<void> {
    this.bucketFor(bucket).uploads.set(uploadId, { key, metadata, parts: new Map() });
  }

  async putPart(bucket: string, uploadId: string, partNumber: number, content: unknown): Promise<{ size: number; md5: string }> {
    const upload = this.bucketFor(bucket).uploads.get(uploadId);
    if (!upload) throw Object.assign(new Error(`no upload ${uploadId}`), { code: 'ENOENT' });
    const bytes = await readAll(content);
    const md5 = createHash('md5').update(bytes).digest('hex');
    upload.parts.set(Number(partNumber), { content: bytes, md5 });
    return { size: bytes.length, md5 };
  }

  async putObjectMultipart(bucket: string, uploadId: string, parts: { number: number }[]): Promise<{ size: number; md5: string }> {
    const upload = this.bucketFor(bucket).uploads.get(uploadId);
    if (!upload) throw Object.assign(new Error(`no upload ${uploadId}`), { code: 'ENOENT' });
    const ordered = [...parts].sort((a, b) => a.number - b.number).map((part) => upload.parts.get(Number(part.number))?.content ?? Buffer.alloc(0));
    const result = await this.putObject(new S3Object(bucket, upload.key, Buffer.concat(ordered), upload.metadata));
    this.bucketFor(bucket).uploads.delete(uploadId);
    return result;
  }

  async getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown> {
    const xml = this.buckets.get(bucket)?.subresources.get(`${key ?? ''}\n${type}`);
    if (xml === undefined) return null;
    const Model = getConfigModel(type);
    return new Model(xml);
  }

  async putSubresource(bucket: string, key: string | undefined, resource: { type: string; toXML(indent: number): string }): Promise<void> {
    this.bucketFor(bucket).subresources.set(`${key ?? ''}\n${resource.type}`, resource.toXML(2));
  }

  async deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void> {
    this.buckets.get(bucket)?.subresources.delete(`${key ?? ''}\n${type}`);
  }

  private object(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  /** s3rver's routes check that a bucket exists before they reach the store; this is for the rest. */
  private bucketFor(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw Object.assign(new Error(`no bucket ${name}`), { code: 'ENOENT' });
    return bucket;
  }

  private metadataOf(stored: StoredObject): Record<string, string> {
    return { ...stored.metadata, etag: JSON.stringify(stored.md5), 'last-modified': stored.modified.toUTCString(), 'content-length': String(stored.content.length) };
  }
}

function storedMetadata(metadata: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    if (S3Object.ALLOWED_METADATA.includes(name) || name.startsWith('x-amz-meta-')) kept[name] = value;
  }
  return kept;
}

async function readAll(content: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
