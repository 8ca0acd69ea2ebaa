import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { IngestResult } from '#domain/ingest.ts';

/**
 * Per-call operational metrics (CloudWatch EMF via Powertools) and the matching log lines. Counts
 * by a dimension (calls by outcome, rejections by reason) are added up over a batch and published
 * by `publishCounts()`, one EMF line for each outcome or reason, instead of one line for every call.
 */
export class CallMetrics {
  readonly #counts = new Map<string, { dimension: string; value: string; metric: string; count: number }>();

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly pricing: { inputPer1k: number; outputPer1k: number },
  ) {}

  record(messageId: string, result: IngestResult): void {
    switch (result.status) {
      case 'processed': {
        const { usage, latencyMs, notes, callId } = result.call;
        const cost = (usage.inputTokens / 1000) * this.pricing.inputPer1k + (usage.outputTokens / 1000) * this.pricing.outputPer1k;
        this.metrics.addMetric('CallsProcessed', MetricUnit.Count, 1);
        this.metrics.addMetric('InputTokens', MetricUnit.Count, usage.inputTokens);
        this.metrics.addMetric('OutputTokens', MetricUnit.Count, usage.outputTokens);
        this.metrics.addMetric('ModelCalls', MetricUnit.Count, usage.modelCalls);
        this.metrics.addMetric('ModelLatency', MetricUnit.Milliseconds, latencyMs);
        this.metrics.addMetric('EstimatedCostUSD', MetricUnit.NoUnit, Number(cost.toFixed(6)));
        this.#count('CallsByOutcome', 'outcome', notes.outcome);
        this.logger.info('call processed', { messageId, callId, usage, latencyMs, outcome: notes.outcome, estimatedCostUSD: cost });
        return;
      }
      case 'rejected': {
        this.#count('CallsRejected', 'reason', result.reason);
        const { message: detail, ...rest } = result;
        this.logger.warn('message rejected', { messageId, ...rest, detail });
        return;
      }
      case 'duplicate':
        this.metrics.addMetric('DuplicateDeliveries', MetricUnit.Count, 1);
        this.logger.info('duplicate delivery; nothing to do', { messageId, callId: result.callId });
        return;
      case 'ignored':
        this.logger.info('message ignored', { messageId, reason: result.reason });
    }
  }

  /** Publishes the counts added up since the last call (at the end of each batch). */
  publishCounts(): void {
    for (const { dimension, value, metric, count } of this.#counts.values()) {
      const single = this.metrics.singleMetric();
      single.addDimension(dimension, value);
      single.addMetric(metric, MetricUnit.Count, count);
    }
    this.#counts.clear();
  }

  #count(metric: string, dimension: string, value: string): void {
    const key = `${metric}\u0000${value}`;
    const entry = this.#counts.get(key) ?? { dimension, value, metric, count: 0 };
    entry.count += 1;
    this.#counts.set(key, entry);
  }

  throttled(): void {
    this.metrics.addMetric('ModelThrottles', MetricUnit.Count, 1);
  }
}
