import { availableParallelism } from 'node:os';
import { makeCallBodies } from './calls.ts';
import { eventSourceSettings, runFloor, startBenchPipeline, startBenchStack } from './pipeline-run.ts';
import { say, sampleHeap } from './progress.ts';
import { measureStepCosts } from './step-costs.ts';
import { cpuMsSince, fmt, metric, threadCpuMsSince, type BenchOptions, type BenchResult } from './types.ts';

const NAME = 'throughput';


/**
 * Benchmark 1: mixed-format calls through local SQS -> ingest (embedded model, no injected latency)
 * -> DynamoDB, against the raw floor (receive + delete + one write a message) measured in the same
 * process, on the same stack, before and after the pipeline run (their spread is the noise).
 */
export async function run(options: BenchOptions): Promise<Omit<BenchResult, 'wallMs'>> {
  const calls = options.quick ? 300 : 2000;
  // The floor and the pipeline get the same warm-up, so neither run pays for the JIT's first
  // compilations inside its measured window (40 calls left the pipeline ~1 ms a call of that).
  const warmUp = options.quick ? 100 : 500;
  const heap = sampleHeap();
  const stack = await startBenchStack();
  try {
    const settings = eventSourceSettings(stack);
    say(`${NAME}: ${calls} calls; event source batchSize ${settings.batchSize}, ${settings.maximumConcurrency} pollers, window ${settings.maximumBatchingWindowSeconds}s`);
    await runFloor(stack, makeCallBodies(warmUp, 'floor-warm'), 'floor warm-up');
    const floorCpu = process.cpuUsage();
    const floorBefore = await runFloor(stack, makeCallBodies(calls, 'floor-a'), 'floor (before)');
    const floorCpuMs = cpuMsSince(floorCpu) / calls;
    say(`${NAME}: floor ${fmt(floorBefore.callsPerSecond, 1)} msg/s`);

    const pipeline = await startBenchPipeline(stack);
    await pipeline.run(makeCallBodies(warmUp, 'warm'), 'pipeline warm-up');
    const pipelineCpu = process.cpuUsage();
    const mainThreadCpu = process.threadCpuUsage();
    const figures = await pipeline.run(makeCallBodies(calls, 'tp'), 'pipeline');
    const pipelineCpuMs = cpuMsSince(pipelineCpu) / calls;
    const mainThreadCpuMs = threadCpuMsSince(mainThreadCpu) / calls;
    await pipeline.stop();
    say(`${NAME}: pipeline ${fmt(figures.callsPerSecond, 1)} calls/s`);

    const floorAfter = await runFloor(stack, makeCallBodies(calls, 'floor-b'), 'floor (after)');
    const floor = (floorBefore.callsPerSecond + floorAfter.callsPerSecond) / 2;
    const ratio = figures.callsPerSecond / floor;
    const floorNoise = Math.abs(floorBefore.callsPerSecond - floorAfter.callsPerSecond) / floor;
    say(`${NAME}: CPU of each step of a call, on its own`);
    const steps = await measureStepCosts(stack, options.quick ? 200 : 500);
    const stepTotal = steps.reduce((sum, s) => sum + s.cpuMs, 0);
    const memory = heap.stop();
    const valid = figures.processed === calls && figures.deadLettered === 0 && figures.missing === 0;
    return {
      name: NAME,
      metrics: [
        metric(NAME, `pipeline throughput (${calls} mixed calls)`, figures.callsPerSecond, 'calls/s', fmt(figures.callsPerSecond, 1)),
        metric(NAME, 'raw floor (receive+delete+1 write)', floor, 'msg/s', `${fmt(floor, 1)} ±${fmt(floorNoise * 50, 0)}%`),
        metric(NAME, 'pipeline / floor', ratio, '', fmt(ratio, 3), { text: '>= 0.5', pass: ratio >= 0.5 }),
        metric(NAME, 'CPU per message, all threads: pipeline / floor', pipelineCpuMs, 'ms', `${fmt(pipelineCpuMs, 1)} / ${fmt(floorCpuMs, 1)}`),
        ...(figures.functionCpuMsPerCall !== undefined
          ? [metric(NAME, 'CPU per call in the pipeline: function thread (SDK clients, our code) / main thread (emulators, event source) / other threads (GC, file I/O)', figures.functionCpuMsPerCall, 'ms', `${fmt(figures.functionCpuMsPerCall, 1)} / ${fmt(mainThreadCpuMs, 1)} / ${fmt(pipelineCpuMs - figures.functionCpuMsPerCall - mainThreadCpuMs, 1)}`)]
          : []),
        metric(NAME, 'CPU per call by step, client + emulator (one thread)', stepTotal, 'ms', `${steps.map((s) => `${s.step} ${fmt(s.cpuMs, 2)}`).join('; ')}; total ${fmt(stepTotal, 1)}`),
        metric(NAME, 'calls processed (valid notes stored)', figures.processed, `of ${calls}`, String(figures.processed), { text: `${calls}`, pass: valid }),
      ],
      details: { calls, eventSource: settings, floorBefore, floorAfter, floorMean: floor, floorNoise, pipeline: figures, ratio, cpuMsPerMessage: { pipeline: pipelineCpuMs, floor: floorCpuMs, pipelineMainThread: mainThreadCpuMs, pipelineFunctionThread: figures.functionCpuMsPerCall }, stepCpuMs: steps, memory },
      notes: [
        `CPU busy during the runs (of ${availableParallelism()} cores): pipeline ${fmt((pipelineCpuMs * figures.callsPerSecond) / 1000, 2)}, floor ${fmt((floorCpuMs * floorBefore.callsPerSecond) / 1000, 2)}`
          + `; of the pipeline run's wall time, the main thread (emulators) was on a CPU ${fmt((mainThreadCpuMs * figures.callsPerSecond) / 10, 0)}%`
          + (figures.functionThreadBusy !== undefined ? `, the function's thread ${fmt(figures.functionThreadBusy * 100, 0)}%` : ''),
        `floor measured before and after the pipeline run: ${fmt(floorBefore.callsPerSecond, 1)} and ${fmt(floorAfter.callsPerSecond, 1)} msg/s (spread ${fmt(floorNoise * 100, 0)}%)`,
      ],
    };
  } finally {
    await stack.close();
  }
}
