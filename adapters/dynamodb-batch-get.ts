import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Key = Record<string, unknown>;
type Item = Record<string, any>;

/** Keys BatchGetItem takes in one request. */
const MAX_KEYS = 100;

/**
 * The items at `keys` (those that exist), 100 keys a request. Keys DynamoDB hands back unprocessed
 * (under load) are asked for again after a growing pause; the ones still unprocessed after that are
 * returned in `unprocessed`, for the caller to read one by one or treat as unknown.
 */
export async function batchGetItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
  options: { consistentRead?: boolean; attempts?: number } = {},
): Promise<{ items: Item[]; unprocessed: Key[] }> {
  const items: Item[] = [];
  const unprocessed: Key[] = [];
  const attempts = options.attempts ?? 5;
  for (let i = 0; i < keys.length; i += MAX_KEYS) {
    let pending: Key[] = keys.slice(i, i + MAX_KEYS);
    for (let attempt = 0; pending.length > 0 && attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt * (0.5 + Math.random())));
      const page = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistentRead } } }));
      items.push(...(page.Responses?.[tableName] ?? []));
      pending = (page.UnprocessedKeys?.[tableName]?.Keys as Key[] | undefined) ?? [];
    }
    unprocessed.push(...pending);
  }
  return { items, unprocessed };
}
