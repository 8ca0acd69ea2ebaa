import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { bundleFunction, esbuildOptionsFromServerless } from '#local/bundle.ts';
import { loadServerlessConfig, type ServerlessConfig } from '#local/serverless-config.ts';
import { say } from './progress.ts';
import { fmt, metric, type BenchOptions, type BenchResult } from './types.ts';

const NAME = 'cold start';

/**
 * The environment a function module reads at load (adapters/config.ts): its serverless.yml
 * variables, with CloudFormation references (resolved only at deploy) as placeholders.
 */
function loadEnv(config: ServerlessConfig, fn: any): Record<string, string> {
  const declared: Record<string, unknown> = { ...(config.provider.environment ?? {}), ...(fn.environment ?? {}) };
  const env: Record<string, string> = { AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', POWERTOOLS_METRICS_DISABLED: 'true' };
  for (const [key, value] of Object.entries(declared)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') env[key] = String(value);
    else if (key.endsWith('_ARN')) env[key] = 'arn:aws:iam::000000000000:role/callnotes-bench';
    else if (key.endsWith('_URL')) env[key] = `https://sqs.us-west-2.amazonaws.com/000000000000/callnotes-bench-${key.toLowerCase()}`;
    // other references are left unset: the module's defaults apply
  }
  return env;
}

/** ms from process start until `import(url)` resolved, in a fresh `node`. */
function importMs(url: string, env: Record<string, string> = {}): number {
  const script = `await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now()));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`importing ${url} failed: ${child.stderr.split('\n').filter((l) => /^\w*Error: /.test(l)).slice(0, 2).join(' | ')}`);
  return Number(child.stdout);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Largest inputs of a bundle by bytes in the output, grouped by package (or project folder). */
function biggestModules(meta: Metafile, top = 12): { module: string; kb: number }[] {
  const out = Object.values(meta.outputs)[0]!;
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = m ? m[1]! : path.split('/').slice(0, 1).join('/');
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top).map(([module, bytes]) => ({ module, kb: Math.round(bytes / 102.4) / 10 }));
}

/** Benchmark 4: bundle each function as serverless.yml does; size, and import time in a fresh node. */
export async function run(options: BenchOptions): Promise<Omit<BenchResult, 'wallMs'>> {
  const runs = options.quick ? 5 : 10;
  const config = loadServerlessConfig('serverless.yml', { stage: 'bench', env: {} });
  const esbuildOptions = esbuildOptionsFromServerless(config.custom);
  const outdir = mkdtempSync(join(tmpdir(), 'callnotes-bench-bundles-'));
  const emptyFile = join(outdir, 'empty.mjs');
  writeFileSync(emptyFile, '');
  const metrics = [];
  const details: Record<string, unknown> = { esbuildOptions: { ...esbuildOptions, metafile: undefined, logLevel: undefined }, runs, node: process.version };
  try {
    // Bundle every function first, then import them in rounds (the empty module and each bundle
    // once a round), so a change in the machine's load over the run weighs on all of them alike.
    const bundles = [];
    for (const [name, fn] of Object.entries<any>(config.functions)) {
      const fnDir = join(outdir, name);
      mkdirSync(fnDir);
      const built = await bundleFunction(config, name, fnDir);
      bundles.push({ name, ...built, url: pathToFileURL(built.file).href, env: loadEnv(config, fn), samples: [] as number[], error: undefined as string | undefined });
    }
    const baselineSamples: number[] = [];
    for (let round = 0; round < runs; round++) {
      baselineSamples.push(importMs(pathToFileURL(emptyFile).href));
      for (const b of bundles) {
        if (b.error) continue;
        try {
          b.samples.push(importMs(b.url, b.env));
        } catch (error) {
          b.error = (error as Error).message;
        }
      }
    }
    const baseline = median(baselineSamples);
    details.baselineMs = baseline;
    say(`${NAME}: empty-process baseline ${fmt(baseline, 1)} ms`);
    for (const { name, bytes, metafile, samples, error } of bundles) {
      const kb = bytes / 1024;
      if (error) {
        say(`${NAME}: ${name}: ${error}`);
        metrics.push(metric(NAME, `${name}: bundle size`, kb, 'KB', fmt(kb, 0)));
        metrics.push(metric(NAME, `${name}: import time`, Number.NaN, '', 'import failed', { text: '<= 200 ms', pass: false }));
        details[name] = { kb, importError: error, biggestModules: biggestModules(metafile) };
        continue;
      }
      const importNet = median(samples) - baseline;
      say(`${NAME}: ${name} ${fmt(kb, 0)} KB, import ${fmt(importNet, 1)} ms`);
      const sizeTarget = name === 'ingest' ? { text: '<= 600 KB', pass: kb <= 600 } : undefined;
      metrics.push(metric(NAME, `${name}: bundle size`, kb, 'KB', fmt(kb, 0), sizeTarget));
      metrics.push(metric(NAME, `${name}: import time (median of ${runs}, minus empty process)`, importNet, 'ms', fmt(importNet, 1), { text: '<= 200 ms', pass: importNet <= 200 }));
      details[name] = { kb, importMsSamples: samples, importMsMedian: median(samples), importMsNet: importNet, biggestModules: biggestModules(metafile) };
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  return {
    name: NAME,
    metrics,
    details,
    notes: [`import time: ${runs} fresh \`node\` processes each, in rounds with the empty module, ${process.version} on this machine (Lambda runs arm64); an empty module imported the same way is subtracted`],
  };
}
