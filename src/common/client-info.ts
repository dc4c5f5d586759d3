import type { Request } from 'express';
import { isIPv6 } from 'node:net';
import { ipPrefix } from './ip-prefix';
import { MAX_IP_LENGTH, storedText } from './stored-text';

export interface ClientInfo {
  /** The socket's address, or the X-Forwarded-For hop Express derived through TRUST_PROXY. */
  ip: string;
  /** Bounded and displayable (storedText): it is stored with sessions and audit events. */
  userAgent: string;
}

/** Express computes req.ip from `trust proxy`, so forwarded headers count only from configured proxies. */
export function clientInfo(request: Request): ClientInfo {
  return {
    // Only a trusted proxy's X-Forwarded-For could make it longer; proxy-addr does not validate the entry.
    ip: storedText(normalizeIp(request.ip ?? request.socket.remoteAddress ?? ''), MAX_IP_LENGTH),
    userAgent: storedText(request.get('user-agent') ?? ''),
  };
}

/** IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d; one client, one spelling. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/**
 * The unit every rate limit and lockout counts: an IPv4 address, or an IPv6 /64. An IPv6 client usually
 * holds a whole /64 (RFC 6177), so counting single addresses would let it rotate past any limit.
 */
export function clientKey(ip: string): string {
  return isIPv6(ip) ? ipPrefix(ip, 32, 64) : ip;
}
