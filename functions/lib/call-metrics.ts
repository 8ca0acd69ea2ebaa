import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { IngestResult } from '#domain/ingest.ts';

/** Per-call operational metrics (CloudWatch EMF via Powertools) and the matching log lines. */
export class CallMetrics {
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
        const byOutcome = this.metrics.singleMetric();
        byOutcome.addDimension('outcome', notes.outcome);
        byOutcome.addMetric('CallsByOutcome', MetricUnit.Count, 1);
        this.logger.info('call processed', { messageId, callId, usage, latencyMs, outcome: notes.outcome, estimatedCostUSD: cost });
        return;
      }
      case 'rejected': {
        const rejected = this.metrics.singleMetric();
        rejected.addDimension('reason', result.reason);
        rejected.addMetric('CallsRejected', MetricUnit.Count, 1);
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

  throttled(): void {
    this.metrics.addMetric('ModelThrottles', MetricUnit.Count, 1);
  }
}
