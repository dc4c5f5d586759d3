const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * A JWS segment in the one spelling RFC 7515 §2 allows: base64url without padding, and with the unused
 * low bits of the last character zero (RFC 4648 §3.5). Decoders ignore those bits, so without this check
 * a token whose last character is changed to a sibling still verifies: a second spelling of the same
 * token, which defeats any cache, denylist or log keyed on the token's text.
 */
export function isCanonicalBase64url(segment: string): boolean {
  return BASE64URL_ALPHABET.test(segment) && Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

/** Every segment of a compact JWS (header, payload, signature) is canonical base64url. */
export function isCanonicalCompactJws(token: string): boolean {
  const segments = token.split('.');
  return segments.length === 3 && segments.every(isCanonicalBase64url);
}
