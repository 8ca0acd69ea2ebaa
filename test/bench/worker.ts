import type { BenchOptions, BenchResult } from './types.ts';

/** One benchmark in a process of its own (fresh heap, its own RSS peak): `worker.ts <name> <options JSON>`. */
const [name, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? '{}') as BenchOptions;
const started = performance.now();
const module = (await import(`./${name}.ts`)) as { run(options: BenchOptions): Promise<Omit<BenchResult, 'wallMs'>> };
const result: BenchResult = { ...(await module.run(options)), wallMs: performance.now() - started };
process.send!(result, () => process.exit(0));
