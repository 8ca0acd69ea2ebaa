import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildOptionsFromServerless } from '../../local/bundle.ts';
import { loadServerlessConfig } from '../../local/serverless-config.ts';

const plugins = createRequire(import.meta.url)('../../scripts/esbuild-plugins.cjs') as Plugin[] & { literalSchemaKeys(source: string): string };
const outdir = mkdtempSync(join(tmpdir(), 'callnotes-esbuild-plugins-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Every export of a bundled module, with the schemas' thunks shown as their source. */
async function exportsOf(entry: string, name: string, withPlugins: boolean): Promise<string> {
  const file = join(outdir, `${name}-${withPlugins ? 'plugins' : 'plain'}.mjs`);
  await build({ entryPoints: [entry], outfile: file, bundle: true, format: 'esm', platform: 'node', logLevel: 'silent', plugins: withPlugins ? plugins : [] });
  const module = await import(pathToFileURL(file).href);
  return JSON.stringify(module, (_key, value) => (typeof value === 'function' ? `fn:${value.toString()}` : value));
}

describe('the SDK schema tables with literal trait keys', () => {
  it('rewrites computed keys of string constants only', () => {
    const source = ['const _h = "http";', 'const _e = "error";', 'const n0 = "com.example";', 'export var A$ = [9, n0, "A", { [_h]: ["GET", "/", 200], [_e]: _h, [other]: 1 }, () => B$];'].join('\n');
    expect(plugins.literalSchemaKeys(source)).toContain('{ "http": ["GET", "/", 200], "error": _h, [other]: 1 }');
  });

  it.each(['client-s3', 'client-dynamodb', 'client-sqs', 'client-bedrock-runtime', 'client-bedrock'])(
    '@aws-sdk/%s: no computed key is left in its schema tables',
    (client) => {
      const source = readFileSync(resolve(`node_modules/@aws-sdk/${client}/dist-es/schemas/schemas_0.js`), 'utf8');
      expect(source).toMatch(/\[_\w+\]:/);
      expect(plugins.literalSchemaKeys(source).match(/\[_\w+\]:/g) ?? []).toEqual([]);
    },
  );

  it('never writes a "__proto__" key, which would set the prototype instead', () => {
    const source = ['const _p = "__proto__";', 'export var A$ = [3, "n", "A", { [_p]: 1 }];'].join('\n');
    expect(plugins.literalSchemaKeys(source)).toBe(source);
  });

  it.each(['client-s3', 'client-dynamodb', 'client-sqs', 'client-bedrock-runtime', 'client-bedrock'])(
    '@aws-sdk/%s: the same schemas, export for export',
    async (client) => {
      const entry = resolve(`node_modules/@aws-sdk/${client}/dist-es/schemas/schemas_0.js`);
      const [plain, rewritten] = await Promise.all([exportsOf(entry, client, false), exportsOf(entry, client, true)]);
      expect(rewritten.length).toBeGreaterThan(1000);
      expect(rewritten).toBe(plain);
    },
  );

  it('lets esbuild drop the tables of operations a bundle never sends', async () => {
    const entry = join(outdir, 'put-object.ts');
    writeFileSync(entry, `export { PutObjectCommand } from ${JSON.stringify(resolve('node_modules/@aws-sdk/client-s3/dist-es/index.js'))};`);
    const sizes = await Promise.all([false, true].map(async (withPlugins) => {
      const result = await build({ entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'node', minify: true, logLevel: 'silent', plugins: withPlugins ? plugins : [] });
      const text = result.outputFiles[0]!.text;
      return { bytes: text.length, listObjects: text.includes('ListObjectsV2Request') };
    }));
    expect(sizes[0]!.listObjects).toBe(true);
    expect(sizes[1]!.listObjects).toBe(false);
    expect(sizes[1]!.bytes).toBeLessThan(sizes[0]!.bytes - 40_000);
  });

  it('bundles only the name and version of an SDK package.json, and the user agent still names the version', async () => {
    const entry = join(outdir, 'user-agent.ts');
    writeFileSync(
      entry,
      `import { S3Client } from ${JSON.stringify(resolve('node_modules/@aws-sdk/client-s3/dist-es/index.js'))};
       const client = new S3Client({ region: 'us-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
       process.stdout.write(JSON.stringify(await client.config.defaultUserAgentProvider()));`,
    );
    // As serverless.yml bundles a function (its plugins are these).
    await build({ ...esbuildOptionsFromServerless(loadServerlessConfig('serverless.yml', { stage: 'test', env: {} }).custom), entryPoints: [entry], outdir: join(outdir, 'ua'), absWorkingDir: process.cwd() });
    const file = join(outdir, 'ua', 'user-agent.mjs');
    const { version, description } = JSON.parse(readFileSync('node_modules/@aws-sdk/client-s3/package.json', 'utf8'));
    expect(readFileSync(file, 'utf8')).not.toContain(description);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toContainEqual(['aws-sdk-js', version]);
  });
});
