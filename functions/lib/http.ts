import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
} from '#domain/errors.ts';
import type { Principal } from '#domain/ratings.ts';
import { ModelCommandError } from '#domain/refresh/errors.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** One mapping of domain errors to HTTP (RFC 9457 problem details, with the field at fault). */
export function problemFor(error: unknown): { status: number; title: string; detail: string; field?: string } {
  if (error instanceof InvalidInputError) return { status: 400, title: 'Bad Request', detail: error.message, field: error.field };
  if (error instanceof UnauthorizedError) return { status: 401, title: 'Unauthorized', detail: error.message };
  if (error instanceof ForbiddenError) return { status: 403, title: 'Forbidden', detail: error.message };
  if (error instanceof NotFoundError) return { status: 404, title: 'Not Found', detail: error.message };
  if (error instanceof ConflictError || error instanceof ModelCommandError) return { status: 409, title: 'Conflict', detail: error.message };
  if (error instanceof PayloadTooLargeError) return { status: 413, title: 'Payload Too Large', detail: error.message };
  return { status: 500, title: 'Internal Server Error', detail: 'something went wrong on our side; it has been logged' };
}

export interface ProblemDetailsOptions {
  logger?: { error(message: string, extra: { routeKey: string; error: Error }): void };
}

/** Turns any thrown error into application/problem+json; no stack traces leave the function. */
export const problemDetails = (opts: ProblemDetailsOptions = {}): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: async (request) => {
    const problem = problemFor(request.error);
    if (problem.status === 500 || !(request.error instanceof DomainError)) {
      opts.logger?.error('request failed', { routeKey: request.event.routeKey, error: request.error as Error });
    }
    request.response = {
      statusCode: problem.status,
      headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
      body: JSON.stringify({ type: 'about:blank', ...problem, instance: request.event.rawPath }),
    };
  },
});

/** Refuses bodies over the limit before anything parses them. */
export const bodyLimit = (maxBytes: number): MiddlewareObj<HttpEvent, HttpResult> => ({
  before: async (request) => {
    const body = request.event.body;
    if (!body) return;
    const bytes = request.event.isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body);
    if (bytes > maxBytes) throw new PayloadTooLargeError(`request body is ${bytes} bytes; the limit is ${maxBytes}`);
  },
});

export function jsonBody(event: HttpEvent): unknown {
  if (!event.body) throw new InvalidInputError('invalid-body', 'body', 'a JSON body is required');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError('invalid-body', 'body', `body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The caller, from the claims the JWT authorizer verified (API Gateway's when deployed, the local
 * stack's with jose offline). Cognito puts groups in `cognito:groups` and custom attributes under
 * `custom:`; the local token command mints the same claims.
 */
export function principalOf(event: HttpEvent): Principal {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (!claims?.sub) throw new UnauthorizedError('sign in: send Authorization: Bearer <token>');
  const groups = parseGroups(claims['cognito:groups']);
  const role = groups.includes('supervisors') ? 'supervisor' : 'agent';
  const agentId = claims['custom:agent_id'];
  // An agent's calls are found by agent id: a token without one may not stand in for an agent.
  if (role === 'agent' && (typeof agentId !== 'string' || agentId === '')) {
    throw new ForbiddenError('this account has no agent id (custom:agent_id); ask an administrator to set it');
  }
  return { userId: String(claims.sub), agentId: String(agentId ?? claims.sub), role };
}

/** API Gateway flattens array claims to "[a b]"; the local authorizer passes arrays. */
function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
}
