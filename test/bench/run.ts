import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { Command } from 'commander';
import { say } from './progress.ts';
import type { BenchOptions, BenchResult } from './types.ts';

const BENCHMARKS = ['throughput', 'quota', 'tokens', 'cold-start', 'curation', 'scaling'] as const;

const program = new Command('npm run bench --')
  .description('callnotes benchmarks: pipeline throughput vs the raw floor, quota efficiency, tokens per call, cold start, curation, scaling. Writes bench/results.json.')
  .option('--quick', 'smaller runs (about 2 minutes)')
  .option('--only <names>', `comma-separated subset of ${BENCHMARKS.join(', ')}`)
  .option('--cpu-prof', 'write V8 CPU profiles of each benchmark process to a temporary directory (printed)')
  .parse();
const opts = program.opts<{ quick?: boolean; only?: string; cpuProf?: boolean }>();
const selected = opts.only ? opts.only.split(',').map((s) => s.trim()) : [...BENCHMARKS];
for (const name of selected) if (!(BENCHMARKS as readonly string[]).includes(name)) program.error(`unknown benchmark "${name}"`);

const options: BenchOptions = { quick: Boolean(opts.quick) };
const profileDir = join(tmpdir(), `callnotes-bench-profiles-${process.pid}`);
if (opts.cpuProf) say(`CPU profiles go to ${profileDir}`);
const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** Each benchmark in its own process: a fresh heap and RSS peak, and no state left by the one before. */
function runBenchmark(name: string): Promise<BenchResult> {
  const execArgv = ['--import', 'tsx', ...(opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
  return new Promise((resolve, reject) => {
    let result: BenchResult | undefined;
    const child = fork(worker, [name, JSON.stringify(options)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m) => (result = m as BenchResult));
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`benchmark ${name} exited with ${code} before reporting`))));
  });
}

const startedAt = new Date();
const started = performance.now();
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}`, loadavgAtStart: loadavg() };
say(`${options.quick ? 'quick' : 'full'} run: ${selected.join(', ')} on ${machine.cpus} CPUs, node ${machine.node}, load ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}`);

const results: BenchResult[] = [];
const failures: { name: string; error: string }[] = [];
for (const name of selected) {
  say(`--- ${name}`);
  try {
    const result = await runBenchmark(name);
    results.push(result);
    say(`${name} done in ${(result.wallMs / 1000).toFixed(1)} s`);
  } catch (error) {
    failures.push({ name, error: (error as Error).message });
    say(`${name} failed: ${(error as Error).message}`);
  }
}

const table = new Table({ head: ['benchmark', 'metric', 'target', 'measured', 'result'], style: { head: [], border: [] }, wordWrap: true, colWidths: [12, 54, 11, 34, 8] });
for (const r of results) {
  // A row without a target is a figure to read beside the others: it says so rather than leaving cells blank.
  for (const m of r.metrics) table.push([m.benchmark, m.metric, m.target || '—', m.measured, m.pass === undefined ? 'info' : m.pass ? 'pass' : 'FAIL']);
}
for (const f of failures) table.push([f.name, 'did not complete', '', f.error, 'FAIL']);
const wallSeconds = (performance.now() - started) / 1000;
process.stdout.write(`${table.toString()}\n`);
for (const r of results) for (const note of r.notes) process.stdout.write(`  ${r.name}: ${note}\n`);
process.stdout.write(`wall time ${wallSeconds.toFixed(0)} s (${options.quick ? 'quick' : 'full'} run); load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

mkdirSync('bench', { recursive: true });
writeFileSync(
  'bench/results.json',
  `${JSON.stringify({ startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), wallSeconds, mode: options.quick ? 'quick' : 'full', machine: { ...machine, loadavgAtEnd: loadavg() }, results, failures }, null, 2)}\n`,
);
say('wrote bench/results.json');
// A missed target is a finding (the table says FAIL); only a benchmark that could not run fails the command.
process.exitCode = failures.length > 0 ? 1 : 0;
