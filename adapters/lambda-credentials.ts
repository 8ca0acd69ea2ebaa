/**
 * The credential provider bundled into the Lambda functions in place of the SDK's default chain
 * (`@aws-sdk/credential-provider-node`, aliased to this file in serverless.yml custom.esbuild).
 *
 * Lambda always hands a function its role's credentials in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, so the rest of the chain (profiles, SSO, web
 * identity, container and instance metadata) is never reached there; it is also about 100 KB of
 * the bundle, and parsing it is a measurable part of a cold start (`npm run bench`, cold start).
 * The CLI and the offline stack import the SDK unbundled and keep the full chain.
 *
 * A runtime that served credentials only from a container endpoint (AWS_CONTAINER_CREDENTIALS_*,
 * as SnapStart does for the runtimes it supports; not Node.js) would need `fromHttp` added here.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** Same signature as `defaultProvider` of `@aws-sdk/credential-provider-node`, which clients call. */
export function defaultProvider(init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> {
  const env = fromEnv(init);
  return async (options) => {
    try {
      return await env(options);
    } catch (error) {
      throw new Error(
        'no AWS credentials in the environment: this bundle reads only AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, as Lambda sets them',
        { cause: error },
      );
    }
  };
}
