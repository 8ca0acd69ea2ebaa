import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pRetry from 'p-retry';
import { InvalidInputError, OversizedInputError } from '#domain/errors.ts';
import type { StoredTranscript, TranscriptStore } from '#domain/ports.ts';
import type { Transcript } from '#domain/transcript.ts';

/** Object metadata (x-amz-meta-message-id): the SQS message that stored a transcript version first. */
const MESSAGE_ID = 'message-id';

export class S3TranscriptStore implements TranscriptStore {
  constructor(
    readonly bucketName: string,
    private readonly client: S3Client = new S3Client({}),
  ) {}

  /**
   * A conditional write (If-None-Match): the first message to store a transcript version holds it,
   * so a second delivery of the same call (another message) learns that the first may be calling
   * the model now. The object's content is the same whoever writes it: its key is the hash.
   */
  async putTranscript(transcript: Transcript, hash: string, messageId: string): Promise<StoredTranscript> {
    const key = `transcripts/${transcript.callId}/${hash}.json`;
    const uri = `s3://${this.bucketName}/${key}`;
    const put = () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucketName,
          Key: key,
          Body: JSON.stringify(transcript),
          ContentType: 'application/json',
          IfNoneMatch: '*',
          Metadata: { [MESSAGE_ID]: messageId },
        }),
      );
    try {
      // 409 ConditionalRequestConflict: another write of the key is under way; S3 asks to try
      // again, and by then it has stored the object (412 below) or failed (this write stores it).
      // Still 409 after the retries: thrown, and the record is retried later.
      await pRetry(put, { retries: 4, minTimeout: 100, factor: 2, randomize: true, shouldRetry: ({ error }) => error.name === 'ConditionalRequestConflict' });
      return { uri };
    } catch (error) {
      if ((error as { name?: string }).name !== 'PreconditionFailed') throw error;
    }
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucketName, Key: key }));
    const holder = head.Metadata?.[MESSAGE_ID];
    // This message's own earlier attempt (a retry after a failure): nobody else holds the call.
    if (holder === messageId) return { uri };
    // An object without the metadata was written before messages held transcripts: long done.
    return { uri, heldBy: { messageId: holder ?? 'unknown', since: holder ? (head.LastModified ?? new Date()) : new Date(0) } };
  }

  async getTranscript(uri: string): Promise<Transcript> {
    const { body } = await this.readObject(uri, Number.MAX_SAFE_INTEGER);
    return JSON.parse(body) as Transcript;
  }

  async readObject(uri: string, maxBytes: number): Promise<{ body: string; metadata: Record<string, string> }> {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!match) throw new InvalidInputError('invalid-message', 'transcriptS3Uri', `"${uri}" is not an s3://bucket/key URI`);
    const [, bucket, key] = match as unknown as [string, string, string];
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((response.ContentLength ?? 0) > maxBytes) {
        response.Body?.transformToWebStream().cancel().catch(() => {});
        throw new OversizedInputError(response.ContentLength!, maxBytes, 'transcript object');
      }
      return { body: await response.Body!.transformToString('utf-8'), metadata: response.Metadata ?? {} };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound') {
        throw new InvalidInputError('transcript-not-found', 'transcriptS3Uri', `no transcript object at ${uri} (${name}); upload it before sending the message`);
      }
      throw error;
    }
  }
}
