import { randomBytes } from 'node:crypto';

/** The account every resource the emulator creates belongs to (as local-aws-sqs and the Lambda runner use). */
export const EMULATOR_ACCOUNT = '000000000000';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A 12-character lowercase id, the form Bedrock gives jobs, custom models and provisioned models. */
export function newResourceId(): string {
  return [...randomBytes(12)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

export const arns = {
  job: (region: string, baseModelId: string, id: string) => `arn:aws:bedrock:${region}:${EMULATOR_ACCOUNT}:model-customization-job/${baseModelId}/${id}`,
  customModel: (region: string, baseModelId: string, id: string) => `arn:aws:bedrock:${region}:${EMULATOR_ACCOUNT}:custom-model/${baseModelId}/${id}`,
  provisionedModel: (region: string, id: string) => `arn:aws:bedrock:${region}:${EMULATOR_ACCOUNT}:provisioned-model/${id}`,
  deployment: (region: string, id: string) => `arn:aws:bedrock:${region}:${EMULATOR_ACCOUNT}:custom-model-deployment/${id}`,
  foundationModel: (region: string, modelId: string) => `arn:aws:bedrock:${region}::foundation-model/${modelId}`,
};

const OWN_ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:(\d{12}):([a-z-]+)\/(.+)$/;

/** The resource type and id of a Bedrock ARN in the emulator's account; undefined for anything else. */
export function parseOwnArn(value: string): { type: string; id: string } | undefined {
  const m = OWN_ARN.exec(value);
  if (!m || m[1] !== EMULATOR_ACCOUNT) return undefined;
  const rest = m[3]!;
  return { type: m[2]!, id: rest.slice(rest.lastIndexOf('/') + 1) };
}

/** The region of a SigV4-signed request (its credential scope), so ARNs name the region the client uses. */
export function regionOfRequest(authorization: string | undefined, fallback: string): string {
  return /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(authorization ?? '')?.[1] ?? fallback;
}
