import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3MemoryStore } from '../../local/s3-memory-store.ts';
import { LOCAL_CREDENTIALS } from '../../local/stack.ts';

/**
 * The local stack keeps S3 objects in memory (S3MemoryStore in s3rver). Each request here goes to
 * s3rver with its own file store and with the memory store, through the real S3 client, and the
 * two answers must be the same: the memory store is s3rver's storage, not a new emulator.
 */
describe('s3rver with the memory store answers as with its file store', () => {
  const servers: { close(): Promise<void> }[] = [];
  let directory: string;
  let fileClient: S3Client;
  let memoryClient: S3Client;

  const client = async (memory: boolean) => {
    const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, resetOnClose: true, vhostBuckets: false });
    if (memory) S3MemoryStore.install(server);
    const { port } = await server.run();
    servers.push(server);
    return new S3Client({
      region: 'us-west-2',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  };

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'callnotes-s3-store-'));
    [fileClient, memoryClient] = [await client(false), await client(true)];
    for (const s3 of [fileClient, memoryClient]) {
      await s3.send(new CreateBucketCommand({ Bucket: 'calls' }));
      for (const key of ['transcripts/c-1/a.json', 'transcripts/c-1/b.json', 'transcripts/c-2/a.json', 'datasets/v1/train.jsonl', 'readme.txt']) {
        await s3.send(new PutObjectCommand({ Bucket: 'calls', Key: key, Body: `body of ${key}`, ContentType: 'application/json', Metadata: { callid: key.split('/')[1] ?? 'none' } }));
      }
    }
  });

  afterAll(async () => {
    for (const server of servers) await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** The same request to both servers; the answers without what differs by nature (request ids, dates). */
  const both = async <T>(request: (s3: S3Client) => Promise<T>, pick: (answer: T) => unknown) => {
    const settle = (s3: S3Client) => request(s3).then(pick, (error: { name: string; $metadata?: { httpStatusCode?: number } }) => ({ error: error.name, status: error.$metadata?.httpStatusCode }));
    const [file, memory] = [await settle(fileClient), await settle(memoryClient)];
    expect(memory).toEqual(file);
    return memory;
  };

  it('reads an object back with its body, type, metadata and ETag', async () => {
    const answer = await both(
      (s3) => s3.send(new GetObjectCommand({ Bucket: 'calls', Key: 'transcripts/c-1/a.json' })),
      async (r) => ({ body: await r.Body!.transformToString(), type: r.ContentType, length: r.ContentLength, meta: r.Metadata, etag: r.ETag }),
    );
    expect(await answer).toMatchObject({ body: 'body of transcripts/c-1/a.json', type: 'application/json', meta: { callid: 'c-1' } });
  });

  it('serves a byte range, and refuses one past the end', async () => {
    const ranged = await both(
      (s3) => s3.send(new GetObjectCommand({ Bucket: 'calls', Key: 'readme.txt', Range: 'bytes=3-8' })),
      async (r) => ({ body: await r.Body!.transformToString(), range: r.ContentRange, length: r.ContentLength }),
    );
    expect(await ranged).toEqual({ body: 'y of r', range: 'bytes 3-8/18', length: 6 });
    const beyond = await both((s3) => s3.send(new GetObjectCommand({ Bucket: 'calls', Key: 'readme.txt', Range: 'bytes=50-60' })), () => 'served');
    expect(beyond).toEqual({ error: 'InvalidRange', status: 416 });
  });

  it('answers HEAD and a missing key as S3 does', async () => {
    const head = await both((s3) => s3.send(new HeadObjectCommand({ Bucket: 'calls', Key: 'transcripts/c-1/a.json' })), (r) => ({ length: r.ContentLength, etag: r.ETag, type: r.ContentType, meta: r.Metadata }));
    expect(head).toMatchObject({ type: 'application/json', meta: { callid: 'c-1' } });
    const missing = await both((s3) => s3.send(new GetObjectCommand({ Bucket: 'calls', Key: 'transcripts/none.json' })), () => 'found');
    expect(missing).toEqual({ error: 'NoSuchKey', status: 404 });
  });

  it('lists by prefix and delimiter, a page at a time', async () => {
    const list = (params: { Prefix?: string; Delimiter?: string; MaxKeys?: number; StartAfter?: string }) =>
      both(
        (s3) => s3.send(new ListObjectsV2Command({ Bucket: 'calls', ...params })),
        (r) => ({ keys: (r.Contents ?? []).map((o) => [o.Key, o.Size, o.ETag]), prefixes: (r.CommonPrefixes ?? []).map((p) => p.Prefix), truncated: r.IsTruncated, count: r.KeyCount }),
      );
    // At the bucket's root, the file store stops walking at the first folder and finds no common
    // prefixes; S3 (and the memory store) give one a folder.
    const root = await memoryClient.send(new ListObjectsV2Command({ Bucket: 'calls', Delimiter: '/' }));
    expect([root.CommonPrefixes?.map((p) => p.Prefix), root.Contents?.map((o) => o.Key)]).toEqual([['datasets/', 'transcripts/'], ['readme.txt']]);
    expect(await list({ Prefix: 'transcripts/', Delimiter: '/' })).toMatchObject({ prefixes: ['transcripts/c-1/', 'transcripts/c-2/'], keys: [] });
    expect(await list({ Prefix: 'transcripts/c-1/' })).toMatchObject({ keys: [['transcripts/c-1/a.json'], ['transcripts/c-1/b.json']].map(([k]) => [k, expect.any(Number), expect.any(String)]) });
    // A page at a time through ListObjects (v1): s3rver's v2 continuation token uses DES, which
    // Node's OpenSSL 3 no longer has, whichever the store.
    const page = (Marker?: string) =>
      both((s3) => s3.send(new ListObjectsCommand({ Bucket: 'calls', MaxKeys: 2, Marker })), (r) => ({ keys: (r.Contents ?? []).map((o) => o.Key), truncated: r.IsTruncated }));
    expect(await page()).toEqual({ keys: ['datasets/v1/train.jsonl', 'readme.txt'], truncated: true });
    expect(await page('readme.txt')).toEqual({ keys: ['transcripts/c-1/a.json', 'transcripts/c-1/b.json'], truncated: true });
    await list({ StartAfter: 'transcripts/c-1/a.json' });
  });

  it('copies, overwrites and deletes', async () => {
    await both((s3) => s3.send(new CopyObjectCommand({ Bucket: 'calls', Key: 'copies/readme.txt', CopySource: 'calls/readme.txt' })), (r) => r.CopyObjectResult?.ETag);
    await both((s3) => s3.send(new GetObjectCommand({ Bucket: 'calls', Key: 'copies/readme.txt' })), (r) => r.Body!.transformToString());
    await both((s3) => s3.send(new PutObjectCommand({ Bucket: 'calls', Key: 'copies/readme.txt', Body: 'second' })), (r) => r.ETag);
    const replaced = await both((s3) => s3.send(new GetObjectCommand({ Bucket: 'calls', Key: 'copies/readme.txt' })), (r) => r.Body!.transformToString());
    expect(await replaced).toBe('second');
    await both((s3) => s3.send(new DeleteObjectCommand({ Bucket: 'calls', Key: 'copies/readme.txt' })), (r) => r.$metadata.httpStatusCode);
    const gone = await both((s3) => s3.send(new HeadObjectCommand({ Bucket: 'calls', Key: 'copies/readme.txt' })), () => 'found');
    expect(gone).toEqual({ error: 'NotFound', status: 404 });
  });

  it('assembles a multipart upload in part order', async () => {
    const upload = async (s3: S3Client) => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'calls', Key: 'datasets/v2/train.jsonl', ContentType: 'application/jsonl' }));
      const part = (n: number, body: string) => s3.send(new UploadPartCommand({ Bucket: 'calls', Key: 'datasets/v2/train.jsonl', UploadId, PartNumber: n, Body: body }));
      const [second, first] = [await part(2, 'world\n'), await part(1, 'hello ')];
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'calls', Key: 'datasets/v2/train.jsonl', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: first.ETag }, { PartNumber: 2, ETag: second.ETag }] } }));
      return s3.send(new GetObjectCommand({ Bucket: 'calls', Key: 'datasets/v2/train.jsonl' }));
    };
    const body = await both(upload, (r) => r.Body!.transformToString());
    expect(await body).toBe('hello world\n');
  });

  it('lists its buckets, and refuses a missing one', async () => {
    await both((s3) => s3.send(new ListBucketsCommand({})), (r) => r.Buckets?.map((b) => b.Name));
    const missing = await both((s3) => s3.send(new PutObjectCommand({ Bucket: 'nowhere', Key: 'x', Body: 'x' })), () => 'stored');
    expect(missing).toEqual({ error: 'NoSuchBucket', status: 404 });
  });
});
