import { createHash } from 'node:crypto';
import type { FamilyLimits } from './types.ts';

/** A call's place in [0, 1): from a hash of its id, so a call lands in the same split every time. */
export function splitPosition(callId: string): number {
  return createHash('sha256').update(`split:${callId}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** Topic labels are compared trimmed and lower-cased, so "Billing" and "billing " share one cap. */
export const topicKey = (label: string): string => label.trim().toLowerCase();

/**
 * At most `cap` items per first topic. `items` come best first, so each topic keeps its best.
 */
export function capTopics<T>(items: readonly T[], topicOf: (item: T) => string, cap: number): { kept: T[]; removed: T[] } {
  const seen = new Map<string, number>();
  const kept: T[] = [];
  const removed: T[] = [];
  for (const item of items) {
    const key = topicKey(topicOf(item));
    const count = seen.get(key) ?? 0;
    if (count >= cap) {
      removed.push(item);
      continue;
    }
    seen.set(key, count + 1);
    kept.push(item);
  }
  return { kept, removed };
}

/** Fewest records for which a validation split is held out (below it every record trains). */
export const MIN_RECORDS_FOR_VALIDATION = 10;

/**
 * Train/validation split by the hash of the call id: a call is held out when its position is
 * below `fraction`. With at least 10 records, at least one is held out (the lowest position).
 * Both lists come in position order, a fixed shuffle that does not follow rating time or topic.
 * Over a family's record limits, the records at the end of that order are cut.
 */
export function splitRecords<T>(
  items: readonly T[],
  callIdOf: (item: T) => string,
  fraction: number,
  limits: Pick<FamilyLimits, 'maxTrainRecords' | 'maxValidationRecords' | 'maxTotalRecords'>,
): { train: T[]; validation: T[]; overLimit: T[] } {
  const ordered = items
    .map((item) => ({ item, position: splitPosition(callIdOf(item)), callId: callIdOf(item) }))
    .sort((a, b) => a.position - b.position || a.callId.localeCompare(b.callId));
  let validation: typeof ordered = [];
  let train: typeof ordered = [];
  if (ordered.length >= MIN_RECORDS_FOR_VALIDATION) {
    validation = ordered.filter((o) => o.position < fraction);
    train = ordered.filter((o) => o.position >= fraction);
    if (validation.length === 0) {
      validation = ordered.slice(0, 1);
      train = ordered.slice(1);
    }
  } else {
    train = ordered;
  }
  const overLimit: T[] = [];
  const cut = (list: typeof ordered, max: number) => {
    overLimit.push(...list.slice(max).map((o) => o.item));
    return list.slice(0, max);
  };
  validation = cut(validation, limits.maxValidationRecords);
  train = cut(train, Math.min(limits.maxTrainRecords, limits.maxTotalRecords - validation.length));
  return { train: train.map((o) => o.item), validation: validation.map((o) => o.item), overLimit };
}
