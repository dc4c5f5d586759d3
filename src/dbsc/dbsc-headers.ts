/**
 * The HTTP fields of Device Bound Session Credentials (W3C Web Application Security WG draft,
 * https://w3c.github.io/webappsec-dbsc/ §9). Values are RFC 8941 structured fields.
 */
export const REGISTRATION_HEADER = 'Secure-Session-Registration';
export const CHALLENGE_HEADER = 'Secure-Session-Challenge';
export const RESPONSE_HEADER = 'Secure-Session-Response';
export const SESSION_ID_HEADER = 'Sec-Secure-Session-Id';

/** The draft names ES256 and RS256; both are asymmetric, so a proof can never be forged with a shared secret. */
export const PROOF_ALGORITHMS = ['ES256', 'RS256'] as const;
export const PROOF_TYPE = 'dbsc+jwt';

/** Our values (base64url challenges, UUID session ids, paths) never need escaping inside an sf-string. */
function sfString(value: string): string {
  return `"${value}"`;
}

/** `(ES256 RS256);path="/api/dbsc/register";challenge="..."`: an sf-list with one inner list of tokens. */
export function registrationHeader(path: string, challenge: string): string {
  return `(${PROOF_ALGORITHMS.join(' ')});path=${sfString(path)};challenge=${sfString(challenge)}`;
}

/** `"<challenge>";id="<session id>"` (§9.2). */
export function challengeHeader(challenge: string, sessionId: string): string {
  return `${sfString(challenge)};id=${sfString(sessionId)}`;
}

/**
 * Reads an sf-string field (Secure-Session-Response, Sec-Secure-Session-Id). A bare value is accepted too,
 * as early Chrome builds sent one; anything with characters neither form allows is refused (undefined).
 */
export function readSfString(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  const quoted = /^"([\x20-\x21\x23-\x5b\x5d-\x7e]*)"$/.exec(value);
  const text = quoted ? quoted[1] : value;
  return /^[A-Za-z0-9._~-]{1,8192}$/.test(text) ? text : undefined;
}
