/** Progress on stderr: periodic lines, so it reads the same in a terminal, a pipe or a CI log. */
export function say(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** Calls `report` every `everyMs` until the returned stop function is called. */
export function every(everyMs: number, report: () => void): () => void {
  const timer = setInterval(report, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Peak heapUsed sampled while it runs (RSS peak comes from process.resourceUsage().maxRSS). */
export function sampleHeap(everyMs = 100): { stop(): { peakHeapUsedMB: number; peakRssMB: number } } {
  let peakHeap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      return { peakHeapUsedMB: peakHeap / 2 ** 20, peakRssMB: process.resourceUsage().maxRSS / 1024 };
    },
  };
}
