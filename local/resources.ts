import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ServerlessConfig } from './serverless-config.ts';

/** What a logical id of serverless.yml became in the local stack. */
export interface LocalResource {
  logicalId: string;
  type: string;
  name: string;
  arn: string;
  /** What CloudFormation's Ref returns: the queue URL for a queue, the name otherwise. */
  ref: string;
}

export interface Clients {
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  s3: S3Client;
}

const QUEUE_ATTRIBUTES = ['DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout', 'FifoQueue', 'ContentBasedDeduplication'];

/**
 * Creates the queues, tables and buckets that serverless.yml declares, in dependency order
 * (a dead-letter queue before the queue whose redrive policy points at it).
 */
export async function createDeclaredResources(config: ServerlessConfig, clients: Clients): Promise<Map<string, LocalResource>> {
  const declared = Object.entries<any>(config.resources?.Resources ?? {});
  const created = new Map<string, LocalResource>();

  for (const [logicalId, resource] of declared.filter(([, r]) => r.Type === 'AWS::SQS::Queue')) {
    const props = resource.Properties ?? {};
    const name = props.QueueName ?? `${config.service}-${logicalId}`;
    const attributes: Record<string, string> = {};
    for (const key of QUEUE_ATTRIBUTES) if (props[key] !== undefined) attributes[key] = String(props[key]);
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    created.set(logicalId, { logicalId, type: resource.Type, name, arn: Attributes!.QueueArn!, ref: QueueUrl! });
  }
  for (const [logicalId, resource] of declared.filter(([, r]) => r.Type === 'AWS::SQS::Queue')) {
    const redrive = resource.Properties?.RedrivePolicy;
    if (!redrive) continue;
    const target = intrinsicValue(redrive.deadLetterTargetArn, created);
    await clients.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: created.get(logicalId)!.ref,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: Number(redrive.maxReceiveCount) }) },
      }),
    );
  }

  for (const [logicalId, resource] of declared.filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) {
    const p = resource.Properties;
    const name = p.TableName ?? `${config.service}-${logicalId}`;
    try {
      await clients.dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: p.KeySchema,
          AttributeDefinitions: p.AttributeDefinitions,
          BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: p.GlobalSecondaryIndexes?.map((gsi: any) => ({
            IndexName: gsi.IndexName,
            KeySchema: gsi.KeySchema,
            Projection: gsi.Projection,
          })),
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: name }));
    created.set(logicalId, { logicalId, type: resource.Type, name, arn: Table!.TableArn!, ref: name });
  }

  for (const [logicalId, resource] of declared.filter(([, r]) => r.Type === 'AWS::S3::Bucket')) {
    const name = resource.Properties?.BucketName ?? `${config.service}-${logicalId}`.toLowerCase();
    try {
      await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
    } catch (error) {
      const code = (error as { name?: string }).name;
      if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
    }
    created.set(logicalId, { logicalId, type: resource.Type, name, arn: `arn:aws:s3:::${name}`, ref: name });
  }
  return created;
}

/** Resolves Ref / Fn::GetAtt(…, Arn) against the local resources; other values pass through. */
export function intrinsicValue(value: unknown, resources: Map<string, LocalResource>): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, any>;
    if (typeof v.Ref === 'string') return resources.get(v.Ref)?.ref ?? v.Ref;
    if (Array.isArray(v['Fn::GetAtt'])) {
      const [id, attr] = v['Fn::GetAtt'];
      const res = resources.get(id);
      if (!res) throw new Error(`serverless.yml refers to ${id}, which the offline stack did not create`);
      if (attr === 'Arn') return res.arn;
      if (attr === 'QueueName') return res.name;
      if (attr === 'QueueUrl') return res.ref;
      throw new Error(`Fn::GetAtt ${id}.${attr} is not supported offline`);
    }
  }
  return value;
}
