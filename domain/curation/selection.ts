import { CallNotesSchema, type CallNotes } from '../notes.ts';
import { correctedNotes, type Rating } from '../ratings.ts';
import type { DecidingRating, DropReason } from './types.ts';

export type Selection =
  | { kind: 'selected'; notes: CallNotes; source: 'model' | 'corrected'; rating: DecidingRating }
  | { kind: 'dropped'; reason: DropReason; rating: DecidingRating };

export const hasCorrections = (rating: Pick<Rating, 'corrections'>): boolean =>
  rating.corrections !== undefined && Object.keys(rating.corrections).length > 0;

/** Latest first; equal times are ordered by rater id so the choice never depends on read order. */
const newestFirst = (a: Rating, b: Rating): number =>
  a.ratedAt === b.ratedAt ? a.raterId.localeCompare(b.raterId) : a.ratedAt < b.ratedAt ? 1 : -1;

/**
 * The rating that decides a call: a supervisor's when there is one (the latest of them), else
 * the latest. When every rater agrees this is the same as taking the latest; when they disagree,
 * the supervisor wins.
 */
export function decidingRating(ratings: readonly Rating[]): Rating | undefined {
  const supervisors = ratings.filter((r) => r.raterRole === 'supervisor');
  return [...(supervisors.length > 0 ? supervisors : ratings)].sort(newestFirst)[0];
}

export function describeRating(rating: Rating): DecidingRating {
  return { raterId: rating.raterId, raterRole: rating.raterRole, score: rating.score, ratedAt: rating.ratedAt, corrected: hasCorrections(rating) };
}

/**
 * What a call teaches, from its deciding rating: corrected notes whenever the rater corrected
 * them (checked again as whole notes), the model's notes when scored 4 or 5, nothing otherwise.
 */
export function selectNotes(modelNotes: CallNotes, rating: Rating): Selection {
  const deciding = describeRating(rating);
  if (deciding.corrected) {
    const parsed = CallNotesSchema.safeParse(correctedNotes(modelNotes, rating.corrections));
    return parsed.success
      ? { kind: 'selected', notes: parsed.data, source: 'corrected', rating: deciding }
      : { kind: 'dropped', reason: 'invalid-correction', rating: deciding };
  }
  if (rating.score >= 4) return { kind: 'selected', notes: modelNotes, source: 'model', rating: deciding };
  // A 3 says "not wrong, not good": too weak a signal to teach, so it is left out and counted.
  return { kind: 'dropped', reason: rating.score <= 2 ? 'low-score' : 'neutral-score', rating: deciding };
}

/**
 * Orders candidates best first for near-duplicate and topic-cap choices: higher score, then
 * corrected notes (a person wrote them), then a supervisor's rating, then the more recent, then
 * the call id (so the order is total).
 */
export function betterRatingFirst(a: { callId: string; rating: DecidingRating }, b: { callId: string; rating: DecidingRating }): number {
  return (
    b.rating.score - a.rating.score ||
    Number(b.rating.corrected) - Number(a.rating.corrected) ||
    Number(b.rating.raterRole === 'supervisor') - Number(a.rating.raterRole === 'supervisor') ||
    (a.rating.ratedAt === b.rating.ratedAt ? 0 : a.rating.ratedAt < b.rating.ratedAt ? 1 : -1) ||
    a.callId.localeCompare(b.callId)
  );
}
