/**
 * The bearer-token providers bundled into the Lambda functions in place of
 * `@aws-sdk/token-providers` (aliased to this file in serverless.yml custom.esbuild), for the
 * Bedrock clients' second auth scheme (Bedrock API keys).
 *
 * The functions sign every Bedrock request with their role (SigV4); a Bedrock API key is used only
 * when AWS_BEARER_TOKEN_BEDROCK is set, and that still works here. What is left out is the SSO
 * token chain (`nodeProvider`: ~20 KB with its SSO-OIDC client), which has no use in Lambda.
 * It reads process.env itself, as the SDK module it stands in for does: SDK code, not configuration
 * of ours, so it is not routed through adapters/config.ts.
 */
interface TokenIdentity {
  token: string;
}

export const fromEnvSigningName =
  ({ signingName }: { signingName?: string } = {}) =>
  async (): Promise<TokenIdentity> => {
    if (!signingName) throw new Error('a signing name is needed to find the bearer token variable');
    const key = `AWS_BEARER_TOKEN_${signingName.replace(/[\s-]/g, '_').toUpperCase()}`; // as the SDK names it
    const token = process.env[key];
    if (token === undefined) throw new Error(`no bearer token in ${key}`);
    return { token };
  };

export const nodeProvider = () => async (): Promise<TokenIdentity> => {
  throw new Error('SSO bearer tokens are not available in the Lambda bundle: the function signs with its role, or set AWS_BEARER_TOKEN_BEDROCK');
};
