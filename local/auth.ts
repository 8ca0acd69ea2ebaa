import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';

/**
 * Offline stand-in for the Cognito user pool: a signing key made when the stack starts (never
 * committed), tokens with the claims Cognito would put in them, and verification as API
 * Gateway's JWT authorizer does it (issuer, audience, expiry, signature).
 */
export const LOCAL_ISSUER = 'https://callnotes.local/auth';
export const LOCAL_AUDIENCE = 'callnotes-local';

export interface LocalKeys {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function createLocalKeys(file: string): Promise<LocalKeys> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const keys = { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

export function readLocalKeys(file: string): LocalKeys {
  if (!existsSync(file)) throw new Error(`no local signing key at ${file}: start the local stack with \`npm start\` first`);
  return JSON.parse(readFileSync(file, 'utf8')) as LocalKeys;
}

export interface TokenRequest {
  agentId: string;
  role: 'agent' | 'supervisor';
  userId?: string;
  ttlSeconds?: number;
}

export async function mintLocalToken(keys: LocalKeys, request: TokenRequest): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'ES256');
  return new SignJWT({
    'custom:agent_id': request.agentId,
    'cognito:groups': [request.role === 'supervisor' ? 'supervisors' : 'agents'],
    token_use: 'id',
  })
    .setProtectedHeader({ alg: 'ES256', kid: 'local' })
    .setSubject(request.userId ?? `${request.role}-${request.agentId}`)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? 12 * 3600}s`)
    .sign(key);
}

export async function verifyLocalToken(keys: LocalKeys, token: string): Promise<JWTPayload> {
  const key = await importJWK(keys.publicJwk, 'ES256');
  const { payload } = await jwtVerify(token, key, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: ['ES256'] });
  return payload;
}
