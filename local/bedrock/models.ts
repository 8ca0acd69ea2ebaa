import { BedrockServiceError, validationError } from './errors.ts';
import type { TrainedModel } from './model/trained/trained-model.ts';

/** What the emulator needs to know about a model to answer like it. */
export interface ModelProfile {
  modelId: string;
  /** Input limit in tokens; longer prompts get Bedrock's "Input is too long" ValidationException. */
  contextTokens: number;
  maxOutputTokens: number;
  /** Set for a fine-tuned model served through provisioned throughput or a deployment. */
  trained?: TrainedModel;
}

/** The base models callnotes may be configured with (on-demand ids; us./eu./apac./global. profiles too). */
export const FOUNDATION_MODELS: readonly ModelProfile[] = [
  { modelId: 'anthropic.claude-3-haiku-20240307-v1:0', contextTokens: 200_000, maxOutputTokens: 4_096 },
  { modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', contextTokens: 200_000, maxOutputTokens: 8_192 },
  { modelId: 'anthropic.claude-3-sonnet-20240229-v1:0', contextTokens: 200_000, maxOutputTokens: 4_096 },
  { modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', contextTokens: 200_000, maxOutputTokens: 8_192 },
  { modelId: 'amazon.nova-micro-v1:0', contextTokens: 128_000, maxOutputTokens: 10_000 },
  { modelId: 'amazon.nova-lite-v1:0', contextTokens: 300_000, maxOutputTokens: 10_000 },
  { modelId: 'amazon.nova-pro-v1:0', contextTokens: 300_000, maxOutputTokens: 10_000 },
];

const PROFILE_PREFIX = /^(?:us|eu|apac|us-gov|global)\./;
const ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{0,12}:[a-z-]+\/.+$/;
const BY_ID = new Map(FOUNDATION_MODELS.map((m) => [m.modelId, m]));

/** Resolves a model id of a converse path; a later control-plane task can pass its own resolver. */
export type ModelResolver = (modelId: string) => ModelProfile;

/**
 * Base model ids (with or without an inference-profile prefix) and any Bedrock ARN (custom model,
 * provisioned model, deployment, inference profile): ARNs are served as a Claude 3 Haiku-sized model.
 */
export const resolveModel: ModelResolver = (modelId) => {
  if (!modelId || modelId.length > 2048) throw validationError('The provided model identifier is invalid.');
  if (modelId.startsWith('arn:')) {
    if (!ARN.test(modelId)) throw validationError('The provided model identifier is invalid.');
    const foundation = /:foundation-model\/(.+)$/.exec(modelId)?.[1];
    const known = foundation ? BY_ID.get(foundation) : undefined;
    if (foundation && !known) throw new BedrockServiceError('ResourceNotFoundException');
    return known ? { ...known, modelId } : { modelId, contextTokens: 200_000, maxOutputTokens: 4_096 };
  }
  const known = BY_ID.get(modelId.replace(PROFILE_PREFIX, ''));
  if (!known) throw new BedrockServiceError('ResourceNotFoundException');
  return { ...known, modelId };
};

/** How a base model family takes fine-tuning data: Claude 3 records, or Nova's bedrock-conversation-2024. */
export type CustomizationFamily = 'claude-3' | 'nova';

export interface CustomizableModel {
  /** The fine-tunable variant's id, with its context-length suffix, as Bedrock names it in ARNs. */
  modelId: string;
  family: CustomizationFamily;
  profile: ModelProfile;
}

const CUSTOMIZABLE: readonly { modelId: string; base: string; family: CustomizationFamily }[] = [
  { modelId: 'anthropic.claude-3-haiku-20240307-v1:0:200k', base: 'anthropic.claude-3-haiku-20240307-v1:0', family: 'claude-3' },
  { modelId: 'amazon.nova-micro-v1:0:128k', base: 'amazon.nova-micro-v1:0', family: 'nova' },
  { modelId: 'amazon.nova-lite-v1:0:300k', base: 'amazon.nova-lite-v1:0', family: 'nova' },
  { modelId: 'amazon.nova-pro-v1:0:300k', base: 'amazon.nova-pro-v1:0', family: 'nova' },
];

/**
 * The base model of a customization job, from its id (with or without the context suffix) or its
 * foundation-model ARN; undefined for a model the emulator cannot fine-tune.
 */
export function findCustomizableModel(identifier: string): CustomizableModel | undefined {
  const id = /:foundation-model\/(.+)$/.exec(identifier)?.[1] ?? identifier;
  const entry = CUSTOMIZABLE.find((m) => m.modelId === id || m.base === id);
  const profile = entry ? BY_ID.get(entry.base) : undefined;
  return entry && profile ? { modelId: entry.modelId, family: entry.family, profile } : undefined;
}

/** True for a base model Bedrock knows, whether or not it can be fine-tuned. */
export const isFoundationModel = (identifier: string): boolean =>
  BY_ID.has((/:foundation-model\/(.+)$/.exec(identifier)?.[1] ?? identifier).replace(/:\d+k$/, ''));
