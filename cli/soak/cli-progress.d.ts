// More of cli-progress (which ships no types) than cli/eval/cli-progress.d.ts declares: the soak
// and dlq commands move the bar to a value and change its total as a run goes.
declare module 'cli-progress' {
  interface SingleBar {
    update(current: number, payload?: Record<string, unknown>): void;
    setTotal(total: number): void;
  }
}
