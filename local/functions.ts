import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerlessConfig } from './serverless-config.ts';

/**
 * Loads a serverless.yml function's handler in this process, the way the Lambda runtime would:
 * its environment first (module-level config is read at import, i.e. at "cold start"), then
 * the module named by `handler: path/file.export`.
 */
export async function loadFunctionHandler<T>(config: ServerlessConfig, name: string, env: Record<string, string>, instance?: number): Promise<T> {
  const fn = config.functions?.[name];
  if (!fn) throw new Error(`serverless.yml declares no function "${name}"`);
  Object.assign(process.env, env);
  const handlerPath: string = fn.handler;
  const dot = handlerPath.lastIndexOf('.');
  const file = resolve(`${handlerPath.slice(0, dot)}.ts`);
  // An instance number loads a module copy of its own (module-level clients, limits and metrics not
  // shared), as each Lambda execution environment has.
  const url = `${pathToFileURL(file).href}${instance === undefined ? '' : `?execution-environment=${instance}`}`;
  const module = (await import(url)) as Record<string, unknown>;
  const handler = module[handlerPath.slice(dot + 1)];
  if (typeof handler !== 'function') throw new Error(`${file} does not export ${handlerPath.slice(dot + 1)}`);
  return handler as T;
}
