import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** Where the emulator reads tuning data and writes job artifacts: the local s3rver in the offline stack. */
export interface EmulatorS3Options {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: true;
}

export interface S3Location {
  bucket: string;
  key: string;
}

export function parseS3Uri(uri: string): S3Location | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  return m ? { bucket: m[1]!, key: m[2] ?? '' } : undefined;
}

/** Text objects in and out of S3, named by s3:// URIs. */
export class S3Objects {
  private readonly client: S3Client;

  constructor(options: EmulatorS3Options, client?: S3Client) {
    // s3rver predates flexible checksums.
    this.client = client ?? new S3Client({ ...options, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  }

  async getText(uri: string, signal?: AbortSignal): Promise<string> {
    const { bucket, key } = parseS3Uri(uri) ?? { bucket: '', key: '' };
    const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return (await out.Body?.transformToString('utf8')) ?? '';
  }

  async putText(uri: string, body: string, contentType: string): Promise<void> {
    const { bucket, key } = parseS3Uri(uri) ?? { bucket: '', key: '' };
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  }

  destroy(): void {
    this.client.destroy();
  }
}
