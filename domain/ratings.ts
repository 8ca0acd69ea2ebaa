import * as z from './zod.ts';
import { CallNotesSchema, formatIssues, type CallNotes } from './notes.ts';

export type RaterRole = 'agent' | 'supervisor';

/** Who is asking: from the verified JWT (API Gateway's authorizer when deployed, jose offline). */
export interface Principal {
  userId: string;
  agentId: string;
  role: RaterRole;
}

const fieldScore = z.number().check(z.int(), z.gte(1), z.lte(5));

/** POST /calls/{callId}/ratings body. Corrections are checked field by field and as whole notes. */
export const RatingInputSchema = z.strictObject({
  score: z
    .number({ error: 'score is required: an integer from 1 to 5' })
    .check(z.int('score must be an integer from 1 to 5'), z.gte(1, 'score must be an integer from 1 to 5'), z.lte(5, 'score must be an integer from 1 to 5')),
  fieldScores: z.optional(z.partial(z.strictObject({ summary: fieldScore, topics: fieldScore, actionItems: fieldScore, outcome: fieldScore }))),
  corrections: z.optional(z.catchall(z.partial(CallNotesSchema), z.never())),
  comment: z.optional(z.string().check(z.maxLength(2000, 'comment must be at most 2,000 characters'))),
});

export type RatingInput = z.infer<typeof RatingInputSchema>;

export interface Rating {
  callId: string;
  raterId: string;
  raterRole: RaterRole;
  /** The agent who handled the call (for authorization and curation). */
  agentId: string;
  score: number;
  fieldScores?: RatingInput['fieldScores'];
  corrections?: Partial<CallNotes>;
  comment?: string;
  ratedAt: string;
  /** 1 for the first rating of this rater on this call; re-rating increments it and keeps the old one as history. */
  version: number;
}

export interface RatingSummary {
  count: number;
  meanScore: number | null;
  corrected: number;
  latest?: { raterId: string; raterRole: RaterRole; score: number; ratedAt: string };
}

export function summarizeRatings(ratings: Rating[]): RatingSummary {
  if (ratings.length === 0) return { count: 0, meanScore: null, corrected: 0 };
  const latest = ratings.reduce((a, b) => (a.ratedAt >= b.ratedAt ? a : b));
  return {
    count: ratings.length,
    meanScore: Math.round((ratings.reduce((sum, r) => sum + r.score, 0) / ratings.length) * 100) / 100,
    corrected: ratings.filter((r) => r.corrections && Object.keys(r.corrections).length > 0).length,
    latest: { raterId: latest.raterId, raterRole: latest.raterRole, score: latest.score, ratedAt: latest.ratedAt },
  };
}

/** The notes as the rater says they should be: the model's notes with the corrected fields replaced. */
export function correctedNotes(notes: CallNotes, corrections: Partial<CallNotes> | undefined): CallNotes {
  return { ...notes, ...(corrections ?? {}) };
}

export function checkCorrectedNotes(notes: CallNotes, corrections: Partial<CallNotes> | undefined): string | undefined {
  const parsed = CallNotesSchema.safeParse(correctedNotes(notes, corrections));
  return parsed.success ? undefined : formatIssues(parsed.error);
}
