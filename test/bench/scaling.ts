import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { longCallBody, makeCallBodies } from './calls.ts';
import { startBenchPipeline, startBenchStack, type PipelineFigures } from './pipeline-run.ts';
import { say, sampleHeap } from './progress.ts';
import { fmt, metric, type BenchOptions, type BenchResult, type Metric } from './types.ts';

const NAME = 'scaling';

interface SizeRun extends PipelineFigures {
  peakRssMB: number;
  peakHeapUsedMB: number;
}

/** One load size in a fresh process, so its RSS peak is its own. */
function sizeInChild(calls: number): Promise<SizeRun> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--size', String(calls)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as SizeRun));
    child.once('exit', (code) => (code ? reject(new Error(`size ${calls} exited ${code}`)) : undefined));
  });
}

async function sizeRun(calls: number): Promise<SizeRun> {
  const heap = sampleHeap();
  const stack = await startBenchStack();
  try {
    const pipeline = await startBenchPipeline(stack);
    await pipeline.run(makeCallBodies(40, 'warm'), `${calls}: warm-up`);
    const figures = await pipeline.run(makeCallBodies(calls, `s${calls}`), `${calls} calls`);
    await pipeline.stop();
    return { ...figures, ...heap.stop() };
  } finally {
    await stack.close();
  }
}

async function longCalls(): Promise<Record<string, unknown>[]> {
  const stack = await startBenchStack();
  try {
    const pipeline = await startBenchPipeline(stack);
    await pipeline.run(makeCallBodies(10, 'warm'), 'warm-up');
    const out = [];
    for (const [label, minutes] of [['10-minute call', 10], ['two-hour call', 120]] as const) {
      const call = longCallBody(`long-${minutes}`, minutes);
      const figures = await pipeline.run([call.body], label, 120_000);
      out.push({ label, minutes, words: call.words, turns: call.turns, bytes: Buffer.byteLength(call.body), ...figures, notesSeconds: figures.seconds });
      say(`${NAME}: ${label}: ${fmt(figures.seconds, 2)} s, ${figures.inputTokens} in / ${figures.outputTokens} out tokens, ${figures.modelCalls} model call(s)`);
    }
    await pipeline.stop();
    return out;
  } finally {
    await stack.close();
  }
}

/** Benchmark 6: throughput, memory and tokens as load grows, and notes time as calls get longer. */
export async function run(options: BenchOptions): Promise<Omit<BenchResult, 'wallMs'>> {
  const sizes = options.quick ? [100, 200, 400] : [500, 1000, 2000];
  const runs: Record<number, SizeRun> = {};
  const metrics: Metric[] = [];
  for (const size of sizes) {
    say(`${NAME}: ${size} calls in a fresh process`);
    const r = await sizeInChild(size);
    runs[size] = r;
    const tokensPerCall = (r.inputTokens + r.outputTokens) / Math.max(1, r.processed);
    metrics.push(
      metric(NAME, `${size} calls: throughput / peak RSS / peak heapUsed`, r.callsPerSecond, '', `${fmt(r.callsPerSecond, 1)} calls/s, ${fmt(r.peakRssMB, 0)} MB, ${fmt(r.peakHeapUsedMB, 0)} MB`),
      metric(NAME, `${size} calls: tokens (in+out, per call)`, r.inputTokens + r.outputTokens, 'tokens', `${r.inputTokens + r.outputTokens} (${fmt(tokensPerCall, 0)}/call)`, { text: `${size} processed`, pass: r.processed === size }),
    );
  }
  const long = await longCalls();
  for (const l of long as any[]) {
    metrics.push(metric(NAME, `${l.label}: notes time end to end / tokens in+out / model calls`, l.notesSeconds, '', `${fmt(l.notesSeconds, 2)} s, ${l.inputTokens}+${l.outputTokens} tokens, ${l.modelCalls} call(s)`, { text: 'processed', pass: l.processed === 1 }));
  }
  return { name: NAME, metrics, details: { sizes: runs, longCalls: long }, notes: ['each load size runs in a fresh process (stack, pipeline and emulators), after a 40-call warm-up'] };
}

if (process.argv[2] === '--size') {
  const result = await sizeRun(Number(process.argv[3]));
  process.send!(result, () => process.exit(0));
}
