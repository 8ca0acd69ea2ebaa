import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, InvalidInputError } from '#domain/errors.ts';
import { batchGetItems } from './dynamodb-batch-get.ts';
import type { CallPage, CallQuery, CallReader, CallStore, Rejection, StoredCall } from '#domain/ports.ts';

/**
 * Single-table layout (DESIGN §5):
 *   call notes   pk CALL#<callId>  sk NOTES                       gsi1 AGENT#<agentId> / <startedAt>#<callId>
 *                                                                gsi2 CALLS#<yyyy-mm> / <startedAt>#<callId>
 *   rejection    pk CALL#<callId> | MESSAGE#<messageId>  sk REJECTED#<messageId>   gsi1 REJECTED / <at>#<messageId>
 */
export const keys = {
  call: (callId: string) => ({ pk: `CALL#${callId}`, sk: 'NOTES' }),
  agentIndex: (agentId: string, startedAt: string, callId: string) => ({ gsi1pk: `AGENT#${agentId}`, gsi1sk: `${startedAt}#${callId}` }),
  /** All calls by time, in one partition a month so no partition runs hot. */
  monthIndex: (startedAt: string, callId: string) => ({ gsi2pk: `CALLS#${startedAt.slice(0, 7)}`, gsi2sk: `${startedAt}#${callId}` }),
};

/** How far back a supervisor's unbounded listing looks. */
const MAX_MONTHS_BACK = 36;

export class DynamoDbCallStore implements CallStore, CallReader {
  readonly #doc: DynamoDBDocumentClient;

  constructor(
    readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.#doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async getCall(callId: string): Promise<StoredCall | undefined> {
    const { Item } = await this.#doc.send(new GetCommand({ TableName: this.tableName, Key: keys.call(callId), ConsistentRead: true }));
    if (!Item) return undefined;
    return toCall(Item);
  }

  /** Several calls in one request (100 a request); a key DynamoDB leaves unprocessed is read on its own. */
  async getCalls(callIds: readonly string[]): Promise<Map<string, StoredCall>> {
    const unique = [...new Set(callIds)];
    const { items, unprocessed } = await batchGetItems(this.#doc, this.tableName, unique.map(keys.call), { consistentRead: true });
    const found = new Map(items.map((item) => [item.callId as string, toCall(item)]));
    for (const key of unprocessed) {
      const callId = String(key.pk).slice('CALL#'.length);
      const call = await this.getCall(callId);
      if (call) found.set(callId, call);
    }
    return found;
  }

  async putCall(call: StoredCall, previous?: StoredCall): Promise<boolean> {
    if (previous) {
      // History first: if the current write then loses a race, the copy is harmless.
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `CALL#${call.callId}`, sk: `NOTES#v${previous.version ?? 1}`, entity: 'call-history', ...previous },
        }),
      );
    }
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.call(call.callId),
            ...keys.agentIndex(call.agentId, call.startedAt, call.callId),
            ...keys.monthIndex(call.startedAt, call.callId),
            entity: 'call',
            topicKeys: call.notes.topics.map((t) => t.toLowerCase()),
            ...call,
          },
          // One record per (callId, transcript version); a new version replaces only the one it read.
          ConditionExpression: previous ? 'transcriptHash = :previous' : 'attribute_not_exists(pk)',
          ExpressionAttributeValues: previous ? { ':previous': previous.transcriptHash } : undefined,
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.getCall(call.callId);
      if (current && (current.transcriptHashes ?? [current.transcriptHash]).includes(call.transcriptHash)) return false;
      throw new ConflictError(`call ${call.callId} changed while its notes were written; the message will be retried`);
    }
  }

  async putRejection(rejection: Rejection): Promise<void> {
    const pk = rejection.callId ? `CALL#${rejection.callId}` : `MESSAGE#${rejection.messageId}`;
    await this.#doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk,
          // Keyed by message: a redelivered rejection overwrites itself instead of adding a second.
          sk: `REJECTED#${rejection.messageId}`,
          gsi1pk: 'REJECTED',
          gsi1sk: `${rejection.rejectedAt}#${rejection.messageId}`,
          entity: 'rejection',
          ...rejection,
        },
      }),
    );
  }

  /** Read side for operators and the offline runner: the stored rejection of one message. */
  async findRejection(messageId: string, callId?: string): Promise<Rejection | undefined> {
    const { Items = [] } = await this.#doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        FilterExpression: 'messageId = :m',
        ExpressionAttributeValues: { ':pk': callId ? `CALL#${callId}` : `MESSAGE#${messageId}`, ':sk': 'REJECTED#', ':m': messageId },
        ConsistentRead: true,
      }),
    );
    const item = Items[0];
    if (!item) return undefined;
    const { messageId: id, callId: call, agentId, reason, field, message, rejectedAt } = item;
    return { messageId: id, callId: call, agentId, reason, field, message, rejectedAt };
  }

  /**
   * Newest first. An agent's calls come from gsi1; everyone's from gsi2, a month at a time. The
   * topic filter runs server-side, so pages are refilled until `limit` calls are found.
   */
  async listCalls(query: CallQuery): Promise<CallPage> {
    const cursor = decodeCursor(query.cursor);
    const to = query.to ?? '9999';
    const from = query.from ?? '0000';
    const partitions = query.agentId
      ? [{ index: 'gsi1', key: 'gsi1', pk: `AGENT#${query.agentId}` }]
      : monthsBetween(query.from, query.to).map((month) => ({ index: 'gsi2', key: 'gsi2', pk: `CALLS#${month}` }));
    const calls: StoredCall[] = [];
    // The cursor names its partition, not a position: "the months back from now" move as time passes.
    let partitionIndex = cursor ? partitions.findIndex((p) => p.pk === cursor.partition) : 0;
    const resumesHere = cursor ? Object.values(cursor.key).includes(cursor.partition) : true;
    if (partitionIndex < 0 || !resumesHere) throw new InvalidInputError('invalid-query', 'cursor', 'cursor does not belong to this query; start again without it');
    let startKey = cursor?.key;
    for (; partitionIndex < partitions.length; partitionIndex++, startKey = undefined) {
      const p = partitions[partitionIndex]!;
      do {
        const page = await this.#doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: p.index,
            KeyConditionExpression: `${p.key}pk = :pk AND ${p.key}sk BETWEEN :from AND :to`,
            FilterExpression: query.topic ? 'entity = :call AND contains(topicKeys, :topic)' : 'entity = :call',
            ExpressionAttributeValues: {
              ':pk': p.pk,
              ':from': from,
              ':to': `${to}`,
              ':call': 'call',
              ...(query.topic ? { ':topic': query.topic.toLowerCase() } : {}),
            },
            ScanIndexForward: false,
            ExclusiveStartKey: startKey,
            Limit: Math.max(query.limit * 2, 25),
          }),
        );
        for (const item of page.Items ?? []) {
          if (item.startedAt >= to) continue;
          calls.push(toCall(item));
          if (calls.length === query.limit) {
            const key = { pk: item.pk, sk: item.sk, [`${p.key}pk`]: item[`${p.key}pk`], [`${p.key}sk`]: item[`${p.key}sk`] };
            return { calls, nextCursor: encodeCursor({ partition: p.pk, key }) };
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    return { calls };
  }
}

function toCall(item: Record<string, any>): StoredCall {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, gsi2pk: _g3, gsi2sk: _g4, entity: _e, topicKeys: _t, ...call } = item;
  return call as StoredCall;
}

/** Months from `to` (or now) back to `from` (or MAX_MONTHS_BACK), newest first, as yyyy-mm. */
function monthsBetween(from: string | undefined, to: string | undefined): string[] {
  const end = to ? new Date(to) : new Date();
  const start = from ? new Date(from) : new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - MAX_MONTHS_BACK, 1));
  const months: string[] = [];
  for (let y = end.getUTCFullYear(), m = end.getUTCMonth(); y > start.getUTCFullYear() || (y === start.getUTCFullYear() && m >= start.getUTCMonth()); m === 0 ? (y--, (m = 11)) : m--) {
    months.push(`${y}-${String(m + 1).padStart(2, '0')}`);
  }
  return months;
}

interface Cursor {
  /** The index partition key the page ended in (AGENT#… or CALLS#yyyy-mm). */
  partition: string;
  key: Record<string, unknown>;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof parsed.partition !== 'string' || !parsed.key || typeof parsed.key !== 'object') throw new Error('shape');
    return parsed;
  } catch {
    throw new InvalidInputError('invalid-query', 'cursor', 'cursor is not one this API returned; start again without it');
  }
}
