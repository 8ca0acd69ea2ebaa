/**
 * DESIGN §8: the SQS event source's maximumConcurrency derived from the Bedrock quota, so the
 * quota, not throttling, limits throughput. Model calls in flight at the quota are
 * quotaTPM / tokensPerCall calls a minute × latencySeconds / 60 (Little's law); each invocation
 * works on a batch of records in parallel; headroom covers latency and size variance.
 */
export interface QuotaConcurrencyInput {
  quotaTokensPerMinute: number;
  /** Input + output tokens of one call (all its model requests). */
  tokensPerCall: number;
  /** Model latency of one call, seconds. */
  latencySeconds: number;
  /** Records an invocation works on at once (the batch size; records of a batch run in parallel). */
  recordsPerInvocation: number;
  /** Multiplier over the exact figure (default 1.25). */
  headroom?: number;
}

export interface QuotaConcurrency {
  callsPerMinute: number;
  modelCallsInFlight: number;
  /** What serverless.yml custom.ingest.maxConcurrency should carry (SQS allows 2..1000). */
  maximumConcurrency: number;
}

export function concurrencyForQuota(input: QuotaConcurrencyInput): QuotaConcurrency {
  const { quotaTokensPerMinute, tokensPerCall, latencySeconds, recordsPerInvocation, headroom = 1.25 } = input;
  if (!(quotaTokensPerMinute > 0 && tokensPerCall > 0 && latencySeconds > 0 && recordsPerInvocation > 0)) {
    throw new RangeError('quota, tokens per call, latency and records per invocation must be positive');
  }
  const callsPerMinute = quotaTokensPerMinute / tokensPerCall;
  const modelCallsInFlight = (callsPerMinute * latencySeconds) / 60;
  const invocations = Math.ceil((modelCallsInFlight * headroom) / recordsPerInvocation);
  return { callsPerMinute, modelCallsInFlight, maximumConcurrency: Math.min(1000, Math.max(2, invocations)) };
}
