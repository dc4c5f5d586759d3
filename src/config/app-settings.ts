import { readFileSync } from 'node:fs';
import { boolean, duration, integer, list, matching, oneOf, port, splitList, text } from './readers';
import { defineSettings, NODE_ENVS, SettingsContext } from './settings';
import { trustProxyProblems } from './trust-proxy';

/** Node http.Server timeouts, in seconds. */
export interface HttpTimeouts {
  /** The whole request head must arrive within this (slowloris). */
  headersSeconds: number;
  /** The whole request, body included. */
  requestSeconds: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveSeconds: number;
}

/** Certificate and key for serving HTTPS directly, or null (plain HTTP, or TLS terminated upstream). */
export type TlsFiles = { cert: Buffer; key: Buffer } | null;

/** The settings of the process itself, which belong to no feature. */
export const APP_SETTINGS = {
  NODE_ENV: oneOf(NODE_ENVS, 'production'),
  PORT: port(3000),
  // Node's defaults (60s for headers, 300s for a request) let a client that announces a body it never sends
  // hold a connection for minutes; Warden's bodies are at most 16 KB.
  HTTP_HEADERS_TIMEOUT: duration('10s', 1, 300),
  HTTP_REQUEST_TIMEOUT: duration('30s', 1, 600),
  HTTP_KEEP_ALIVE_TIMEOUT: duration('5s', 1, 600),
  TRUST_PROXY: text(),
  CORS_ORIGINS: list(),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], ({ nodeEnv }) =>
    nodeEnv === 'test' ? 'silent' : 'info',
  ),
  TLS_CERT_FILE: text(),
  TLS_KEY_FILE: text(),
  /** A reverse proxy terminates HTTPS in front of Warden (name it in TRUST_PROXY). */
  TLS_TERMINATED_UPSTREAM: boolean(false, { refuseEmpty: true }),
  COOKIE_SECURE: boolean(true, { refuseEmpty: true }),
  // How many Warden processes share this database; above 1 needs PostgreSQL and Redis (src/app.config.ts).
  WARDEN_INSTANCES: integer(1, 1, 1000),
};

export const appConfig = defineSettings('app', APP_SETTINGS, (values, context) => {
  const { problems, production } = context;
  const httpTimeouts: HttpTimeouts = {
    headersSeconds: values.HTTP_HEADERS_TIMEOUT,
    requestSeconds: values.HTTP_REQUEST_TIMEOUT,
    keepAliveSeconds: values.HTTP_KEEP_ALIVE_TIMEOUT,
  };
  if (httpTimeouts.requestSeconds < httpTimeouts.headersSeconds) {
    problems.push('HTTP_REQUEST_TIMEOUT must be at least HTTP_HEADERS_TIMEOUT (the request includes its headers)');
  }
  const cookieSecure = values.COOKIE_SECURE;
  if (production && !cookieSecure) {
    problems.push('COOKIE_SECURE=false is refused in production: cookies would travel over plain HTTP');
  }
  const tls = readTls(values.TLS_CERT_FILE, values.TLS_KEY_FILE, problems);
  const tlsTerminatedUpstream = values.TLS_TERMINATED_UPSTREAM;
  if (production && tls === null && !tlsTerminatedUpstream && problems.every((p) => !p.startsWith('TLS_'))) {
    problems.push(
      'HTTPS is required in production: set TLS_CERT_FILE and TLS_KEY_FILE to serve it, or ' +
        'TLS_TERMINATED_UPSTREAM=true when a reverse proxy (named in TRUST_PROXY) terminates TLS',
    );
  }
  return {
    nodeEnv: context.nodeEnv,
    port: values.PORT,
    httpTimeouts,
    trustProxy: parseTrustProxy(values.TRUST_PROXY, context),
    corsOrigins: values.CORS_ORIGINS,
    logLevel: values.LOG_LEVEL,
    tls,
    tlsTerminatedUpstream,
    // RFC 6797 §7.2: HSTS is only meaningful over HTTPS, ours or a proxy's in front of us.
    hsts: tls !== null || tlsTerminatedUpstream,
    cookieSecure,
    /** WARDEN_INSTANCES: how many processes the operator declares; only used to refuse unsafe set-ups. */
    instances: values.WARDEN_INSTANCES,
  };
});

const DEFAULT_DATABASE_URL = 'sqlite:var/warden.sqlite';

export const databaseConfig = defineSettings(
  'database',
  {
    DATABASE_URL: matching(
      /^(sqlite:.+|postgres(ql)?:\/\/.+)$/,
      'DATABASE_URL must look like sqlite:var/warden.sqlite, sqlite::memory: or postgres://user@host/db',
      DEFAULT_DATABASE_URL,
    ),
  },
  (values) => ({ url: values.DATABASE_URL }),
);

/** DATABASE_URL or its default; read-only commands need no other setting. */
export function databaseUrlOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

function readTls(certFile: string | undefined, keyFile: string | undefined, problems: string[]): TlsFiles {
  if (certFile === undefined && keyFile === undefined) return null;
  if (certFile === undefined || keyFile === undefined) {
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE go together: set both to serve HTTPS, or neither');
    return null;
  }
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file);
    } catch {
      problems.push(`${name} points at ${file}, which cannot be read`);
      return undefined;
    }
  };
  const cert = read('TLS_CERT_FILE', certFile);
  const key = read('TLS_KEY_FILE', keyFile);
  return cert && key ? { cert, key } : null;
}

/**
 * Express `trust proxy` accepts addresses, subnets and the names loopback, linklocal and uniquelocal.
 * `true`, entries proxy-addr cannot compile and subnets wide enough to hold arbitrary clients are refused
 * (see trustProxyProblems): each would let a client choose its own IP with X-Forwarded-For.
 */
function parseTrustProxy(value: string | undefined, { problems }: SettingsContext): false | string[] {
  if (value === undefined || ['', 'false', 'off', 'none'].includes(value.trim())) return false;
  const entries = splitList(value);
  problems.push(...trustProxyProblems(entries));
  return entries;
}
