import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CallStore, Rejection, StoredCall } from '#domain/ports.ts';

/**
 * Single-table layout (DESIGN §5):
 *   call notes   pk CALL#<callId>  sk NOTES                       gsi1 AGENT#<agentId> / <startedAt>#<callId>
 *   rejection    pk CALL#<callId> | MESSAGE#<messageId>  sk REJECTED#<at>#<messageId>   gsi1 REJECTED / <at>
 */
export const keys = {
  call: (callId: string) => ({ pk: `CALL#${callId}`, sk: 'NOTES' }),
  agentIndex: (agentId: string, startedAt: string, callId: string) => ({ gsi1pk: `AGENT#${agentId}`, gsi1sk: `${startedAt}#${callId}` }),
};

export class DynamoDbCallStore implements CallStore {
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
    const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, entity: _e, ...call } = Item;
    return call as StoredCall;
  }

  async putCall(call: StoredCall): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.call(call.callId), ...keys.agentIndex(call.agentId, call.startedAt, call.callId), entity: 'call', ...call },
          // One record per (callId, transcript version): a redelivery that raced us changes nothing.
          ConditionExpression: 'attribute_not_exists(pk) OR transcriptHash <> :hash',
          ExpressionAttributeValues: { ':hash': call.transcriptHash },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async putRejection(rejection: Rejection): Promise<void> {
    const pk = rejection.callId ? `CALL#${rejection.callId}` : `MESSAGE#${rejection.messageId}`;
    await this.#doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk,
          sk: `REJECTED#${rejection.rejectedAt}#${rejection.messageId}`,
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
}
