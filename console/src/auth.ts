import type { CognitoConfig, ConsoleConfig } from './config.ts';

export type Role = 'agent' | 'supervisor';

/** Who is signed in. The token lives here and in sessionStorage only: never in a URL, never in localStorage. */
export interface Session {
  token: string;
  role: Role;
  agentId: string;
  userId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const SESSION_KEY = 'callnotes.session';
const PKCE_KEY = 'callnotes.pkce';

export function loadSession(storage: Storage = sessionStorage, now = Date.now()): Session | null {
  try {
    const session = JSON.parse(storage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    if (!session || typeof session.token !== 'string' || session.expiresAt <= now + 30_000) return null;
    return session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session, storage: Storage = sessionStorage): void {
  storage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(storage: Storage = sessionStorage): void {
  storage.removeItem(SESSION_KEY);
}

/**
 * Reads the claims the API will read (principalOf in functions/lib/http.ts) to show who is signed
 * in. Display only: the API's authorizer verifies the signature.
 */
export function sessionFromToken(token: string): Session {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('the token is not a JWT');
  const claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(payload))) as Record<string, unknown>;
  const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].map(String) : String(claims['cognito:groups'] ?? '').split(/[\s,[\]]+/);
  const userId = String(claims.sub ?? '');
  return {
    token,
    userId,
    agentId: String(claims['custom:agent_id'] ?? claims.agent_id ?? userId),
    role: groups.includes('supervisors') ? 'supervisor' : 'agent',
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + 3600_000,
  };
}

/** Local stack only: the stack mints a token with its own signing key (local/console-site.ts). */
export async function signInLocally(agentId: string, role: Role): Promise<Session> {
  const response = await fetch('./_local/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agentId, role }),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string; detail?: string };
  if (!response.ok || !body.token) throw new Error(body.detail ?? `sign-in failed: HTTP ${response.status}`);
  return sessionFromToken(body.token);
}

/**
 * Deployed: OAuth 2 authorization code with PKCE against the Cognito hosted UI. The verifier and
 * state wait in sessionStorage for the redirect back; the API is called with the ID token, which
 * carries custom:agent_id and cognito:groups (the access token does not).
 */
export async function startCognitoSignIn(config: CognitoConfig): Promise<never> {
  const verifier = base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64UrlEncode(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64UrlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(`https://${config.domain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: (config.scopes ?? ['openid', 'email', 'profile']).join(' '),
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
  }).toString();
  location.assign(url.toString());
  return new Promise<never>(() => {});
}

/** On the redirect back: trades the code for tokens, then removes code and state from the address bar. */
export async function completeCognitoSignIn(config: CognitoConfig): Promise<Session | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return null;
  const pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  if (error) throw new Error(`sign-in was refused: ${params.get('error_description') ?? error}`);
  if (!pending || pending.state !== params.get('state')) throw new Error('sign-in could not be completed (state mismatch); please sign in again');
  const response = await fetch(`https://${config.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: config.clientId, code: code!, redirect_uri: config.redirectUri, code_verifier: pending.verifier }),
  });
  const tokens = (await response.json().catch(() => ({}))) as { id_token?: string; error?: string };
  if (!response.ok || !tokens.id_token) throw new Error(`sign-in failed: ${tokens.error ?? `HTTP ${response.status}`}`);
  return sessionFromToken(tokens.id_token);
}

export function signOutUrl(config: ConsoleConfig): string | null {
  if (config.mode !== 'cognito') return null;
  const url = new URL(`https://${config.domain}/logout`);
  url.search = new URLSearchParams({ client_id: config.clientId, logout_uri: config.redirectUri }).toString();
  return url.toString();
}

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64UrlDecode(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '='));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
