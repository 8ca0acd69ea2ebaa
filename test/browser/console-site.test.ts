import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalKeys, readLocalKeys, verifyLocalToken } from '#local/auth.ts';
import { createConsoleSite } from '#local/console-site.ts';

/** local/console-site.ts without a browser: the page, config.json, the local token endpoint. */
describe('Module: local console site', () => {
  let server: Server;
  let base: string;
  let dir: string;
  let keyFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callnotes-site-'));
    const dist = join(dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dist, 'assets', 'index-abc.js'), 'export {};');
    writeFileSync(join(dir, 'secret.txt'), 'not served');
    keyFile = join(dir, 'local-jwt.json');
    await createLocalKeys(keyFile);
    const site = createConsoleSite({ distDir: dist, build: 'never' });
    site.attach({ auth: { keyFile } });
    // The same contract as local/http-api.ts: the site answers, or the API's 404 follows.
    server = createServer((req, res) => {
      if (!site.handle(req, res)) res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"status":404}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page with a strict content security policy, and hashed assets as immutable', async () => {
    const page = await fetch(`${base}/`);
    const asset = await fetch(`${base}/assets/index-abc.js`);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'; style-src 'self'/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/unsafe/);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
  });

  it('says it is the local stack in config.json', async () => {
    expect(await (await fetch(`${base}/config.json`)).json()).toEqual({ mode: 'local' });
  });

  it('leaves unknown paths and paths outside the build to the API’s 404', async () => {
    const unknown = await fetch(`${base}/datasets`);
    const outside = await fetch(`${base}/..%2Fsecret.txt`);

    expect(unknown.status).toBe(404);
    expect(outside.status).toBe(404);
  });

  it('mints a token with the claims the API reads', async () => {
    const response = await fetch(`${base}/_local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agentId: 'agent-7', role: 'supervisor' }) });
    const body = (await response.json()) as { token: string };

    const claims = await verifyLocalToken(readLocalKeys(keyFile), body.token);

    expect(response.status).toBe(200);
    expect(claims).toMatchObject({ 'custom:agent_id': 'agent-7', 'cognito:groups': ['supervisors'] });
  });

  it('refuses a bad token request with the field at fault, and anything but JSON', async () => {
    const post = (body: string, type = 'application/json') => fetch(`${base}/_local/token`, { method: 'POST', headers: { 'content-type': type }, body });

    const role = await post(JSON.stringify({ agentId: 'agent-7', role: 'admin' }));
    const agent = await post(JSON.stringify({ agentId: 'a b', role: 'agent' }));
    const form = await post('agentId=a&role=agent', 'application/x-www-form-urlencoded');
    const get = await fetch(`${base}/_local/token`);

    expect(await role.json()).toMatchObject({ status: 400, field: 'role' });
    expect(await agent.json()).toMatchObject({ status: 400, field: 'agentId' });
    expect(form.status).toBe(415);
    expect(get.status).toBe(405);
  });
});

describe('Typecheck: console/', () => {
  it('type-checks the console with its own tsconfig (DOM, bundler resolution)', async () => {
    const run = promisify(execFile);

    const result = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'console'], { timeout: 90_000 }).then(
      () => ({ ok: true, output: '' }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );

    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  }, 90_000);
});
