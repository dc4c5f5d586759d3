import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientInfo } from '../common/client-info';
import { userAgentFamily } from '../common/user-agent-family';
import type { DpopFailure } from '../dpop/dpop-proof-error';
import type { Transport } from '../access/token-source';

/** Why a refresh token was refused on a device other than the one its session began on. */
export type BindingFailure =
  | 'fingerprint_missing'
  | 'fingerprint_mismatch'
  | 'user_agent_mismatch'
  | 'dpop_proof_missing'
  | 'dpop_key_mismatch'
  | 'dpop_token_not_bound'
  | DpopFailure;

const BINDING_FAILURES: ReadonlySet<string> = new Set<string>([
  'fingerprint_missing',
  'fingerprint_mismatch',
  'user_agent_mismatch',
]);

export function isBindingFailure(reason: string): reason is BindingFailure {
  return BINDING_FAILURES.has(reason) || reason.startsWith('dpop_');
}

/** What a session is bound to for its whole life, stored when it starts. */
export interface DeviceBinding {
  /** SHA-256 of the browser's `__Host-fgp` cookie; null for bearer sessions. */
  fingerprintHash: string | null;
  /** "Firefox on Linux": a browser update keeps it, another browser or OS does not. */
  userAgentFamily: string;
  /** The DPoP key's thumbprint when the client logged in with a proof (RFC 9449 §5); null otherwise. */
  dpopJkt: string | null;
}

/** The device presenting a refresh token: its User-Agent, and for browsers the fingerprint cookie it sent. */
export interface PresentingDevice {
  userAgent: string;
  fingerprintCookie?: string;
  /** The outcome of the request's DPoP proof: its key's thumbprint, why it failed, or nothing sent. */
  dpop?: { jkt: string } | { failure: DpopFailure };
}

/**
 * The cookie holds 256 random bits, so a plain SHA-256 suffices (as for refresh tokens): a leaked
 * `sessions` table yields no cookie value.
 */
export function hashFingerprintCookie(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function deviceBinding(
  transport: Transport,
  client: ClientInfo,
  fingerprintCookie?: string,
  dpopJkt?: string,
): DeviceBinding {
  if (transport === 'cookie' && !fingerprintCookie) throw new Error('a browser session needs its fingerprint cookie');
  return {
    fingerprintHash: transport === 'cookie' ? hashFingerprintCookie(fingerprintCookie!) : null,
    userAgentFamily: userAgentFamily(client.userAgent),
    dpopJkt: dpopJkt ?? null,
  };
}

/**
 * Null when the device matches the session's binding. A browser must send the fingerprint cookie its
 * session began with: the refresh cookie is `__Secure-` with a narrow path, so a sibling subdomain can
 * plant one, but only this host can set the `__Host-` fingerprint cookie. Every client must keep its
 * User-Agent family; its address may change (phones move between networks). A session with no binding
 * (created before bindings were stored) matches nothing.
 */
export function bindingFailure(
  session: {
    transport: Transport;
    fingerprintHash: string | null;
    userAgentFamily: string | null;
    dpopJkt: string | null;
  },
  device: PresentingDevice,
): BindingFailure | null {
  const dpopFailure = dpopBindingFailure(session.dpopJkt, device.dpop);
  if (dpopFailure) return dpopFailure;
  if (session.transport === 'cookie') {
    if (!device.fingerprintCookie) return 'fingerprint_missing';
    if (
      !session.fingerprintHash ||
      !sameHash(hashFingerprintCookie(device.fingerprintCookie), session.fingerprintHash)
    ) {
      return 'fingerprint_mismatch';
    }
  }
  return session.userAgentFamily === userAgentFamily(device.userAgent) ? null : 'user_agent_mismatch';
}

/**
 * RFC 9449 §5: a DPoP session's refresh token is spent only with a proof by the same key. A session
 * without DPoP refuses a proof too: the key is chosen at login, never slipped in by whoever refreshes.
 */
function dpopBindingFailure(boundTo: string | null, dpop: PresentingDevice['dpop']): BindingFailure | null {
  if (dpop && 'failure' in dpop) return dpop.failure;
  if (boundTo === null) return dpop ? 'dpop_token_not_bound' : null;
  if (!dpop) return 'dpop_proof_missing';
  return dpop.jkt === boundTo ? null : 'dpop_key_mismatch';
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
