import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { bedrockRuntimeClient } from '../../adapters/bedrock-notes-model.ts';
import { withoutSdkLogger } from '../../adapters/sdk-logging.ts';

const hasLogger = (client: { middlewareStack: { identify(): string[] } }) => client.middlewareStack.identify().some((name) => name.startsWith('loggerMiddleware'));

describe('withoutSdkLogger', () => {
  it.each([
    ['DynamoDB', () => new DynamoDBClient({ region: 'us-west-2' })],
    ['S3', () => new S3Client({ region: 'us-west-2' })],
  ])('takes the logger middleware out of a %s client', (_name, make) => {
    const client = make();
    expect(hasLogger(client)).toBe(true);
    expect(hasLogger(withoutSdkLogger(client))).toBe(false);
  });

  it('the Bedrock Runtime client for model calls has none', () => {
    expect(hasLogger(bedrockRuntimeClient({ region: 'us-west-2' }))).toBe(false);
  });
});
