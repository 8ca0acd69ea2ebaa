import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { mintLocalToken, readLocalKeys, type LocalKeys } from './auth.ts';
import { readBody } from './http-api.ts';

/**
 * The agent review console (console/) served from the local HTTP API's port, through the
 * `fallback` hook of local/http-api.ts (StartOptions.staticSite): paths that are no API route.
 * Also the local stand-in for the Cognito hosted UI: POST /_local/token mints a token with the
 * stack's signing key. Only the local stack serves this file; nothing here is deployed.
 */
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CONSOLE_DIR = join(REPO_ROOT, 'console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');

/** What the console is built from: a newer one of these means the build is stale. */
const SOURCES = [join(CONSOLE_DIR, 'index.html'), join(CONSOLE_DIR, 'vite.config.ts'), join(CONSOLE_DIR, 'src'), join(REPO_ROOT, 'domain', 'notes.ts'), join(REPO_ROOT, 'domain', 'ratings.ts')];

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

const TokenRequestSchema = z
  .object({
    agentId: z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/, 'agentId: 1-128 letters, digits, ".", "_", "@" or "-"'),
    role: z.enum(['agent', 'supervisor'], { error: 'role must be "agent" or "supervisor"' }),
  })
  .strict();

const TOKEN_TTL_SECONDS = 8 * 3600;

export interface ConsoleSiteOptions {
  /** Built console to serve (default console/dist). */
  distDir?: string;
  /**
   * 'if-stale' (default): the first page request after the sources changed rebuilds the console
   * (a few seconds), so `npm start` always serves the current page and `--once` pays nothing.
   * 'never': serve distDir as it is (tests build it themselves).
   */
  build?: 'if-stale' | 'never';
  /** Where sign-in offers agent ids from (the sample calls). */
  samplesDir?: string;
  log?: (line: string) => void;
}

export interface ConsoleSite {
  /** The StartOptions.staticSite hook: true when it answered the request. */
  handle: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Gives the site the stack's signing key file, once the stack has made it. */
  attach: (stack: { auth: { keyFile: string } }) => void;
}

export function createConsoleSite(options: ConsoleSiteOptions = {}): ConsoleSite {
  const distDir = resolve(options.distDir ?? CONSOLE_DIST);
  const mode = options.build ?? 'if-stale';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let keyFile: string | undefined;
  let keys: LocalKeys | undefined;
  let building: Promise<void> | undefined;

  const ensureBuilt = (): Promise<void> => {
    if (mode === 'never' || !consoleNeedsBuild(distDir)) return building ?? Promise.resolve();
    building ??= (async () => {
      log(`console: building ${relative(process.cwd(), CONSOLE_DIR) || 'console'}/ into ${relative(process.cwd(), distDir) || distDir} …`);
      const started = Date.now();
      await buildConsole({ outDir: distDir });
      log(`console: built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    })().finally(() => {
      building = undefined;
    });
    return building;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/_local/token') {
      if (req.method !== 'POST') return sendProblem(res, 405, 'Method Not Allowed', 'POST {"agentId", "role"} to get a local token'), true;
      void mintToken(req, res).catch((error: Error) => sendProblem(res, 500, 'Internal Server Error', error.message));
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/_local/identities') return sendJson(res, 200, { agents: sampleAgents(options.samplesDir ?? join(REPO_ROOT, 'events', 'calls')) }), true;
    if (path === '/config.json') return sendJson(res, 200, { mode: 'local' }), true;
    if (path === '/' || path === '/index.html') {
      ensureBuilt().then(
        () => serveFile(req, res, join(distDir, 'index.html')),
        (error: Error) => {
          log(`console: build failed: ${error.message}`);
          sendProblem(res, 500, 'Console build failed', `${error.message} (run \`npm run build:console\` to see why)`);
        },
      );
      return true;
    }
    const file = resolve(distDir, `.${decodeURIComponent(path)}`);
    if (!file.startsWith(distDir + sep) || !isFile(file)) return false;
    serveFile(req, res, file);
    return true;
  };

  async function mintToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!keyFile) return sendProblem(res, 503, 'Service Unavailable', 'the local stack is still starting');
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return sendProblem(res, 415, 'Unsupported Media Type', 'send Content-Type: application/json');
    const body = (await readBody(req, 4096))?.toString('utf8');
    if (body === undefined) return sendProblem(res, 413, 'Payload Too Large', 'a token request is at most 4 KB');
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return sendProblem(res, 400, 'Bad Request', 'body is not valid JSON', 'body');
    }
    const parsed = TokenRequestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return sendProblem(res, 400, 'Bad Request', issue.message, issue.path.join('.') || 'body');
    }
    keys ??= readLocalKeys(keyFile);
    const token = await mintLocalToken(keys, { ...parsed.data, ttlSeconds: TOKEN_TTL_SECONDS });
    sendJson(res, 200, { token, tokenType: 'Bearer', expiresIn: TOKEN_TTL_SECONDS });
  }

  return {
    handle,
    attach: (stack) => {
      keyFile = stack.auth.keyFile;
      keys = undefined;
    },
  };
}

/** Builds the console with Vite (console/vite.config.ts) into outDir; warnings only, on stderr. */
export async function buildConsole(options: { outDir?: string; logLevel?: 'silent' | 'error' | 'warn' | 'info' } = {}): Promise<string> {
  const outDir = resolve(options.outDir ?? CONSOLE_DIST);
  const { build } = await import('vite');
  await build({ configFile: join(CONSOLE_DIR, 'vite.config.ts'), logLevel: options.logLevel ?? 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** True when distDir has no build, or one older than a console source file. */
export function consoleNeedsBuild(distDir: string = CONSOLE_DIST): boolean {
  const index = join(distDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((source) => newestMtime(source) > built);
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

let agentsCache: string[] | undefined;
function sampleAgents(dir: string): string[] {
  if (agentsCache) return agentsCache;
  const agents = new Set<string>();
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    if (!name.endsWith('.json')) continue;
    try {
      const agentId = (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { agentId?: unknown }).agentId;
      if (typeof agentId === 'string') agents.add(agentId);
    } catch {
      // not a call message: skip it
    }
  }
  return (agentsCache = [...agents].sort());
}

function serveFile(req: IncomingMessage, res: ServerResponse, file: string): void {
  if (!isFile(file)) return sendProblem(res, 404, 'Not Found', 'the console is not built: run `npm run build:console`');
  const hashed = /[\\/]assets[\\/]/.test(file);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
    // Hashed asset names change with their content; the page itself is always revalidated.
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS }).end(JSON.stringify(body));
}

function sendProblem(res: ServerResponse, status: number, title: string, detail: string, field?: string): void {
  res
    .writeHead(status, { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...SECURITY_HEADERS })
    .end(JSON.stringify({ type: 'about:blank', title, status, detail, ...(field ? { field } : {}) }));
}
