/** One row of the benchmark table (and of bench/results.json). */
export interface Metric {
  benchmark: string;
  metric: string;
  /** What the issue asks for, as shown (e.g. ">= 0.5"); empty for figures reported without a target. */
  target: string;
  /** The figure, as shown. */
  measured: string;
  /** Raw value for results.json. */
  value: number;
  unit: string;
  /** undefined when the row has no target. */
  pass?: boolean;
}

export interface BenchOptions {
  quick: boolean;
  /** Write a V8 CPU profile of the pipeline runs into this directory. */
  cpuProfDir?: string;
}

/** What one benchmark module hands back: its table rows and every figure it measured. */
export interface BenchResult {
  name: string;
  metrics: Metric[];
  details: Record<string, unknown>;
  notes: string[];
  wallMs: number;
}

/** CPU time of this process (every thread: emulators, event source, function workers) since `start`, in ms. */
export const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
};

/** CPU time of the calling thread alone since `start` (process.threadCpuUsage), in ms. */
export const threadCpuMsSince = (start: NodeJS.CpuUsage): number => {
  const { user, system } = process.threadCpuUsage(start);
  return (user + system) / 1000;
};

export const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : String(value));

export function metric(benchmark: string, name: string, value: number, unit: string, shown: string, target?: { text: string; pass: boolean }): Metric {
  return { benchmark, metric: name, target: target?.text ?? '', measured: unit ? `${shown} ${unit}` : shown, value, unit, pass: target?.pass };
}
