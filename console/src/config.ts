import { z } from 'zod';

/**
 * config.json, served next to the page: which sign-in to use and where the API is. Locally the
 * stack answers `{ "mode": "local" }` (same origin, tokens from POST /_local/token); deployed it
 * names the Cognito hosted UI domain and app client, and the HTTP API's URL.
 */
export const ConsoleConfigSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('local'), apiBaseUrl: z.string().optional() }),
  z.object({
    mode: z.literal('cognito'),
    /** Hosted UI domain, e.g. callnotes-prod.auth.us-west-2.amazoncognito.com (no scheme). */
    domain: z.string().min(1),
    clientId: z.string().min(1),
    redirectUri: z.url(),
    apiBaseUrl: z.url(),
    scopes: z.array(z.string()).optional(),
  }),
]);

export type ConsoleConfig = z.infer<typeof ConsoleConfigSchema>;
export type CognitoConfig = Extract<ConsoleConfig, { mode: 'cognito' }>;

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<ConsoleConfig> {
  const response = await fetchImpl('./config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const parsed = ConsoleConfigSchema.safeParse(await response.json());
  if (!parsed.success) throw new Error(`config.json is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The API's origin with no trailing slash; '' means the page's own origin (the local stack). */
export const apiBase = (config: ConsoleConfig): string => (config.apiBaseUrl ?? '').replace(/\/+$/, '');
