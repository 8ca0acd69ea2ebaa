import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CurationDeps, DatasetFiles, DatasetLocation, DatasetStore } from '#domain/curation/ports.ts';
import type { CuratedDataset } from '#domain/curation/types.ts';
import { ConfigError, type Config } from './config.ts';
import { DynamoDbCallStore } from './dynamodb-call-store.ts';
import { queryAll } from './dynamodb-paging.ts';
import { DynamoDbRatingStore } from './dynamodb-rating-store.ts';
import { S3TranscriptStore } from './s3-transcript-store.ts';

/**
 * Curated dataset versions:
 *   files   s3://<bucket>/datasets/<version>/{train.jsonl, validation.jsonl, manifest.json}
 *   item    pk DATASET#<version>  sk DATASET   gsi1 DATASETS / <createdAt>#<version>
 */
export const datasetKeys = {
  item: (version: string) => ({ pk: `DATASET#${version}`, sk: 'DATASET' }),
  index: (createdAt: string, version: string) => ({ gsi1pk: 'DATASETS', gsi1sk: `${createdAt}#${version}` }),
};

export class S3DynamoDbDatasetStore implements DatasetStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #s3: S3Client;

  constructor(
    readonly bucketName: string,
    readonly tableName: string,
    clients: { s3?: S3Client; dynamodb?: DynamoDBClient } = {},
  ) {
    this.#s3 = clients.s3 ?? new S3Client({});
    this.#doc = DynamoDBDocumentClient.from(clients.dynamodb ?? new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  }

  locate(version: string): DatasetLocation {
    const prefix = `s3://${this.bucketName}/datasets/${version}`;
    return { train: `${prefix}/train.jsonl`, validation: `${prefix}/validation.jsonl`, manifest: `${prefix}/manifest.json` };
  }

  async getDataset(version: string): Promise<CuratedDataset | undefined> {
    const { Item } = await this.#doc.send(new GetCommand({ TableName: this.tableName, Key: datasetKeys.item(version), ConsistentRead: true }));
    return Item ? toDataset(Item) : undefined;
  }

  async listDatasets(): Promise<CuratedDataset[]> {
    const items = await queryAll(this.#doc, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'DATASETS' },
      ScanIndexForward: false,
    });
    return items.map(toDataset);
  }

  async putDataset(dataset: CuratedDataset, files: DatasetFiles): Promise<boolean> {
    const location = this.locate(dataset.version);
    // Files first, so an item never points at missing files; a rerun rewrites the same bytes.
    await Promise.all([
      this.#putObject(location.train, files.train, 'application/jsonl'),
      this.#putObject(location.validation, files.validation, 'application/jsonl'),
      this.#putObject(location.manifest, files.manifest, 'application/json'),
    ]);
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...datasetKeys.item(dataset.version), ...datasetKeys.index(dataset.createdAt, dataset.version), entity: 'dataset', ...dataset },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async #putObject(uri: string, body: string, contentType: string): Promise<void> {
    const key = uri.slice(`s3://${this.bucketName}/`.length);
    await this.#s3.send(new PutObjectCommand({ Bucket: this.bucketName, Key: key, Body: body, ContentType: contentType }));
  }
}

function toDataset(item: Record<string, any>): CuratedDataset {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, entity: _e, ...dataset } = item;
  return dataset as CuratedDataset;
}

/** The real adapters for curation, built once per container. */
export function buildCurationDeps(config: Config, clients: { dynamodb?: DynamoDBClient; s3?: S3Client } = {}): CurationDeps {
  const dynamodb = clients.dynamodb ?? new DynamoDBClient({ region: config.region });
  const s3 = clients.s3 ?? new S3Client({ region: config.region, forcePathStyle: config.s3ForcePathStyle });
  return {
    ratings: new DynamoDbRatingStore(config.tableName, dynamodb),
    calls: new DynamoDbCallStore(config.tableName, dynamodb),
    transcripts: new S3TranscriptStore(config.bucketName, s3),
    datasets: new S3DynamoDbDatasetStore(config.bucketName, config.tableName, { s3, dynamodb }),
    clock: { now: () => new Date() },
  };
}
