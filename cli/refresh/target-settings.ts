import { loadConfig, loadOperatorSettings, loadRefreshConfig, type Config } from '#adapters/config.ts';
import type { Target } from '#cli/target.ts';
import type { RefreshSettings } from '#domain/refresh/types.ts';
import { loadServerlessConfig } from '#local/serverless-config.ts';

/** The customization service role's ARN on the local stack (the emulator checks its shape, not IAM). */
const LOCAL_ROLE = (service: string) => `arn:aws:iam::000000000000:role/${service}-local-bedrock-customization`;

/**
 * The refresh function's environment as serverless.yml declares it for the target's stage (the same
 * source of truth the function deploys with), pointed at the target's table, bucket and model.
 * Intrinsics (the role ARN, built with !Sub) cannot be resolved here: the local stack gets a
 * placeholder role; a deployed stage needs CALLNOTES_CUSTOMIZATION_ROLE_ARN (stack output
 * CustomizationServiceRoleArn).
 */
export function refreshEnv(target: Target, env: Record<string, string | undefined> = process.env): Record<string, string | undefined> {
  const operator = loadOperatorSettings(env);
  const stage = target.kind === 'local' ? 'local' : operator.stage!;
  const config = loadServerlessConfig('serverless.yml', { stage, region: target.region, env });
  const scalars = (vars: Record<string, unknown> | undefined) =>
    Object.fromEntries(Object.entries(vars ?? {}).filter(([, v]) => v !== null && v !== undefined && v !== '' && typeof v !== 'object').map(([k, v]) => [k, String(v)]));
  const declared = { ...scalars(config.provider?.environment), ...scalars(config.functions?.refresh?.environment) };
  return {
    ...env,
    ...declared,
    CALLNOTES_TABLE: target.resources.table,
    CALLNOTES_BUCKET: target.resources.bucket,
    CALLNOTES_MODEL_ID: target.modelId,
    CALLNOTES_CUSTOMIZATION_ROLE_ARN: env.CALLNOTES_CUSTOMIZATION_ROLE_ARN?.trim() || (target.kind === 'local' ? LOCAL_ROLE(config.service) : undefined),
    ...(target.kind === 'local' ? { CALLNOTES_S3_FORCE_PATH_STYLE: 'true' } : {}),
  };
}

export function targetRefreshSettings(target: Target): { config: Config; settings: RefreshSettings } {
  const env = refreshEnv(target);
  return { config: loadConfig(env), settings: loadRefreshConfig(env) };
}
