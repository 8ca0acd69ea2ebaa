import * as z from './zod.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from './errors.ts';
import { curateDataset, type CurationResult } from './curation/curate.ts';
import type { CurationDeps } from './curation/ports.ts';
import type { CuratedDataset, CurationSettings } from './curation/types.ts';
import type { CallPage, CallReader, Clock, RatingStore, StoredCall, TranscriptStore } from './ports.ts';
import { approveVersion, listModelLine, rollbackChampion, type ModelLineView, type RollbackResult } from './refresh/operator.ts';
import type { ModelRegistry } from './refresh/ports.ts';
import type { ModelVersion } from './refresh/types.ts';
import type { Transcript } from './transcript.ts';
import { checkCorrectedNotes, RatingInputSchema, summarizeRatings, type Principal, type Rating, type RatingSummary } from './ratings.ts';

/**
 * What agents and supervisors do with notes: read them, list them, rate and correct them.
 * Authorization lives here: agents read and rate the calls they handled; supervisors any.
 */
export interface ReviewDeps {
  /** The model registry of the line ingest serves (supervisors: list, approve, roll back). */
  models: { registry: ModelRegistry; line: { line: string; servingModelId: string; servingModelVersion: string } };
  calls: CallReader;
  ratings: RatingStore;
  transcripts: Pick<TranscriptStore, 'getTranscript'>;
  clock: Clock;
  /** Dataset versions and on-demand curation (supervisors). */
  curation: CurationDeps;
  curationSettings: Partial<CurationSettings>;
}

export interface CallView {
  call: StoredCall;
  ratings: RatingSummary;
  myRating?: Rating;
}

export async function getCallView(callId: string, principal: Principal, deps: ReviewDeps): Promise<CallView> {
  const call = await readableCall(callId, principal, deps);
  const ratings = await deps.ratings.listRatingsForCall(callId);
  return { call, ratings: summarizeRatings(ratings), myRating: ratings.find((r) => r.raterId === principal.userId) };
}

const isoDateTime = z.pipe(
  z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-11-23T00:00:00Z' }),
  z.transform((value: string) => new Date(value).toISOString()),
);

export const CallListQuerySchema = z.strictObject({
  agentId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  from: z.optional(isoDateTime),
  to: z.optional(isoDateTime),
  topic: z.optional(z.string().check(z.minLength(1), z.maxLength(60))),
  limit: z._default(
    z.coerce
      .number({ error: 'limit must be a number from 1 to 100' })
      .check(z.int('limit must be a whole number'), z.gte(1, 'limit must be from 1 to 100'), z.lte(100, 'limit must be from 1 to 100')),
    25,
  ),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
});

export interface ReviewPage extends CallPage {
  /** The caller's own ratings of the calls on this page, by call id. */
  myRatings: Map<string, Rating>;
}

export async function listCallsForReview(rawQuery: Record<string, string | undefined>, principal: Principal, deps: ReviewDeps): Promise<ReviewPage> {
  const parsed = CallListQuerySchema.safeParse(rawQuery);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'query');
    throw new InvalidInputError('invalid-query', field, `query parameter ${field}: ${issue.message}`);
  }
  const query = parsed.data;
  if (query.from && query.to && query.from >= query.to) throw new InvalidInputError('invalid-query', 'from', 'from must be before to');
  if (principal.role === 'agent') {
    if (query.agentId && query.agentId !== principal.agentId) throw new ForbiddenError('agents can list only the calls they handled');
    query.agentId = principal.agentId;
  }
  const page = await deps.calls.listCalls(query);
  const myRatings = await deps.ratings.getRatingsBy(principal.userId, page.calls.map((c) => c.callId));
  return { ...page, myRatings };
}

export async function rateCall(callId: string, body: unknown, principal: Principal, deps: ReviewDeps): Promise<Rating> {
  const call = await readableCall(callId, principal, deps);
  const parsed = RatingInputSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'body';
    throw new InvalidInputError('invalid-rating', field, `${field}: ${issue.message}`);
  }
  const input = parsed.data;
  const problems = checkCorrectedNotes(call.notes, input.corrections);
  if (problems) throw new InvalidInputError('invalid-rating', `corrections.${problems.split(':')[0]}`, `the corrected notes are not valid call notes: ${problems}`);
  const previous = await deps.ratings.getRating(callId, principal.userId);
  const rating: Rating = {
    callId,
    raterId: principal.userId,
    raterRole: principal.role,
    agentId: call.agentId,
    score: input.score,
    fieldScores: input.fieldScores,
    corrections: input.corrections,
    comment: input.comment,
    ratedAt: deps.clock.now().toISOString(),
    version: (previous?.version ?? 0) + 1,
  };
  await deps.ratings.putRating(rating);
  return rating;
}

async function readableCall(callId: string, principal: Principal, deps: ReviewDeps): Promise<StoredCall> {
  const call = await deps.calls.getCall(callId);
  if (!call) throw new NotFoundError('call', callId);
  if (principal.role === 'agent' && call.agentId !== principal.agentId) {
    throw new ForbiddenError(`call ${callId} was handled by another agent; agents may read and rate only their own calls`);
  }
  return call;
}

/** The redacted transcript of a call, for the reviewer reading the notes beside it. */
export async function getTranscriptView(callId: string, principal: Principal, deps: ReviewDeps): Promise<Transcript> {
  const call = await readableCall(callId, principal, deps);
  return deps.transcripts.getTranscript(call.transcriptUri);
}

export async function listDatasetVersions(principal: Principal, deps: ReviewDeps): Promise<CuratedDataset[]> {
  requireSupervisor(principal, 'list datasets');
  return deps.curation.datasets.listDatasets();
}

export async function getDatasetVersion(version: string, principal: Principal, deps: ReviewDeps): Promise<CuratedDataset> {
  requireSupervisor(principal, 'read datasets');
  const dataset = await deps.curation.datasets.getDataset(version);
  if (!dataset) throw new NotFoundError('dataset', version);
  return dataset;
}

const CurateRequestSchema = z.strictObject({ from: z.optional(isoDateTime), to: z.optional(isoDateTime) });

/** "Curate now": the same curation as the daily schedule, for the window asked (default: since the last dataset). */
export async function curateNow(body: unknown, principal: Principal, deps: ReviewDeps): Promise<CurationResult> {
  requireSupervisor(principal, 'curate datasets');
  const parsed = CurateRequestSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    throw new InvalidInputError('invalid-window', field, `${field}: ${issue.message}`);
  }
  return curateDataset(parsed.data, deps.curation, deps.curationSettings);
}

function requireSupervisor(principal: Principal, what: string): void {
  if (principal.role !== 'supervisor') throw new ForbiddenError(`only supervisors may ${what}`);
}

export async function listModels(principal: Principal, deps: ReviewDeps): Promise<ModelLineView> {
  requireSupervisor(principal, 'see the model registry');
  return listModelLine(deps.models.line, deps.models);
}

/** Approves serving a trained candidate; the next refresh pass provisions and evaluates it. */
export async function approveModel(id: string, principal: Principal, deps: ReviewDeps): Promise<ModelVersion> {
  requireSupervisor(principal, 'approve models');
  return approveVersion(id, principal.userId, deps.models.line, { registry: deps.models.registry, clock: deps.clock });
}

/** The previous champion serves again; ingest picks it up within its pointer cache time. */
export async function rollbackModel(principal: Principal, deps: ReviewDeps): Promise<RollbackResult> {
  requireSupervisor(principal, 'roll back models');
  return rollbackChampion(principal.userId, deps.models.line, { registry: deps.models.registry, clock: deps.clock });
}
