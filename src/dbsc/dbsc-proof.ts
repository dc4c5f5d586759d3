import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, importJWK, type JWK, jwtVerify } from 'jose';
import { PROOF_ALGORITHMS, PROOF_TYPE } from './dbsc-headers';

/** Why a DBSC proof was refused: precise for the audit log, never told to the client. */
export type ProofFailure =
  | 'proof_missing'
  | 'malformed'
  | 'bad_typ'
  | 'bad_alg'
  | 'missing_jwk'
  | 'bad_signature'
  | 'key_mismatch'
  | 'missing_jti'
  | 'unknown_session'
  | 'challenge_unknown'
  | 'challenge_expired'
  | 'already_registered';

export class ProofRejectedError extends Error {
  constructor(
    readonly reason: ProofFailure,
    readonly sessionId?: string,
  ) {
    super(reason);
    this.name = 'ProofRejectedError';
  }
}

export interface VerifiedProof {
  /** The challenge the proof answers (its `jti`). */
  challenge: string;
  alg: string;
  /** The public key, public members only, as stored with the session. */
  publicJwk: JWK;
}

/**
 * A registration proof is self-signed: `typ` dbsc+jwt, an allowed asymmetric `alg`, and the public key in
 * the `jwk` header, which verifies the signature. jose's EmbeddedJWK refuses a `jwk` with private members.
 */
export async function verifyRegistrationProof(proof: string): Promise<VerifiedProof> {
  const header = checkedHeader(proof);
  if (header.jwk === undefined || typeof header.jwk !== 'object') throw new ProofRejectedError('missing_jwk');
  const { payload } = await verifyOrReject(() =>
    jwtVerify(proof, EmbeddedJWK, { typ: PROOF_TYPE, algorithms: [...PROOF_ALGORITHMS] }),
  );
  return { challenge: jtiOf(payload), alg: header.alg as string, publicJwk: publicMembers(header.jwk) };
}

/**
 * A refresh proof must verify with the key registered for the session, under its algorithm. A proof that
 * names another key in its header is a key mismatch (someone else's key), told apart from a bad signature.
 */
export async function verifyRefreshProof(proof: string, registered: { jwk: JWK; alg: string }): Promise<string> {
  const header = checkedHeader(proof);
  if (header.alg !== registered.alg) throw new ProofRejectedError('bad_alg');
  if (header.jwk !== undefined) {
    const presented = await calculateJwkThumbprint(publicMembers(header.jwk)).catch(() => undefined);
    if (presented !== (await calculateJwkThumbprint(registered.jwk))) throw new ProofRejectedError('key_mismatch');
  }
  const key = await importJWK(registered.jwk, registered.alg);
  const { payload } = await verifyOrReject(() =>
    jwtVerify(proof, key, { typ: PROOF_TYPE, algorithms: [registered.alg] }),
  );
  return jtiOf(payload);
}

function checkedHeader(proof: string) {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw new ProofRejectedError('malformed');
  }
  if (header.typ !== PROOF_TYPE) throw new ProofRejectedError('bad_typ');
  if (!(PROOF_ALGORITHMS as readonly unknown[]).includes(header.alg)) throw new ProofRejectedError('bad_alg');
  return header;
}

async function verifyOrReject<T>(verify: () => Promise<T>): Promise<T> {
  try {
    return await verify();
  } catch {
    throw new ProofRejectedError('bad_signature');
  }
}

function jtiOf(payload: { jti?: unknown }): string {
  if (typeof payload.jti !== 'string' || payload.jti.length === 0) throw new ProofRejectedError('missing_jti');
  return payload.jti;
}

/** RFC 7517 public members of an EC or RSA key: nothing else is kept or compared. */
function publicMembers(jwk: JWK): JWK {
  const { kty, crv, x, y, n, e } = jwk;
  return Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, value]) => value !== undefined));
}
