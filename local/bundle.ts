import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import type { ServerlessConfig } from './serverless-config.ts';

/** serverless.yml custom.esbuild as serverless-esbuild hands it to esbuild (paths from the working directory, the service's). */
export function esbuildOptionsFromServerless(custom: Record<string, any>): BuildOptions {
  const o = custom.esbuild ?? {};
  // serverless-esbuild require()s a plugins file relative to the service directory.
  const plugins: Plugin[] | undefined = typeof o.plugins === 'string' ? createRequire(import.meta.url)(resolve(o.plugins)) : o.plugins;
  return {
    bundle: o.bundle ?? true,
    minify: o.minify ?? false,
    keepNames: o.keepNames,
    sourcemap: o.sourcemap ?? false,
    target: o.target,
    platform: o.platform ?? 'node',
    format: o.format,
    mainFields: o.mainFields,
    banner: o.banner,
    alias: o.alias,
    plugins,
    external: o.exclude?.length ? o.exclude : undefined,
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'silent',
  };
}

export interface FunctionBundle {
  file: string;
  bytes: number;
  metafile: Metafile;
}

/** Bundles one function of serverless.yml into `outdir` as `serverless package` would. */
export async function bundleFunction(config: ServerlessConfig, name: string, outdir: string): Promise<FunctionBundle> {
  const handler: string = config.functions[name].handler;
  const entry = resolve(`${handler.slice(0, handler.lastIndexOf('.'))}.ts`);
  const result = await build({ ...esbuildOptionsFromServerless(config.custom), entryPoints: [entry], outdir });
  const output = Object.entries(result.metafile!.outputs).find(([path]) => path.endsWith('.mjs'))!;
  const file = join(outdir, readdirSync(outdir).find((f) => f.endsWith('.mjs'))!);
  return { file, bytes: output[1].bytes, metafile: result.metafile! };
}
