import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { RegistryConflictError } from '#domain/refresh/errors.ts';
import type { ModelRegistry } from '#domain/refresh/ports.ts';
import type { ChampionPointer, ModelVersion } from '#domain/refresh/types.ts';
import { queryAll } from './dynamodb-paging.ts';

/**
 * The model registry in the calls table:
 *   version items   pk MODEL#<line>  sk VERSION#<n, zero-padded>
 *   champion        pk MODEL#<line>  sk CHAMPION
 * Every write is one conditional PutItem on the item's revision (dynalite has no transactions).
 */
export const modelKeys = {
  version: (line: string, version: number) => ({ pk: `MODEL#${line}`, sk: `VERSION#${String(version).padStart(6, '0')}` }),
  champion: (line: string) => ({ pk: `MODEL#${line}`, sk: 'CHAMPION' }),
};

export class DynamoDbModelRegistry implements ModelRegistry {
  readonly #doc: DynamoDBDocumentClient;

  constructor(
    readonly tableName: string,
    dynamodb: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.#doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
  }

  async listVersions(line: string): Promise<ModelVersion[]> {
    const items = await queryAll(this.#doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': `MODEL#${line}`, ':sk': 'VERSION#' },
      ConsistentRead: true,
    });
    return items.map((item) => strip(item) as ModelVersion).sort((a, b) => a.version - b.version);
  }

  async getVersion(line: string, version: number): Promise<ModelVersion | undefined> {
    const { Item } = await this.#doc.send(new GetCommand({ TableName: this.tableName, Key: modelKeys.version(line, version), ConsistentRead: true }));
    return Item ? (strip(Item) as ModelVersion) : undefined;
  }

  async createVersion(version: ModelVersion): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...modelKeys.version(version.line, version.version), entity: 'model-version', ...version },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async saveVersion(version: ModelVersion): Promise<ModelVersion> {
    const next = { ...version, revision: version.revision + 1 };
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...modelKeys.version(version.line, version.version), entity: 'model-version', ...next },
          ConditionExpression: '#revision = :revision',
          ExpressionAttributeNames: { '#revision': 'revision' },
          ExpressionAttributeValues: { ':revision': version.revision },
        }),
      );
      return next;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new RegistryConflictError(`${version.id} changed since it was read (another refresh or operator command); run again`);
      throw error;
    }
  }

  async getChampion(line: string): Promise<ChampionPointer | undefined> {
    const { Item } = await this.#doc.send(new GetCommand({ TableName: this.tableName, Key: modelKeys.champion(line), ConsistentRead: true }));
    return Item ? (strip(Item) as ChampionPointer) : undefined;
  }

  async putChampion(pointer: ChampionPointer, expectedRevision: number | undefined): Promise<ChampionPointer> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...modelKeys.champion(pointer.line), entity: 'model-champion', ...pointer },
          ...(expectedRevision === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#revision = :revision', ExpressionAttributeNames: { '#revision': 'revision' }, ExpressionAttributeValues: { ':revision': expectedRevision } }),
        }),
      );
      return pointer;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new RegistryConflictError(`the champion of line ${pointer.line} changed since it was read; run again`);
      throw error;
    }
  }
}

function strip(item: Record<string, any>): unknown {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  return rest;
}

export interface ModelPointerCacheOptions {
  line: string;
  /** Longest a read pointer is served before the item is read again. */
  ttlMs: number;
  now?: () => number;
  /** Told when the pointer cannot be read (the last known one, or the configured model, is served meanwhile). */
  onError?: (error: unknown) => void;
}

/**
 * The champion pointer as ingest reads it: at most one GetItem per TTL per container, one read in
 * flight however many calls ask, and the last known pointer (or none: the configured model) when
 * the table cannot be read, so a registry hiccup never fails a call.
 */
export class ModelPointerCache {
  #value: ChampionPointer | undefined;
  #readAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<ChampionPointer | undefined> | undefined;
  readonly #now: () => number;

  constructor(
    private readonly registry: Pick<ModelRegistry, 'getChampion'>,
    private readonly options: ModelPointerCacheOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  async current(): Promise<ChampionPointer | undefined> {
    if (this.#now() - this.#readAt < this.options.ttlMs) return this.#value;
    this.#inFlight ??= this.registry
      .getChampion(this.options.line)
      .then(
        (pointer) => {
          this.#value = pointer;
          return pointer;
        },
        (error) => {
          this.options.onError?.(error);
          return this.#value;
        },
      )
      .finally(() => {
        this.#readAt = this.#now();
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }
}
