import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import { buildReviewDeps, loadConfig } from '#adapters/runtime.ts';
import { NotFoundError } from '#domain/errors.ts';
import {
  approveModel,
  curateNow,
  getCallView,
  getDatasetVersion,
  getTranscriptView,
  listCallsForReview,
  listDatasetVersions,
  listModels,
  rateCall,
  rollbackModel,
  type ReviewDeps,
} from '#domain/review.ts';
import { bodyLimit, json, jsonBody, principalOf, problemDetails, type HttpEvent, type HttpResult } from './lib/http.ts';
import { callDto, modelDto } from './lib/call-dto.ts';

const logger = new Logger({ serviceName: 'callnotes' });

export const MAX_BODY_BYTES = 64 * 1024;

type Route = (event: HttpEvent, deps: ReviewDeps) => Promise<HttpResult>;

/** HTTP API routes (serverless.yml functions.api.events), keyed by API Gateway's routeKey. */
export const routes: Record<string, Route> = {
  'GET /calls': async (event, deps) => {
    const page = await listCallsForReview(event.queryStringParameters ?? {}, principalOf(event), deps);
    const calls = page.calls.map((call) => {
      const mine = page.myRatings.get(call.callId);
      return { ...callDto(call), myRating: mine ? { score: mine.score, ratedAt: mine.ratedAt } : null };
    });
    return json(200, { calls, nextCursor: page.nextCursor ?? null });
  },
  'GET /calls/{callId}': async (event, deps) => {
    const view = await getCallView(event.pathParameters!.callId!, principalOf(event), deps);
    return json(200, { ...callDto(view.call), ratings: view.ratings, myRating: view.myRating ?? null });
  },
  'POST /calls/{callId}/ratings': async (event, deps) => {
    const rating = await rateCall(event.pathParameters!.callId!, jsonBody(event), principalOf(event), deps);
    return json(rating.version === 1 ? 201 : 200, rating);
  },
  'GET /calls/{callId}/transcript': async (event, deps) => {
    const transcript = await getTranscriptView(event.pathParameters!.callId!, principalOf(event), deps);
    return json(200, { callId: transcript.callId, format: transcript.meta.format, speakerRoles: transcript.meta.speakerRoles, turns: transcript.turns });
  },
  'GET /datasets': async (event, deps) => json(200, { datasets: await listDatasetVersions(principalOf(event), deps) }),
  'GET /datasets/{version}': async (event, deps) => json(200, await getDatasetVersion(event.pathParameters!.version!, principalOf(event), deps)),
  'POST /datasets': async (event, deps) => {
    const result = await curateNow(event.body ? jsonBody(event) : {}, principalOf(event), deps);
    if (result.status === 'empty') return json(200, { status: 'empty', window: result.window, counts: result.counts });
    return json(result.status === 'created' ? 201 : 200, { status: result.status, window: result.window, dataset: result.dataset });
  },
  'GET /models': async (event, deps) => {
    const view = await listModels(principalOf(event), deps);
    return json(200, { line: view.line, champion: view.champion, rollbackTo: view.rollbackTo ?? null, models: view.versions.map(modelDto) });
  },
  'POST /models/{id}/approve': async (event, deps) => json(200, modelDto(await approveModel(event.pathParameters!.id!, principalOf(event), deps))),
  'POST /models/rollback': async (event, deps) => json(200, await rollbackModel(principalOf(event), deps)),
};

export function makeHandler(deps: ReviewDeps) {
  const dispatch = async (event: HttpEvent): Promise<HttpResult> => {
    const route = routes[event.routeKey];
    if (!route) throw new NotFoundError('route', event.routeKey);
    return route(event, deps);
  };
  return middy(dispatch)
    .use(injectLambdaContext(logger))
    .use(httpSecurityHeaders())
    .use(problemDetails({ logger }))
    .use(bodyLimit(MAX_BODY_BYTES));
}

export const handler = makeHandler(buildReviewDeps(loadConfig()));
