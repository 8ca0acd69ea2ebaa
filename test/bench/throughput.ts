import { availableParallelism } from 'node:os';
import { makeCallBodies } from './calls.ts';
import { eventSourceSettings, runFloor, startBenchPipeline, startBenchStack, type PipelineFigures, type RunFigures } from './pipeline-run.ts';
import { say, sampleHeap } from './progress.ts';
import { measureStepCosts, type StepCost } from './step-costs.ts';
import { cpuMsSince, fmt, metric, threadCpuMsSince, type BenchOptions, type BenchResult } from './types.ts';

const NAME = 'throughput';

interface Round {
  figures: PipelineFigures;
  /** CPU per call: all threads, and the main thread alone (emulators, event source). */
  cpuMs: number;
  mainThreadCpuMs: number;
  /** Mean of the floors run just before and just after, their spread, and their CPU per message. */
  floor: number;
  floorNoise: number;
  floorCpuMs: number;
  ratio: number;
}

/**
 * Benchmark 1: mixed-format calls through local SQS -> ingest (embedded model, no injected latency)
 * -> DynamoDB, against the raw floor (receive + delete + one write a message) measured in the same
 * process, on the same stack, before and after each pipeline run (their spread is the noise).
 */
export async function run(options: BenchOptions): Promise<Omit<BenchResult, 'wallMs'>> {
  const calls = options.quick ? 300 : 2000;
  // The floor and the pipeline get the same warm-up, so neither run pays for the JIT's first
  // compilations inside its measured window (40 calls left the pipeline ~1 ms a call of that).
  const warmUp = options.quick ? 100 : 500;
  // Floor and pipeline runs alternate (floor, pipeline, floor, ...); each pipeline run is compared
  // with the floors on either side of it, and the median round is reported, so one run caught by
  // the machine's noise does not make the figure.
  const rounds = options.quick ? 1 : 3;
  const heap = sampleHeap();
  const stack = await startBenchStack();
  try {
    const settings = eventSourceSettings(stack);
    say(`${NAME}: ${calls} calls, ${rounds} round(s) of floor then pipeline; event source batchSize ${settings.batchSize}, ${settings.maximumConcurrency} pollers, window ${settings.maximumBatchingWindowSeconds}s`);
    await runFloor(stack, makeCallBodies(warmUp, 'floor-warm'), 'floor warm-up');
    const floors: { figures: RunFigures; cpuMs: number }[] = [];
    const measureFloor = async () => {
      const cpu = process.cpuUsage();
      const figures = await runFloor(stack, makeCallBodies(calls, `floor-${floors.length}-`), `floor ${floors.length + 1}`);
      floors.push({ figures, cpuMs: cpuMsSince(cpu) / calls });
      say(`${NAME}: floor ${fmt(figures.callsPerSecond, 1)} msg/s`);
    };
    await measureFloor();
    const runs: Round[] = [];
    for (let r = 0; r < rounds; r += 1) {
      // A fresh function worker each round (the floor needs the queue to itself), warmed up as the floor was.
      const pipeline = await startBenchPipeline(stack);
      let measured;
      try {
        await pipeline.run(makeCallBodies(warmUp, `warm-${r}-`), `pipeline ${r + 1} warm-up`);
        const cpu = process.cpuUsage();
        const mainThreadCpu = process.threadCpuUsage();
        const figures = await pipeline.run(makeCallBodies(calls, `tp-${r}-`), `pipeline ${r + 1}`);
        measured = { figures, cpuMs: cpuMsSince(cpu) / calls, mainThreadCpuMs: threadCpuMsSince(mainThreadCpu) / calls };
      } finally {
        await pipeline.stop();
      }
      say(`${NAME}: pipeline ${fmt(measured.figures.callsPerSecond, 1)} calls/s`);
      await measureFloor();
      const [before, after] = [floors[r]!, floors[r + 1]!];
      const floor = (before.figures.callsPerSecond + after.figures.callsPerSecond) / 2;
      runs.push({ ...measured, floor, floorNoise: Math.abs(before.figures.callsPerSecond - after.figures.callsPerSecond) / floor, floorCpuMs: (before.cpuMs + after.cpuMs) / 2, ratio: measured.figures.callsPerSecond / floor });
    }
    const median = [...runs].sort((a, b) => a.ratio - b.ratio)[Math.floor(runs.length / 2)]!;
    const { figures, floor, floorNoise, ratio, cpuMs: pipelineCpuMs, mainThreadCpuMs, floorCpuMs } = median;
    say(`${NAME}: CPU of each step of a call, on its own`);
    const steps = await measureStepCosts(stack, options.quick ? 200 : 500);
    const stepTotal = steps.reduce((sum, s) => sum + s.cpuMs, 0);
    const byKind = (kind: StepCost['kind']) => steps.filter((s) => s.kind === kind).reduce((sum, s) => sum + s.cpuMs, 0);
    const memory = heap.stop();
    const valid = runs.every((run) => run.figures.processed === calls && run.figures.deadLettered === 0 && run.figures.missing === 0);
    const ofRounds = rounds > 1 ? ` (median of ${rounds} rounds)` : '';
    return {
      name: NAME,
      metrics: [
        metric(NAME, `pipeline throughput (${calls} mixed calls)${rounds > 1 ? ' (the median round)' : ''}`, figures.callsPerSecond, 'calls/s', fmt(figures.callsPerSecond, 1)),
        metric(NAME, 'raw floor (receive+delete+1 write), before and after that run', floor, 'msg/s', `${fmt(floor, 1)} ±${fmt(floorNoise * 50, 0)}%`),
        metric(NAME, `pipeline / floor${ofRounds}`, ratio, '', rounds > 1 ? `${fmt(ratio, 3)} (rounds: ${runs.map((run) => fmt(run.ratio, 3)).join(', ')})` : fmt(ratio, 3), { text: '>= 0.5', pass: ratio >= 0.5 }),
        metric(NAME, 'CPU per message, all threads: pipeline / floor', pipelineCpuMs, 'ms', `${fmt(pipelineCpuMs, 1)} / ${fmt(floorCpuMs, 1)}`),
        ...(figures.functionCpuMsPerCall !== undefined
          ? [metric(NAME, 'CPU per call in the pipeline: function thread (SDK clients, our code) / main thread (emulators, event source) / other threads (GC, file I/O)', figures.functionCpuMsPerCall, 'ms', `${fmt(figures.functionCpuMsPerCall, 1)} / ${fmt(mainThreadCpuMs, 1)} / ${fmt(pipelineCpuMs - figures.functionCpuMsPerCall - mainThreadCpuMs, 1)}`)]
          : []),
        metric(NAME, 'CPU per call by step, client + emulator (one thread)', stepTotal, 'ms', `${steps.map((s) => `${s.step} ${fmt(s.cpuMs, 2)}`).join('; ')}; total ${fmt(stepTotal, 1)}`),
        metric(NAME, 'of those steps: requests to AWS (SDK client, adapter, emulator) / our code / embedded model', byKind('request'), 'ms', `${fmt(byKind('request'), 1)} / ${fmt(byKind('ours'), 1)} / ${fmt(byKind('model'), 1)} (requests ${fmt((100 * byKind('request')) / stepTotal, 0)}%)`),
        metric(NAME, `calls processed (valid notes stored)${rounds > 1 ? ', each round' : ''}`, Math.min(...runs.map((run) => run.figures.processed)), `of ${calls}`, runs.map((run) => run.figures.processed).join(' / '), { text: `${calls}`, pass: valid }),
      ],
      details: { calls, warmUp, eventSource: settings, floors, rounds: runs, median: { ratio, floor, floorNoise, pipeline: figures }, cpuMsPerMessage: { pipeline: pipelineCpuMs, floor: floorCpuMs, pipelineMainThread: mainThreadCpuMs, pipelineFunctionThread: figures.functionCpuMsPerCall }, stepCpuMs: steps, memory },
      notes: [
        `CPU busy during the runs (of ${availableParallelism()} cores): pipeline ${fmt((pipelineCpuMs * figures.callsPerSecond) / 1000, 2)}, floor ${fmt((floorCpuMs * floor) / 1000, 2)}`
          + `; of the median pipeline run's wall time, the main thread (emulators) was on a CPU ${fmt((mainThreadCpuMs * figures.callsPerSecond) / 10, 0)}%`
          + (figures.functionThreadBusy !== undefined ? `, the function's thread ${fmt(figures.functionThreadBusy * 100, 0)}%` : ''),
        `floor runs, in order around the pipeline runs: ${floors.map((f) => fmt(f.figures.callsPerSecond, 1)).join(', ')} msg/s; pipeline runs: ${runs.map((run) => fmt(run.figures.callsPerSecond, 1)).join(', ')} calls/s`,
      ],
    };
  } finally {
    await stack.close();
  }
}
