import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from '#domain/zod.ts';
import { loadRefreshConfig } from '#adapters/config.ts';
import { buildRefreshDeps, loadConfig } from '#adapters/runtime.ts';
import { refreshLine, RegistryConflictError, type RefreshDeps, type RefreshMetrics, type RefreshReport, type RefreshSettings } from '#domain/refresh/index.ts';

const logger = new Logger({ serviceName: 'callnotes' });
const metrics = new Metrics({ serviceName: 'callnotes' });

/**
 * The hourly schedule, a Bedrock "Model Customization Job State Change" event, or `{}` on demand:
 * each only says "look now". The pass reads job state from Bedrock itself, so a lost, late or
 * repeated event changes nothing.
 */
const RefreshEventSchema = z.looseObject({
  source: z.optional(z.string()),
  'detail-type': z.optional(z.string()),
  detail: z.optional(z.looseObject({ jobArn: z.optional(z.string()), jobName: z.optional(z.string()), status: z.optional(z.string()) })),
});

export type RefreshResponse = RefreshReport | { status: 'conflict'; message: string };

/** Powertools metrics: RefreshJobFailed feeds the alarm in resources/refresh-events.yml. */
export const powertoolsRefreshMetrics = (m: Metrics): RefreshMetrics => ({
  jobFailed: () => m.addMetric('RefreshJobFailed', MetricUnit.Count, 1),
  promoted: () => m.addMetric('RefreshPromoted', MetricUnit.Count, 1),
  rejected: () => m.addMetric('RefreshRejected', MetricUnit.Count, 1),
});

export function makeHandler(deps: RefreshDeps, settings: RefreshSettings) {
  const lambdaHandler = async (event: unknown, _context: Context): Promise<RefreshResponse> => {
    const parsed = RefreshEventSchema.safeParse(event ?? {});
    const trigger = parsed.success ? parsed.data : {};
    logger.info('refresh pass', { line: settings.line, source: trigger.source ?? 'on demand', detailType: trigger['detail-type'], job: trigger.detail?.jobArn, jobStatus: trigger.detail?.status });
    try {
      const report = await refreshLine(settings, deps);
      for (const step of report.steps) logger.info(`refresh ${step.action}`, { line: settings.line, ...step });
      return report;
    } catch (error) {
      // Another pass (schedule and job event at once) or an operator moved first; the next pass carries on.
      if (!(error instanceof RegistryConflictError)) throw error;
      logger.warn('refresh pass lost a race; the next pass carries on', { detail: error.message });
      return { status: 'conflict', message: error.message };
    }
  };
  return middy(lambdaHandler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

const settings = loadRefreshConfig();
export const handler = makeHandler(buildRefreshDeps(loadConfig(), powertoolsRefreshMetrics(metrics)), settings);
