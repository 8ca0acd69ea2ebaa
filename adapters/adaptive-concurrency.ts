/**
 * A concurrency limit that adapts to throttling, per container: additive increase after
 * successes, multiplicative decrease on a throttle (AIMD, as TCP does). A burst then slows the
 * container down instead of burning messages' receive counts on throttling errors.
 *
 * A throttle also pauses the starts: no call starts for `pauseMs` (doubled for each throttle in a
 * row, up to `maxPauseMs`, jittered), and the first success ends the doubling. Without the pause,
 * the slot a throttled call frees goes at once to the next waiting call, which meets the same
 * exhausted quota: a backlog then costs a throttle per waiting call, again and again (the quota
 * benchmark printed 2,748 throttles for 2,916 model calls; 43 for 214 with the pause). Waiting,
 * for a slot or out a pause, ends at the caller's deadline, first come first served.
 */
export interface AdaptiveConcurrencyOptions {
  initial?: number;
  min?: number;
  max?: number;
  /** Factor applied to the limit on a throttle. */
  decrease?: number;
  /** Pause of the starts after a throttle (ms); 0 for none. */
  pauseMs?: number;
  /** Longest pause, however many throttles in a row (ms). */
  maxPauseMs?: number;
  /** Source of the pause's jitter, [0, 1) (tests pass their own). */
  random?: () => number;
}

export class AdaptiveConcurrency {
  #limit: number;
  #inflight = 0;
  /** Waiters for a slot, oldest first; one that gives up at its deadline leaves the queue. */
  readonly #waiting = new Set<() => void>();
  readonly #min: number;
  readonly #max: number;
  readonly #decrease: number;
  readonly #pauseMs: number;
  readonly #maxPauseMs: number;
  readonly #random: () => number;
  /** No call starts before this time (epoch ms). */
  #pausedUntil = 0;
  #nextPauseMs: number;
  #pauseTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: AdaptiveConcurrencyOptions = {}) {
    this.#min = options.min ?? 1;
    this.#max = options.max ?? 32;
    this.#decrease = options.decrease ?? 0.5;
    this.#limit = Math.min(this.#max, Math.max(this.#min, options.initial ?? 4));
    this.#pauseMs = options.pauseMs ?? 250;
    this.#maxPauseMs = Math.max(this.#pauseMs, options.maxPauseMs ?? 4_000);
    this.#random = options.random ?? Math.random;
    this.#nextPauseMs = this.#pauseMs;
  }

  get limit(): number {
    return Math.floor(this.#limit);
  }

  get inflight(): number {
    return this.#inflight;
  }

  /** Milliseconds until calls may start again after a throttle (0 when not paused). */
  pausedFor(): number {
    return Math.max(0, this.#pausedUntil - Date.now());
  }

  /**
   * Runs fn when a slot is free and no throttle pause is on; `throttled(error)` says whether its
   * failure was a throttle. Waiting ends at `deadline` (epoch ms) with `expired()`'s error.
   */
  async run<T>(fn: () => Promise<T>, throttled: (error: unknown) => boolean, deadline = Number.POSITIVE_INFINITY, expired: () => Error = () => new Error('no slot before the deadline')): Promise<T> {
    while (this.#inflight >= this.limit || this.pausedFor() > 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw expired();
      await new Promise<void>((wake) => {
        const done = () => {
          clearTimeout(timer);
          this.#waiting.delete(done);
          wake();
        };
        const timer = Number.isFinite(left) ? setTimeout(done, left) : undefined;
        this.#waiting.add(done);
      });
    }
    this.#inflight++;
    try {
      const result = await fn();
      this.#limit = Math.min(this.#max, this.#limit + 1 / this.#limit);
      this.#nextPauseMs = this.#pauseMs;
      return result;
    } catch (error) {
      if (throttled(error)) this.#throttled();
      throw error;
    } finally {
      this.#inflight--;
      this.#wake();
    }
  }

  #throttled(): void {
    this.#limit = Math.max(this.#min, this.#limit * this.#decrease);
    if (this.#pauseMs <= 0) return;
    // Half fixed, half jittered, so the containers that share a quota do not all come back at once.
    const pause = this.#nextPauseMs * (0.5 + this.#random() / 2);
    this.#nextPauseMs = Math.min(this.#maxPauseMs, this.#nextPauseMs * 2);
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + pause);
    this.#armPauseTimer();
  }

  /** Wakes the waiters when the pause is over (a timer may fire a little early: it then waits again). */
  #armPauseTimer(): void {
    clearTimeout(this.#pauseTimer);
    this.#pauseTimer = setTimeout(() => (this.pausedFor() > 0 ? this.#armPauseTimer() : this.#wake()), this.pausedFor());
  }

  /** Wakes as many of the oldest waiters as there are free slots, unless a pause is on (its timer wakes them). */
  #wake(): void {
    if (this.pausedFor() > 0) return;
    let free = this.limit - this.#inflight;
    for (const done of this.#waiting) {
      if (free-- <= 0) break;
      done();
    }
  }
}
