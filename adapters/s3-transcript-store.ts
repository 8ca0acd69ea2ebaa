import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvalidInputError, OversizedInputError } from '#domain/errors.ts';
import type { TranscriptStore } from '#domain/ports.ts';
import type { Transcript } from '#domain/transcript.ts';

export class S3TranscriptStore implements TranscriptStore {
  constructor(
    readonly bucketName: string,
    private readonly client: S3Client = new S3Client({}),
  ) {}

  async putTranscript(transcript: Transcript, hash: string): Promise<string> {
    const key = `transcripts/${transcript.callId}/${hash}.json`;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucketName,
        Key: key,
        Body: JSON.stringify(transcript),
        ContentType: 'application/json',
      }),
    );
    return `s3://${this.bucketName}/${key}`;
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
