import { calculateThumbprint, generateKeyPair, generateProof, type KeyPair } from 'dpop';
import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, type JWK, SignJWT } from 'jose';
import type { Response } from 'supertest';
import { TEST_USER_AGENT, type TestUser } from '../factories/users';
import { rememberSecrets } from './secret-leaks';
import type { TestApp } from './test-app';

/**
 * A DPoP client made of panva's `dpop` package (an implementation independent of Warden's verifier):
 * its key never leaves it, and every request gets a fresh proof.
 */
export interface DpopClient {
  keyPair: KeyPair;
  jkt: string;
  /** A proof for this method and absolute URL, optionally naming an access token (`ath`) and a nonce. */
  proof: (method: string, url: string, accessToken?: string, nonce?: string) => Promise<string>;
}

export async function dpopClient(): Promise<DpopClient> {
  const keyPair = await generateKeyPair('ES256');
  return {
    keyPair,
    jkt: await calculateThumbprint(keyPair.publicKey),
    // A proof is a credential for its minute: the suite-wide log check looks for each one too.
    proof: async (method, url, accessToken, nonce) => {
      const proof = await generateProof(keyPair, url, method, nonce, accessToken);
      rememberSecrets(proof);
      return proof;
    },
  };
}

export interface DpopSession {
  accessToken: string;
  refreshToken: string;
  client: DpopClient;
}

export async function loginDpop(t: TestApp, user: TestUser, client: DpopClient, nonce?: string): Promise<DpopSession> {
  const response = await t
    .http()
    .post('/api/auth/login')
    .set('User-Agent', TEST_USER_AGENT)
    .set('DPoP', await client.proof('POST', `${t.baseUrl}/api/auth/login`, undefined, nonce))
    .send({ email: user.email, password: user.password, transport: 'bearer' })
    .expect(200);
  return dpopSessionFrom(response, client);
}

export function dpopSessionFrom(response: Response, client: DpopClient): DpopSession {
  const body = response.body as { accessToken: string; refreshToken: string; tokenType: string };
  expect(body.tokenType).toBe('DPoP');
  rememberSecrets(body.accessToken, body.refreshToken);
  return { accessToken: body.accessToken, refreshToken: body.refreshToken, client };
}

/** GET a protected route the way a DPoP client library does: DPoP scheme, a fresh proof naming the token. */
export async function dpopGet(t: TestApp, path: string, session: DpopSession, nonce?: string): Promise<Response> {
  return await t
    .http()
    .get(path)
    .set('User-Agent', TEST_USER_AGENT)
    .set('Authorization', `DPoP ${session.accessToken}`)
    .set('DPoP', await session.client.proof('GET', `${t.baseUrl}${path}`, session.accessToken, nonce));
}

export interface ProofParts {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Signs with this key instead of the client's own. */
  signingKey?: Parameters<SignJWT['sign']>[0];
}

/**
 * A proof built field by field with jose, for the attacks a correct library never produces: start from
 * what the `dpop` package would send, then break one thing.
 */
export async function craftedProof(
  client: DpopClient,
  method: string,
  url: string,
  accessToken: string | undefined,
  change: (parts: ProofParts) => void,
): Promise<string> {
  const parts: ProofParts = {
    header: { alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(client.keyPair.publicKey) },
    claims: {
      jti: randomUUID(),
      htm: method,
      htu: url,
      iat: Math.floor(Date.now() / 1000),
      ...(accessToken ? { ath: createHash('sha256').update(accessToken).digest('base64url') } : {}),
    },
  };
  change(parts);
  return new SignJWT(parts.claims)
    .setProtectedHeader(parts.header as { alg: string })
    .sign(parts.signingKey ?? client.keyPair.privateKey);
}

export type { JWK };
