import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, paginateQuery, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#domain/errors.ts';
import type { RatingStore } from '#domain/ports.ts';
import { batchGetItems } from './dynamodb-batch-get.ts';
import { queryAll } from './dynamodb-paging.ts';
import type { Rating } from '#domain/ratings.ts';

/**
 * Ratings in the single table:
 *   current   pk CALL#<callId>  sk RATING#<raterId>          gsi2 RATED#<yyyy-mm-dd> / <ratedAt>#<callId>#<raterId>
 *   history   pk CALL#<callId>  sk RATING#<raterId>#v<n>     (the rating that version n+1 replaced)
 */
export class DynamoDbRatingStore implements RatingStore {
  readonly #doc: DynamoDBDocumentClient;

  constructor(
    readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.#doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async putRating(rating: Rating): Promise<void> {
    const pk = `CALL#${rating.callId}`;
    if (rating.version > 1) {
      const previous = await this.getRating(rating.callId, rating.raterId);
      if (previous) {
        // History first: if the current write then loses its race, the copy is harmless.
        await this.#doc.send(
          new PutCommand({ TableName: this.tableName, Item: { pk, sk: `RATING#${rating.raterId}#v${previous.version}`, entity: 'rating-history', ...previous } }),
        );
      }
    }
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk,
            sk: `RATING#${rating.raterId}`,
            gsi2pk: `RATED#${rating.ratedAt.slice(0, 10)}`,
            gsi2sk: `${rating.ratedAt}#${rating.callId}#${rating.raterId}`,
            entity: 'rating',
            ...rating,
          },
          ConditionExpression: rating.version === 1 ? 'attribute_not_exists(pk)' : 'version = :previous',
          ExpressionAttributeValues: rating.version === 1 ? undefined : { ':previous': rating.version - 1 },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`the rating of call ${rating.callId} by ${rating.raterId} changed while saving; send it again`);
      }
      throw error;
    }
  }

  async getRating(callId: string, raterId: string): Promise<Rating | undefined> {
    const { Item } = await this.#doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `CALL#${callId}`, sk: `RATING#${raterId}` }, ConsistentRead: true }));
    return Item ? toRating(Item) : undefined;
  }

  async getRatingsBy(raterId: string, callIds: string[]): Promise<Map<string, Rating>> {
    const keys = [...new Set(callIds)].map((callId) => ({ pk: `CALL#${callId}`, sk: `RATING#${raterId}` }));
    // A key still unprocessed after the retries shows as not rated in a listing; nothing is written from it.
    const { items } = await batchGetItems(this.#doc, this.tableName, keys);
    return new Map(items.map((item) => [item.callId as string, toRating(item)]));
  }

  async listRatingsForCall(callId: string): Promise<Rating[]> {
    const items = await queryAll(this.#doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      FilterExpression: 'entity = :e',
      ExpressionAttributeValues: { ':pk': `CALL#${callId}`, ':sk': 'RATING#', ':e': 'rating' },
      ConsistentRead: true,
    });
    return items.map(toRating);
  }

  async *listRatingsBetween(from: string, to: string): AsyncIterable<Rating> {
    for (let day = new Date(`${from.slice(0, 10)}T00:00:00Z`); day.toISOString() < to; day = new Date(day.getTime() + 86_400_000)) {
      const pages = paginateQuery(
        { client: this.#doc },
        {
          TableName: this.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :day AND gsi2sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':day': `RATED#${day.toISOString().slice(0, 10)}`, ':from': from, ':to': `${to}` },
        },
      );
      for await (const page of pages) for (const item of page.Items ?? []) if (item.ratedAt < to) yield toRating(item);
    }
  }
}

function toRating(item: Record<string, any>): Rating {
  const { pk: _pk, sk: _sk, gsi2pk: _g1, gsi2sk: _g2, entity: _e, ...rating } = item;
  return rating as Rating;
}
