/**
 * DPoP (RFC 9449 §7) for the example resource server: a Warden token carrying `cnf.jkt` is accepted only
 * as `Authorization: DPoP <token>` with a fresh proof signed by that key. jose checks the proof's signature
 * with the key in its header (EmbeddedJWK), its `typ` and algorithm, and computes the RFC 7638 thumbprint;
 * this file adds the request-bound checks: method, URL, `ath`, and one use per proof.
 *
 * Self-contained (jose and node:crypto only) so it can be copied out with server.ts. Warden's own verifier
 * is src/dpop/dpop-proof.service.ts; both are driven by the same independent client in the tests.
 */
import { hash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, type JWK, jwtVerify } from 'jose';

/** Asymmetric only (§4.3): never `none`, never HMAC. */
const PROOF_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'Ed25519', 'EdDSA'];
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface DpopOptions {
  /** How old a proof may be, in seconds (default 60); the replay cache holds each proof that long. */
  maxAgeSeconds?: number;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

export interface ProofRequest {
  proof: string | undefined;
  method: string;
  /** The URL the client addressed, without query or fragment (scheme and host as the client saw them). */
  url: string;
  accessToken: string;
  /** The token's `cnf.jkt`. */
  jkt: string;
}

/** Returns a checker that throws unless the proof is valid for this request and was never seen before. */
export function createDpopVerifier(options: DpopOptions = {}) {
  const maxAge = options.maxAgeSeconds ?? 60;
  const now = options.now ?? Date.now;
  /** Proofs already accepted: key → expiry (ms). One process; several instances need a shared store. */
  const seen = new Map<string, number>();

  function firstUse(key: string): boolean {
    const at = now();
    for (const [entry, expiresAt] of seen) if (expiresAt <= at) seen.delete(entry);
    if (seen.has(key)) return false;
    seen.set(key, at + (maxAge + 10) * 1000);
    return true;
  }

  return async function verifyProof(request: ProofRequest): Promise<void> {
    if (!request.proof) throw new Error('DPoP proof missing');
    const { payload, protectedHeader } = await jwtVerify(request.proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: PROOF_ALGORITHMS,
      requiredClaims: ['jti', 'htm', 'htu', 'iat', 'ath'],
      maxTokenAge: maxAge,
      clockTolerance: 5,
      currentDate: new Date(now()),
    });
    const jwk = protectedHeader.jwk as JWK;
    if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) throw new Error('DPoP proof carries a private key');
    if (payload.htm !== request.method) throw new Error('DPoP proof for another method');
    if (typeof payload.htu !== 'string' || withoutQuery(payload.htu) !== withoutQuery(request.url)) {
      throw new Error('DPoP proof for another URL');
    }
    if (payload.ath !== hash('sha256', request.accessToken, 'base64url')) {
      throw new Error('DPoP proof for another token');
    }
    if ((await calculateJwkThumbprint(jwk, 'sha256')) !== request.jkt) throw new Error('DPoP key is not the bound one');
    if (typeof payload.jti !== 'string' || !firstUse(JSON.stringify([request.jkt, payload.jti]))) {
      throw new Error('DPoP proof replayed');
    }
  };
}

/** RFC 3986 normalisation through the URL parser, minus query and fragment; '' for anything unparsable. */
function withoutQuery(value: string): string {
  try {
    const url = new URL(value);
    url.search = '';
    url.hash = '';
    return url.href;
  } catch {
    return '';
  }
}
