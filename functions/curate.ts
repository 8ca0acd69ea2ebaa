import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from '#domain/zod.ts';
import { loadCurationConfig } from '#adapters/config.ts';
import { buildCurationDeps } from '#adapters/dataset-store.ts';
import { loadConfig } from '#adapters/runtime.ts';
import { curateDataset, InvalidWindowError, type CurationDeps, type CurationResult, type CurationSettings } from '#domain/curation/index.ts';

const logger = new Logger({ serviceName: 'callnotes' });

/** The daily EventBridge schedule sends its own event (no window: the default); on demand, `{ "from"?, "to"? }`. */
const CurateEventSchema = z.looseObject({ from: z.optional(z.string()), to: z.optional(z.string()) });

export type CurateResponse =
  | { status: CurationResult['status']; window: { from: string; to: string }; version?: string; counts: unknown; files?: unknown }
  | { status: 'rejected'; message: string };

export function makeHandler(deps: CurationDeps, settings: Partial<CurationSettings>) {
  const lambdaHandler = async (event: unknown, _context: Context): Promise<CurateResponse> => {
    const parsed = CurateEventSchema.safeParse(event ?? {});
    if (!parsed.success) return reject(`the event must be {"from"?: ISO date-time, "to"?: ISO date-time}: ${parsed.error.issues[0]!.message}`);
    try {
      const result = await curateDataset({ from: parsed.data.from, to: parsed.data.to }, deps, settings);
      const response = summarize(result);
      logger.info(`curation ${result.status}`, { ...response });
      return response;
    } catch (error) {
      if (error instanceof InvalidWindowError) return reject(error.message);
      throw error;
    }
  };
  return middy(lambdaHandler).use(injectLambdaContext(logger));
}

function summarize(result: CurationResult): CurateResponse {
  if (result.status === 'empty') return { status: 'empty', window: result.window, counts: result.counts };
  const { version, counts, files, manifestUri } = result.dataset;
  return { status: result.status, window: result.window, version, counts, files: { train: files.train.uri, validation: files.validation.uri, manifest: manifestUri } };
}

function reject(message: string): CurateResponse {
  logger.warn('curation request rejected', { detail: message });
  return { status: 'rejected', message };
}

const config = loadConfig();
export const handler = makeHandler(buildCurationDeps(config), { family: config.model.family, ...loadCurationConfig() });
