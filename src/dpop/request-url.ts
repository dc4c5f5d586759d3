import type { Request } from 'express';

/**
 * The URL a client addressed, as RFC 9449 §4.3 compares it with a proof's `htu`: scheme and host as the
 * client saw them (Express reads X-Forwarded-Proto and X-Forwarded-Host only from TRUST_PROXY hops), the
 * path, and no query or fragment.
 */
export function requestUrl(request: Request): string | undefined {
  return normalizeHtu(`${request.protocol}://${request.host}${request.originalUrl}`);
}

/**
 * RFC 3986 §6.2.2/§6.2.3 normalisation through the WHATWG URL parser (lower-case scheme and host, no
 * default port, dot segments resolved), minus query and fragment. Undefined for anything that is not an
 * absolute http(s) URL without credentials.
 */
export function normalizeHtu(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return undefined;
  url.search = '';
  url.hash = '';
  return url.href;
}
