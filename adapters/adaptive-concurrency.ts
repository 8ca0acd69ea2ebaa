/**
 * A concurrency limit that adapts to throttling, per container: additive increase after
 * successes, multiplicative decrease on a throttle (AIMD, as TCP does). A burst then slows the
 * container down instead of burning messages' receive counts on throttling errors.
 */
export interface AdaptiveConcurrencyOptions {
  initial?: number;
  min?: number;
  max?: number;
  /** Factor applied to the limit on a throttle. */
  decrease?: number;
}

export class AdaptiveConcurrency {
  #limit: number;
  #inflight = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #min: number;
  readonly #max: number;
  readonly #decrease: number;

  constructor(options: AdaptiveConcurrencyOptions = {}) {
    this.#min = options.min ?? 1;
    this.#max = options.max ?? 32;
    this.#decrease = options.decrease ?? 0.5;
    this.#limit = Math.min(this.#max, Math.max(this.#min, options.initial ?? 4));
  }

  get limit(): number {
    return Math.floor(this.#limit);
  }

  get inflight(): number {
    return this.#inflight;
  }

  /**
   * Runs fn when a slot is free; `throttled(error)` says whether its failure was a throttle. Waiting
   * for a slot ends at `deadline` (epoch ms) with `expired()`'s error.
   */
  async run<T>(fn: () => Promise<T>, throttled: (error: unknown) => boolean, deadline = Number.POSITIVE_INFINITY, expired: () => Error = () => new Error('no slot before the deadline')): Promise<T> {
    while (this.#inflight >= this.limit) {
      const left = deadline - Date.now();
      if (left <= 0) throw expired();
      await new Promise<void>((wake) => {
        const timer = Number.isFinite(left) ? setTimeout(done, left) : undefined;
        function done() {
          clearTimeout(timer);
          wake();
        }
        this.#waiting.push(done);
      });
    }
    this.#inflight++;
    try {
      const result = await fn();
      this.#limit = Math.min(this.#max, this.#limit + 1 / this.#limit);
      return result;
    } catch (error) {
      if (throttled(error)) this.#limit = Math.max(this.#min, this.#limit * this.#decrease);
      throw error;
    } finally {
      this.#inflight--;
      this.#waiting.splice(0, Math.max(0, this.limit - this.#inflight)).forEach((wake) => wake());
    }
  }
}
