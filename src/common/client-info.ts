import type { Request } from 'express';
import { isIPv6 } from 'node:net';
import { ipPrefix } from './ip-prefix';

export interface ClientInfo {
  /** The socket's address, or the X-Forwarded-For hop Express derived through TRUST_PROXY. */
  ip: string;
  userAgent: string;
}

const MAX_USER_AGENT_LENGTH = 512;

/** Express computes req.ip from `trust proxy`, so forwarded headers count only from configured proxies. */
export function clientInfo(request: Request): ClientInfo {
  return {
    ip: normalizeIp(request.ip ?? request.socket.remoteAddress ?? ''),
    userAgent: (request.get('user-agent') ?? '').slice(0, MAX_USER_AGENT_LENGTH),
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
