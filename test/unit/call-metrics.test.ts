import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IngestResult } from '../../domain/ingest.ts';
import type { StoredCall } from '../../domain/ports.ts';
import { CallMetrics } from '../../functions/lib/call-metrics.ts';

type Emf = { _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;

function processed(callId: string, outcome: StoredCall['notes']['outcome']): IngestResult {
  return {
    status: 'processed',
    call: {
      callId, agentId: 'agent-1', startedAt: '2026-11-02T08:00:00Z', status: 'done', transcriptHash: 'h', transcriptUri: 's3://b/k', format: 'turns',
      speakerRoles: {}, turnCount: 4, notes: { summary: 'S.', topics: ['billing'], actionItems: [], outcome },
      model: { id: 'm', version: 'base', mode: 'tool' }, usage: { inputTokens: 600, outputTokens: 150, modelCalls: 1 }, latencyMs: 40,
      receivedAt: '2026-11-02T08:00:00Z', processedAt: '2026-11-02T08:00:01Z',
    },
  };
}
const rejected = (reason: string): IngestResult => ({ status: 'rejected', callId: 'c', reason, field: 'body', message: 'bad' });

describe('CallMetrics', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  /** The EMF lines Powertools writes (POWERTOOLS_DEV sends them to the global console). */
  function capture() {
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'callnotes-test');
    const lines: Emf[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      if (typeof line === 'string' && line.includes('"_aws"')) lines.push(JSON.parse(line));
    });
    const metrics = new Metrics({ serviceName: 'callnotes' });
    const logger = new Logger({ serviceName: 'callnotes', logLevel: 'ERROR' });
    return { lines, metrics, callMetrics: new CallMetrics(metrics, logger, { inputPer1k: 0.00025, outputPer1k: 0.00125 }) };
  }

  it('publishes calls by outcome and rejections by reason once a batch, as counts', () => {
    const { lines, callMetrics } = capture();
    for (const [i, outcome] of (['resolved', 'resolved', 'escalated', 'resolved'] as const).entries()) callMetrics.record(`m${i}`, processed(`c${i}`, outcome));
    callMetrics.record('m5', rejected('invalid-message'));
    callMetrics.record('m6', rejected('invalid-message'));
    expect(lines).toEqual([]);

    callMetrics.publishCounts();
    const counts = lines.map((line) => {
      const metric = line._aws.CloudWatchMetrics[0]!.Metrics[0]!.Name;
      const dimension = line._aws.CloudWatchMetrics[0]!.Dimensions[0]!.find((d) => d !== 'service')!;
      return `${metric} ${dimension}=${line[dimension]} ${line[metric]}`;
    });
    expect(counts.sort()).toEqual(['CallsByOutcome outcome=escalated 1', 'CallsByOutcome outcome=resolved 3', 'CallsRejected reason=invalid-message 2']);

    lines.length = 0;
    callMetrics.publishCounts();
    expect(lines).toEqual([]);
  });

  it('keeps the per-call figures in the invocation metrics', () => {
    const { lines, metrics, callMetrics } = capture();
    callMetrics.record('m1', processed('c1', 'resolved'));
    callMetrics.record('m2', processed('c2', 'follow_up'));
    metrics.publishStoredMetrics();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ CallsProcessed: [1, 1], InputTokens: [600, 600], OutputTokens: [150, 150] });
  });
});
