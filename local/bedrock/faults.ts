import { z } from 'zod';
import { BEDROCK_ERROR_NAMES, type BedrockErrorName } from './errors.ts';

export interface FaultConfig {
  /** Share of converse calls answered with ThrottlingException (0-1). */
  throttleRate: number;
  /** Throttle exactly the next N converse calls, before any random draw (deterministic, for tests). */
  throttleNext: number;
  /** Share of converse calls answered with ModelTimeoutException (0-1). */
  timeoutRate: number;
  /** Share of converse calls answered with output that is not valid notes (0-1). */
  malformedRate: number;
  /** Added latency per converse call, drawn uniformly in [min, max] ms. */
  latencyMs: { min: number; max: number };
  /** The next converse calls fail with these errors, one each, in order (e.g. ["ServiceUnavailableException"]). */
  failNext: BedrockErrorName[];
  /**
   * Bedrock's tokens-per-minute quota: input + output tokens of the calls answered in a sliding
   * window; a call that would go over it is answered with ThrottlingException. 0: no quota.
   */
  tokensPerMinute: number;
  /** Length of the quota's sliding window (the quota scales with it: tokensPerMinute × seconds / 60). */
  quotaWindowSeconds: number;
  /** Model latency: baseMs + perOutputTokenMs × output tokens, added to every answered call (HAIKU_LATENCY is Haiku-like). */
  modelLatency: { baseMs: number; perOutputTokenMs: number };
}

/** About what Claude 3 Haiku on Bedrock takes: time to first token, then ~125 output tokens a second. */
export const HAIKU_LATENCY: FaultConfig['modelLatency'] = { baseMs: 300, perOutputTokenMs: 8 };

export const DEFAULT_FAULTS: FaultConfig = {
  throttleRate: 0,
  throttleNext: 0,
  timeoutRate: 0,
  malformedRate: 0,
  latencyMs: { min: 0, max: 0 },
  failNext: [],
  tokensPerMinute: 0,
  quotaWindowSeconds: 60,
  modelLatency: { baseMs: 0, perOutputTokenMs: 0 },
};

const rate = z.number().min(0).max(1);

/** A Partial<FaultConfig> as sent to POST /_emulator/faults or setFaults. */
export const FaultPatchSchema = z
  .object({
    throttleRate: rate,
    throttleNext: z.number().int().min(0),
    timeoutRate: rate,
    malformedRate: rate,
    latencyMs: z
      .object({ min: z.number().min(0).max(600_000), max: z.number().min(0).max(600_000) })
      .refine((l) => l.max >= l.min, { message: 'latencyMs.max must be >= latencyMs.min' }),
    failNext: z.array(z.enum(BEDROCK_ERROR_NAMES as [BedrockErrorName, ...BedrockErrorName[]])).max(1000),
    tokensPerMinute: z.number().int().min(0),
    quotaWindowSeconds: z.number().min(1).max(3600),
    modelLatency: z.object({ baseMs: z.number().min(0).max(600_000), perOutputTokenMs: z.number().min(0).max(10_000) }).strict(),
  })
  .partial()
  .strict();

export function mergeFaults(current: FaultConfig, patch: Partial<FaultConfig>): FaultConfig {
  const parsed = FaultPatchSchema.parse(patch);
  return {
    ...current,
    ...parsed,
    latencyMs: { ...(parsed.latencyMs ?? current.latencyMs) },
    failNext: [...(parsed.failNext ?? current.failNext)],
    modelLatency: { ...(parsed.modelLatency ?? current.modelLatency) },
  };
}

/** Tokens admitted in a sliding window: a log of (time, tokens), dropped as they leave the window. */
export class TokenWindow {
  readonly #entries: { at: number; tokens: number }[] = [];
  #head = 0;
  #sum = 0;

  /** Tokens admitted in the window ending at `now`. */
  used(now: number, windowMs: number): number {
    while (this.#head < this.#entries.length && this.#entries[this.#head]!.at <= now - windowMs) {
      this.#sum -= this.#entries[this.#head]!.tokens;
      this.#head += 1;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
    return this.#sum;
  }

  /** Admits `tokens` when they fit under `limit` in the window; false (nothing recorded) when they do not. */
  admit(tokens: number, limit: number, now: number, windowMs: number): boolean {
    if (this.used(now, windowMs) + tokens > limit) return false;
    this.#entries.push({ at: now, tokens });
    this.#sum += tokens;
    return true;
  }

  clear(): void {
    this.#entries.length = 0;
    this.#head = 0;
    this.#sum = 0;
  }
}

/** mulberry32: a small seeded PRNG, so fault runs repeat for a given seed. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultDecision =
  | { kind: 'error'; errorType: BedrockErrorName }
  | { kind: 'malformed'; variant: number }
  | { kind: 'ok' };

/**
 * Decides, per converse call, which fault (if any) applies. Every call draws the same number of
 * random values whatever the rates, so changing one rate does not reshuffle the others.
 */
export class FaultInjector {
  private config: FaultConfig;
  private readonly random: () => number;
  private readonly window = new TokenWindow();

  constructor(faults: Partial<FaultConfig> = {}, seed = 1) {
    this.config = mergeFaults(DEFAULT_FAULTS, faults);
    this.random = createRandom(seed);
  }

  get current(): FaultConfig {
    return { ...this.config, latencyMs: { ...this.config.latencyMs }, failNext: [...this.config.failNext] };
  }

  set(patch: Partial<FaultConfig>): FaultConfig {
    this.config = mergeFaults(this.config, patch);
    return this.current;
  }

  reset(): FaultConfig {
    this.config = mergeFaults(DEFAULT_FAULTS, {});
    this.window.clear();
    return this.current;
  }

  /**
   * Counts an answer's input + output tokens against the tokens-per-minute quota; false when they
   * would go over it (the call is then throttled and counts for nothing).
   */
  admitTokens(tokens: number, now = Date.now()): boolean {
    const { tokensPerMinute, quotaWindowSeconds } = this.config;
    if (tokensPerMinute <= 0) return true;
    return this.window.admit(tokens, (tokensPerMinute * quotaWindowSeconds) / 60, now, quotaWindowSeconds * 1000);
  }

  /** Latency of the model producing `outputTokens` (the modelLatency setting). */
  modelLatencyMs(outputTokens: number): number {
    const { baseMs, perOutputTokenMs } = this.config.modelLatency;
    return baseMs + perOutputTokenMs * outputTokens;
  }

  /** Returns the fault for the next call and the latency to add before answering. */
  next(): { decision: FaultDecision; latencyMs: number } {
    const [throttle, timeout, malformed, latency, variant] = [this.random(), this.random(), this.random(), this.random(), this.random()];
    const { min, max } = this.config.latencyMs;
    const latencyMs = Math.round(min + (max - min) * latency);
    const queued = this.config.failNext.shift();
    if (queued) return { decision: { kind: 'error', errorType: queued }, latencyMs };
    if (this.config.throttleNext > 0) {
      this.config.throttleNext -= 1;
      return { decision: { kind: 'error', errorType: 'ThrottlingException' }, latencyMs };
    }
    if (throttle < this.config.throttleRate) return { decision: { kind: 'error', errorType: 'ThrottlingException' }, latencyMs };
    if (timeout < this.config.timeoutRate) return { decision: { kind: 'error', errorType: 'ModelTimeoutException' }, latencyMs };
    if (malformed < this.config.malformedRate) return { decision: { kind: 'malformed', variant: Math.floor(variant * 3) }, latencyMs };
    return { decision: { kind: 'ok' }, latencyMs };
  }
}
