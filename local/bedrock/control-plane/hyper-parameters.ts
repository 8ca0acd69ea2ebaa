import type { CustomizationFamily } from '../models.ts';
import { invalid } from './errors.ts';

interface Range {
  min: number;
  max: number;
  default: number;
  integer: boolean;
}

/**
 * Documented ranges: Claude 3 (Bedrock user guide, "Anthropic Claude 3 model customization hyperparameters");
 * Nova (Nova user guide; batchSize is not settable there, accepted here for symmetry).
 */
const RANGES: Record<CustomizationFamily, Record<string, Range>> = {
  'claude-3': {
    epochCount: { min: 1, max: 10, default: 2, integer: true },
    batchSize: { min: 4, max: 256, default: 32, integer: true },
    learningRateMultiplier: { min: 0.1, max: 2, default: 1, integer: false },
    earlyStoppingThreshold: { min: 0, max: 0.1, default: 0.001, integer: false },
    earlyStoppingPatience: { min: 1, max: 10, default: 2, integer: true },
  },
  nova: {
    epochCount: { min: 1, max: 5, default: 2, integer: true },
    batchSize: { min: 1, max: 256, default: 1, integer: true },
    learningRate: { min: 1e-6, max: 1e-4, default: 1e-5, integer: false },
    learningRateWarmupSteps: { min: 0, max: 20, default: 10, integer: true },
  },
};

/** Validates the string map of a CreateModelCustomizationJob request and fills in defaults. */
export function resolveHyperParameters(family: CustomizationFamily, given: unknown): Record<string, string> {
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    throw invalid('hyperParameters must be a map of string to string');
  }
  const ranges = RANGES[family];
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries((given ?? {}) as Record<string, unknown>)) {
    const range = ranges[name];
    if (!range) throw invalid(`Hyperparameter ${name} is not supported for this base model. Supported: ${Object.keys(ranges).join(', ')}.`);
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (typeof value !== 'string' || !Number.isFinite(n) || (range.integer && !Number.isInteger(n)) || n < range.min || n > range.max) {
      throw invalid(`Hyperparameter ${name} must be ${range.integer ? 'an integer' : 'a number'} between ${range.min} and ${range.max}, got ${JSON.stringify(value)}.`);
    }
    out[name] = value;
  }
  for (const [name, range] of Object.entries(ranges)) out[name] ??= String(range.default);
  return out;
}
