import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../adapters/lambda-credentials.ts';
import { fromEnvSigningName, nodeProvider } from '../../adapters/lambda-tokens.ts';
import { bundleFunction, esbuildOptionsFromServerless } from '../../local/bundle.ts';
import { loadServerlessConfig } from '../../local/serverless-config.ts';

const config = loadServerlessConfig('serverless.yml', { stage: 'test', env: {} });
const outdir = mkdtempSync(join(tmpdir(), 'callnotes-bundle-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const bundles = new Map<string, ReturnType<typeof bundleFunction>>();
/** Each function bundled once for the whole file. */
function bundleOf(name: string): ReturnType<typeof bundleFunction> {
  if (!bundles.has(name)) bundles.set(name, bundleFunction(config, name, join(outdir, name)));
  return bundles.get(name)!;
}

function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  return fn().finally(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });
}

describe('credentials in the Lambda bundles', () => {
  it('reads the role credentials Lambda puts in the environment', async () => {
    const credentials = await withEnv({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' }, () => defaultProvider()());
    expect(credentials).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('says which variables it reads when they are missing', async () => {
    await expect(withEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }, () => defaultProvider()())).rejects.toThrow(/AWS_ACCESS_KEY_ID/);
  });

  it('reads a Bedrock API key from AWS_BEARER_TOKEN_BEDROCK, and has no SSO token chain', async () => {
    await expect(withEnv({ AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key' }, () => fromEnvSigningName({ signingName: 'bedrock' })())).resolves.toEqual({ token: 'bedrock-api-key' });
    await expect(withEnv({ AWS_BEARER_TOKEN_BEDROCK: undefined }, () => fromEnvSigningName({ signingName: 'bedrock' })())).rejects.toThrow(/AWS_BEARER_TOKEN_BEDROCK/);
    await expect(nodeProvider()()).rejects.toThrow(/signs with its role/);
  });

  it.each(Object.keys(config.functions))('%s: the SDK default chain is not bundled, the environment provider is', async (name) => {
    const { metafile } = await bundleOf(name);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((p) => /credential-provider-(node|ini|sso|web-identity|process)\/|token-providers\/|nested-clients\//.test(p))).toEqual([]);
    expect(inputs.some((p) => p.endsWith('adapters/lambda-credentials.ts'))).toBe(true);
  });

  it('an SDK client bundled with these options signs with the environment credentials', async () => {
    const entry = join(outdir, 'client-entry.ts');
    writeFileSync(
      entry,
      `import { DynamoDBClient } from ${JSON.stringify(resolve('node_modules/@aws-sdk/client-dynamodb/dist-es/index.js'))};
       const client = new DynamoDBClient({ region: 'us-west-2' });
       const c = await client.config.credentials();
       process.stdout.write(c.accessKeyId);`,
    );
    await build({ ...esbuildOptionsFromServerless(config.custom), entryPoints: [entry], outdir: join(outdir, 'client'), absWorkingDir: process.cwd() });
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [join(outdir, 'client', 'client-entry.mjs')], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    expect(run({ AWS_ACCESS_KEY_ID: 'AKIDBUNDLED', AWS_SECRET_ACCESS_KEY: 's' }).stdout).toBe('AKIDBUNDLED');
    const missing = run({ HOME: outdir });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/no AWS credentials in the environment/);
  });
});

describe('zod in the Lambda bundles', () => {
  it.each(Object.keys(config.functions))('%s: zod/mini with the English messages only; no classic zod, JSON Schema converter or other locale', async (name) => {
    const { metafile } = await bundleOf(name);
    const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.mjs'))![1];
    const zod = Object.entries(output.inputs).filter(([path, { bytesInOutput }]) => path.includes('node_modules/zod/') && bytesInOutput > 0).map(([path]) => path.replace(/^.*node_modules\/zod\//, ''));
    expect(zod.filter((path) => /^v4\/classic\/|^v3\/|to-json-schema|json-schema-processors|\/locales\/(?!en\.js$)/.test(path))).toEqual([]);
    expect(zod).toContain('v4/mini/schemas.js');
    expect(zod).toContain('v4/locales/en.js');
  });
});
