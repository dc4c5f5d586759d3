import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { request as httpRequest } from 'node:http';
import { ACCESS_COOKIE, FINGERPRINT_COOKIE, readCookie, REFRESH_COOKIE } from '../access/token-source';
import { CSRF_HEADER } from '../csrf/csrf.service';
import type { LabAttack } from './dto/replay.dto';

export interface LabExchange {
  label: string;
  request: { method: string; path: string; headers: Record<string, string> };
  response: { status: number; body: unknown };
}

const STOLEN_USER_AGENT = 'Mallory/1.0 (replaying a stolen cookie)';

/**
 * Performs attacks against this very server, over HTTP, with the caller's own credentials, so the security
 * lab shows real answers. Token values never leave the server: the lab reports them shortened.
 */
@Injectable()
export class LabService {
  async replay(request: Request, attack: LabAttack): Promise<LabExchange> {
    const access = readCookie(request, ACCESS_COOKIE) ?? '';
    const fingerprint = readCookie(request, FINGERPRINT_COOKIE) ?? '';
    const userAgent = request.get('user-agent') ?? '';
    const cookies: Record<string, string> = { [ACCESS_COOKIE]: access, [FINGERPRINT_COOKIE]: fingerprint };
    let headers: Record<string, string> = { 'User-Agent': userAgent };
    if (attack === 'alg-none') {
      cookies[ACCESS_COOKIE] = forgeUnsigned(access);
    } else if (attack === 'other-user-agent') {
      headers = { 'User-Agent': STOLEN_USER_AGENT };
    } else {
      delete cookies[FINGERPRINT_COOKIE];
    }
    return this.send(request, attack, 'GET', '/api/users/me', { ...headers, Cookie: cookieHeader(cookies) });
  }

  /** Spends the caller's refresh token, then presents it again: the reuse must end the whole session. */
  async refreshReuse(request: Request): Promise<LabExchange[]> {
    const refresh = readCookie(request, REFRESH_COOKIE) ?? '';
    const headers = {
      'User-Agent': request.get('user-agent') ?? '',
      [CSRF_HEADER]: request.get(CSRF_HEADER) ?? '',
      Cookie: cookieHeader({
        [REFRESH_COOKIE]: refresh,
        [FINGERPRINT_COOKIE]: readCookie(request, FINGERPRINT_COOKIE) ?? '',
      }),
    };
    const legitimate = await this.send(request, 'The thief refreshes first', 'POST', '/api/auth/refresh', headers);
    const reuse = await this.send(
      request,
      'The owner presents the same, now spent, token',
      'POST',
      '/api/auth/refresh',
      headers,
    );
    const accessAfter = await this.send(
      request,
      "The thief's fresh access token after the reuse",
      'GET',
      '/api/users/me',
      {
        'User-Agent': headers['User-Agent'],
        Cookie: cookieHeader({
          [ACCESS_COOKIE]: legitimate.newAccessToken ?? '',
          [FINGERPRINT_COOKIE]: readCookie(request, FINGERPRINT_COOKIE) ?? '',
        }),
      },
    );
    return [legitimate, reuse, accessAfter].map(({ newAccessToken: _token, ...exchange }) => exchange);
  }

  /** One request to this server from the lab; POSTs carry `body` (default `{}`). */
  send(
    origin: Request,
    label: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body: unknown = {},
  ): Promise<LabExchange & { newAccessToken?: string }> {
    const port = origin.socket.localPort;
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        { host: '127.0.0.1', port, method, path, headers: { ...headers, 'Content-Type': 'application/json' } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            const setCookie = response.headers['set-cookie'] ?? [];
            const access = setCookie.find((line) => line.startsWith(`${ACCESS_COOKIE}=`));
            resolve({
              label,
              request: { method, path, headers: redact(headers) },
              response: { status: response.statusCode ?? 0, body: parse(text) },
              newAccessToken: access?.slice(ACCESS_COOKIE.length + 1).split(';')[0],
            });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(method === 'POST' ? JSON.stringify(body) : undefined);
    });
  }
}

/** The caller's own claims under `alg: none` and no signature: what a forger without the key can make. */
function forgeUnsigned(token: string): string {
  const [header, payload] = token.split('.');
  let kid: unknown;
  try {
    kid = (JSON.parse(Buffer.from(header ?? '', 'base64url').toString()) as { kid?: unknown }).kid;
  } catch {
    kid = undefined;
  }
  const forgedHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid })).toString('base64url');
  return `${forgedHeader}.${payload ?? ''}.`;
}

/** Cookie values Warden issues are JWTs and base64url; anything else is forwarded as empty, never raw. */
const COOKIE_VALUE = /^[A-Za-z0-9._~-]*$/;

function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${COOKIE_VALUE.test(value) ? value : ''}`)
    .join('; ');
}

/** Shows the shape of what was sent without the secrets: a few leading characters of each value. */
function redact(headers: Record<string, string>): Record<string, string> {
  const shorten = (value: string) => (value.length > 12 ? `${value.slice(0, 10)}…` : value);
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      name === 'Cookie'
        ? value
            .split('; ')
            .map((pair) => {
              const [cookie, ...rest] = pair.split('=');
              return `${cookie}=${shorten(rest.join('='))}`;
            })
            .join('; ')
        : name === CSRF_HEADER || name === 'DPoP'
          ? shorten(value)
          : name === 'Authorization'
            ? value.replace(/ (.+)$/, (_all, token: string) => ` ${shorten(token)}`)
            : value,
    ]),
  );
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
