import type { Context } from 'aws-lambda';
import { DeadlineExceededError } from '#domain/errors.ts';

/** Time kept back at the end of an invocation for the writes that finish a record and the batch response. */
const SAFETY_MARGIN_MS = 3_000;

/**
 * The deadline (epoch ms) for a record's work. A record that would start with less than
 * `minRecordMs` left is returned to the queue untouched, rather than cut off mid-write.
 */
export function remainingTimeBudget(context: Context, minRecordMs: number): number {
  const remaining = context.getRemainingTimeInMillis();
  if (remaining < minRecordMs) {
    throw new DeadlineExceededError(`only ${remaining} ms of the invocation left (need ${minRecordMs}); the record goes back to the queue`);
  }
  return Date.now() + remaining - SAFETY_MARGIN_MS;
}
