import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { HAIKU_LATENCY } from '#local/bedrock/faults.ts';
import { startIngestPipeline, type CallOutcome } from '#local/pipeline.ts';
import { makeCallBodies } from './calls.ts';
import { concurrencyForQuota } from './concurrency.ts';
import { eventSourceSettings, sendBodies, startBenchStack } from './pipeline-run.ts';
import { every, say } from './progress.ts';
import { fmt, metric, type BenchOptions, type BenchResult } from './types.ts';

const NAME = 'quota';
const QUOTA_TPM = 60_000;
/** An example production quota to derive a setting for (check the account's Service Quotas for the model). */
const EXAMPLE_PRODUCTION_TPM = 2_000_000;
const TOKENS_PER_CALL_GUESS = 900;

/**
 * Benchmark 2: the emulator enforces a tokens-per-minute quota (sliding window) and Haiku-like
 * latency; the pipeline, at serverless.yml's concurrency and retry settings, runs a backlog. After
 * one window to fill the quota, the tokens admitted over the next window are the achieved rate.
 */
export async function run(options: BenchOptions): Promise<Omit<BenchResult, 'wallMs'>> {
  // --quick: a 20 s window with the same per-minute rate, so one window is a measurement.
  const windowSeconds = options.quick ? 20 : 60;
  const stack = await startBenchStack({ tokensPerMinute: QUOTA_TPM, quotaWindowSeconds: windowSeconds, modelLatency: HAIKU_LATENCY });
  try {
    const settings = eventSourceSettings(stack);
    const outcomes: CallOutcome[] = [];
    let maxReceiveCount = 0;
    const modelLatencies: number[] = [];
    // The function as deployed: serverless.yml's retry settings (10 s backoff base, 30 s in-invocation retries).
    const pipeline = await startIngestPipeline(stack, {
      // SILENT: every throttled record would log an error line; onBatch counts them instead.
      env: { LOG_LEVEL: 'SILENT' },
      onOutcome: (o) => {
        outcomes.push(o);
        if (o.status === 'processed') modelLatencies.push(o.call.latencyMs);
      },
      onBatch: (b) => {
        for (const r of b.records) maxReceiveCount = Math.max(maxReceiveCount, Number(r.attributes.ApproximateReceiveCount));
      },
    });
    // Enough backlog that demand never runs out: 1.6 × what the quota admits over both windows, plus a batch per poller.
    const backlog = Math.ceil(((QUOTA_TPM / TOKENS_PER_CALL_GUESS) * (2 * windowSeconds)) / 60 * 1.6) + settings.batchSize * settings.maximumConcurrency;
    say(`${NAME}: quota ${QUOTA_TPM} tokens/min over a ${windowSeconds}s window, latency ${HAIKU_LATENCY.baseMs} ms + ${HAIKU_LATENCY.perOutputTokenMs} ms/output token; ${settings.maximumConcurrency} pollers; backlog ${backlog} calls`);
    await sendBodies(stack, stack.resources.queueUrl, makeCallBodies(backlog, 'quota'));
    const tokens = () => {
      const s = stack.bedrock.stats();
      return { total: s.inputTokens + s.outputTokens, calls: s.converseCalls, throttled: s.throttled };
    };
    const stopFill = every(5000, () => say(`${NAME}: filling the window: ${tokens().total} tokens admitted, ${tokens().throttled} throttled`));
    await new Promise((r) => setTimeout(r, windowSeconds * 1000));
    stopFill();
    const start = { ...tokens(), at: performance.now(), processed: outcomes.filter((o) => o.status === 'processed').length };
    const stopMeasure = every(5000, () => say(`${NAME}: measuring: ${tokens().total - start.total} tokens in ${fmt((performance.now() - start.at) / 1000, 0)}s`));
    await new Promise((r) => setTimeout(r, windowSeconds * 1000));
    stopMeasure();
    const end = { ...tokens(), at: performance.now(), processed: outcomes.filter((o) => o.status === 'processed').length };
    await pipeline.stop();
    await new Promise((r) => setTimeout(r, 1500));
    const { Attributes = {} } = await stack.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.resources.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    const dlqDepth = Number(Attributes.ApproximateNumberOfMessages ?? 0);

    const minutes = (end.at - start.at) / 60_000;
    const achievedTpm = (end.total - start.total) / minutes;
    const share = achievedTpm / QUOTA_TPM;
    const processed = outcomes.filter((o): o is Extract<CallOutcome, { status: 'processed' }> => o.status === 'processed');
    const tokensPerCall = processed.reduce((s, o) => s + o.call.usage.inputTokens + o.call.usage.outputTokens, 0) / Math.max(1, processed.length);
    const latencySeconds = modelLatencies.reduce((a, b) => a + b, 0) / Math.max(1, modelLatencies.length) / 1000;
    const derivation = { tokensPerCall, latencySeconds, recordsPerInvocation: settings.batchSize };
    const forBench = concurrencyForQuota({ quotaTokensPerMinute: QUOTA_TPM, ...derivation });
    const forProduction = concurrencyForQuota({ quotaTokensPerMinute: EXAMPLE_PRODUCTION_TPM, ...derivation });
    const deadLettered = outcomes.filter((o) => o.status === 'dead-lettered').length + dlqDepth;
    return {
      name: NAME,
      metrics: [
        metric(NAME, `tokens/min over ${windowSeconds}s vs quota ${QUOTA_TPM.toLocaleString('en-US')}`, share, '', `${fmt(achievedTpm, 0)} (${fmt(share * 100, 1)}%)`, { text: '>= 90%', pass: share >= 0.9 }),
        metric(NAME, 'valid messages dead-lettered', deadLettered, '', String(deadLettered), { text: '0', pass: deadLettered === 0 }),
        metric(NAME, 'throttled / converse calls (whole run)', end.throttled, '', `${end.throttled} / ${end.calls}`),
        metric(NAME, `maximumConcurrency for ${QUOTA_TPM.toLocaleString('en-US')} TPM (now ${settings.maximumConcurrency})`, forBench.maximumConcurrency, '', String(forBench.maximumConcurrency)),
        metric(NAME, `maximumConcurrency for ${EXAMPLE_PRODUCTION_TPM.toLocaleString('en-US')} TPM`, forProduction.maximumConcurrency, '', String(forProduction.maximumConcurrency)),
      ],
      details: {
        quotaTokensPerMinute: QUOTA_TPM, windowSeconds, modelLatency: HAIKU_LATENCY, eventSource: settings, backlog,
        achievedTokensPerMinute: achievedTpm, share, measuredMinutes: minutes,
        callsProcessedInWindow: end.processed - start.processed, processedTotal: processed.length,
        converseCalls: end.calls, throttled: end.throttled, maxReceiveCount, deadLettered, dlqDepth,
        derivation: { ...derivation, headroom: 1.25, forBench, forProduction: { quotaTokensPerMinute: EXAMPLE_PRODUCTION_TPM, ...forProduction } },
      },
      notes: [
        `tokens per call ${fmt(tokensPerCall, 0)}, model latency ${fmt(latencySeconds, 2)} s: at ${QUOTA_TPM} TPM ${fmt(forBench.modelCallsInFlight, 1)} model calls in flight saturate the quota`,
        `highest receive count seen: ${maxReceiveCount} (DLQ after ${pipeline.maxReceiveCount})`,
      ],
    };
  } finally {
    await stack.close();
  }
}
