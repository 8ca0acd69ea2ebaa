import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { verifyLocalToken, type LocalKeys } from './auth.ts';
import type { ServerlessConfig } from './serverless-config.ts';

export type HttpHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

interface Route {
  method: string;
  path: string;
  pattern: RegExp;
  params: string[];
  functionName: string;
  authorized: boolean;
}

export interface HttpApiOptions {
  host: string;
  port: number;
  config: ServerlessConfig;
  keys: LocalKeys;
  /** Loads a function's handler the first time one of its routes is called. */
  loadHandler: (functionName: string) => Promise<HttpHandler>;
  context: (functionName: string) => Context;
  /** Largest request body accepted before the function sees it (API Gateway's is 10 MB). */
  maxBodyBytes?: number;
  /** Extra non-API handlers (e.g. static files), tried before the 404. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * API Gateway HTTP API, offline: the routes serverless.yml declares under `httpApi` events, a
 * JWT authorizer (jose, against the local signing key), and payload format 2.0 events.
 */
export async function startHttpApi(options: HttpApiOptions): Promise<{ server: Server; port: number }> {
  const routes = declaredRoutes(options.config);
  const server = createServer((req, res) => {
    void handle(req, res).catch((error) => {
      process.stderr.write(`[http api] ${(error as Error).stack}\n`);
      send(res, 500, { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'the local API failed; see its log' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { ok: true }, 'application/json');
    const route = routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    if (!route) {
      if (options.fallback?.(req, res)) return;
      return send(res, 404, { type: 'about:blank', title: 'Not Found', status: 404, detail: `no route for ${req.method} ${url.pathname}` });
    }
    const body = await readBody(req, options.maxBodyBytes ?? 10 * 1024 * 1024);
    if (body === undefined) return send(res, 413, { type: 'about:blank', title: 'Payload Too Large', status: 413, detail: 'request body over 10 MB' });

    let claims: Record<string, string | number | boolean | string[]> | undefined;
    if (route.authorized) {
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!token) return send(res, 401, { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'sign in: send Authorization: Bearer <token> (npm run token -- --agent <id> --role agent|supervisor)' });
      try {
        claims = flattenClaims(await verifyLocalToken(options.keys, token));
      } catch (error) {
        return send(res, 401, { type: 'about:blank', title: 'Unauthorized', status: 401, detail: `invalid token: ${(error as Error).message}` });
      }
    }
    const match = route.pattern.exec(url.pathname)!;
    const pathParameters = Object.fromEntries(route.params.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
    const event = toEvent(req, url, route, pathParameters, body, claims);
    const handler = await options.loadHandler(route.functionName);
    const result = await handler(event, options.context(route.functionName));
    res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>) });
    res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
  }

  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, options.host, resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : options.port };
}

function declaredRoutes(config: ServerlessConfig): Route[] {
  const routes: Route[] = [];
  for (const [functionName, fn] of Object.entries<any>(config.functions ?? {})) {
    for (const event of fn.events ?? []) {
      const http = event.httpApi;
      if (!http) continue;
      const method = String(http.method).toUpperCase();
      const path = String(http.path);
      const params: string[] = [];
      const pattern = new RegExp(`^${path.replace(/\{(\w+)\}/g, (_, name) => (params.push(name), '([^/]+)'))}$`);
      routes.push({ method, path, pattern, params, functionName, authorized: Boolean(http.authorizer) });
    }
  }
  return routes;
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  route: Route,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: Record<string, string | number | boolean | string[]> | undefined,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
  const query = url.searchParams.size ? Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k).join(',')])) : undefined;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: query,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
    body: body.length ? body.toString('utf8') : undefined,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: req.headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: route.method, path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/** API Gateway hands claims to the function as strings; arrays become "[a b]". */
function flattenClaims(payload: Record<string, unknown>): Record<string, string | number | boolean | string[]> {
  return Object.fromEntries(
    Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean)]),
  );
}

/** A request body, or undefined when it is over `limit` bytes (what is over is read and dropped). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/problem+json'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(JSON.stringify(body));
}
