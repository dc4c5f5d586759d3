import { plainToInstance } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, validateSync } from 'class-validator';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseDurationSeconds } from './duration';
import { ExternalIssuerSettings, parseExternalIssuers } from './external-issuers';
import {
  DEVELOPMENT_SECRETS_FILE,
  developmentSecretProblem,
  isDevelopmentSecret,
  loadDevelopmentSecrets,
  readDevelopmentSecrets,
} from './development-secrets';
import { envFileSettings } from './env-file-settings';
import { decodeSecret, SECRET_SETTINGS, SecretSetting } from './secrets';
import { AccountSettings, MailSettings, resolveAccountSettings } from './account-settings';
import { trustProxyProblems } from './trust-proxy';

export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'PS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

const DURATION_HINT = 'a duration such as 30s, 15m, 12h or 7d';
/** OWASP: access tokens are bearer credentials; past an hour a stolen one is worth too much. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 60 * 60;
/**
 * Clock skew between instances and verifiers that a retiring key's lifetime absorbs; it covers the
 * verifier's own tolerance (RFC 7519 §4.1.4) with room to spare.
 */
export const KEY_RETIRE_LEEWAY_SECONDS = 60;
const OFF = ['', '0', 'off', 'false', 'none'];
/** `1`, `yes` or `True` would pass a looser check and then read as false: only the two words are accepted. */
const BOOLEAN = ['true', 'false'];
const booleanMessage = { message: '$property must be true or false' };

/** The raw environment, as strings, with the shape checks class-validator can express. */
class RawEnvironment {
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;
  @IsOptional() @IsString() PORT?: string;
  @IsOptional()
  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must look like sqlite:var/warden.sqlite, sqlite::memory: or postgres://user@host/db',
  })
  DATABASE_URL?: string;
  @IsOptional() @IsString() JWT_ISSUER?: string;
  @IsOptional() @IsString() JWT_AUDIENCE?: string;
  @IsOptional() @IsIn(SIGNING_ALGORITHMS) JWT_ALG?: string;
  @IsOptional() @IsString() TRUST_PROXY?: string;
  @IsOptional() @IsIn(BOOLEAN, booleanMessage) COOKIE_SECURE?: string;
  @IsOptional() @IsString() CORS_ORIGINS?: string;
  @IsOptional() @IsIn(BOOLEAN, booleanMessage) LAB_ENABLED?: string;
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL?: string;
  @IsOptional() @IsString() ALERT_WEBHOOK_URL?: string;
  @IsOptional()
  @Matches(/^(\d+\s*(s|m|h|d)?|off)$/, { message: `KEY_ROTATION_INTERVAL must be off or ${DURATION_HINT}` })
  KEY_ROTATION_INTERVAL?: string;
  @IsOptional() @IsString() TLS_CERT_FILE?: string;
  @IsOptional() @IsString() TLS_KEY_FILE?: string;
  @IsOptional() @IsIn(BOOLEAN, booleanMessage) TLS_TERMINATED_UPSTREAM?: string;
  @IsOptional() @IsString() SMTP_URL?: string;
  @IsOptional() @IsString() MAIL_FROM?: string;
  @IsOptional() @IsIn(BOOLEAN, booleanMessage) MAIL_OUTBOX?: string;
  @IsOptional() @IsString() PUBLIC_URL?: string;
  @IsOptional()
  @IsIn(['refuse', 'allow'], { message: 'UNVERIFIED_LOGIN must be refuse or allow' })
  UNVERIFIED_LOGIN?: string;
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, {
    message: 'REDIS_URL must look like redis://host:6379/0 or rediss://user:pass@host:6380',
  })
  REDIS_URL?: string;
  @IsOptional()
  @Matches(/^[\w.:-]{1,64}$/, { message: 'REDIS_KEY_PREFIX must be 1-64 letters, digits, _ . : or -' })
  REDIS_KEY_PREFIX?: string;
  @IsOptional() @IsString() EXTERNAL_ISSUERS?: string;
  @IsOptional() @IsString() WEBAUTHN_RP_ID?: string;
  @IsOptional() @IsString() WEBAUTHN_ORIGINS?: string;
  @IsOptional() @IsString() BREACHED_PASSWORD_RANGE_URL?: string;
  @IsOptional() @IsString() RESOURCE_AUDIENCES?: string;
}

/** Integer settings: name, default, smallest and largest accepted value. */
export const INTEGER_SETTINGS = {
  RATE_LIMIT_MAX: [300, 1, 1_000_000],
  LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: [10, 1, 10_000],
  // At most the attempt store's per-key window (MAX_HITS_PER_KEY): a higher threshold could never be reached.
  LOGIN_MAX_FAILURES_PER_ACCOUNT: [100, 1, 10_000],
  LOGIN_MAX_FAILURES_PER_IP: [50, 1, 10_000],
  LOGIN_IP_BLOCK_MIN_ACCOUNTS: [5, 1, 10_000],
  ANOMALY_FINGERPRINT_MISMATCHES: [3, 0, 1000],
  MAX_SESSIONS_PER_USER: [10, 1, 1000],
  ALERT_WEBHOOK_ATTEMPTS: [5, 1, 20],
  ALERT_WEBHOOK_BACKOFF_MS: [1000, 0, 600_000],
  AUDIT_RETENTION_DAYS: [90, 1, 36_500],
  MAIL_ATTEMPTS: [5, 1, 20],
  MAIL_BACKOFF_MS: [2000, 0, 600_000],
  ACCOUNT_MAIL_MAX_PER_ADDRESS: [5, 1, 1000],
  ACCOUNT_MAIL_MAX_PER_CLIENT: [20, 1, 1_000_000],
  // How many Warden processes share this database; above 1 needs PostgreSQL and Redis.
  WARDEN_INSTANCES: [1, 1, 1000],
  VERIFIED_TOKEN_CACHE_SIZE: [10_000, 0, 1_000_000],
  // One core is left to the event loop, so logins flooding in cannot starve every other request.
  PASSWORD_HASH_CONCURRENCY: [Math.max(1, availableParallelism() - 1), 1, 256],
  PASSWORD_HASH_QUEUE: [50, 0, 100_000],
} as const satisfies Record<string, readonly [number, number, number]>;

/**
 * Duration settings: name, default, smallest and largest accepted value (seconds; 0 may mean "off"), and
 * optionally why the bounds are what they are.
 */
const DURATION_SETTINGS = {
  ACCESS_TOKEN_TTL: ['15m', 1, MAX_ACCESS_TOKEN_TTL_SECONDS, 'access tokens cannot be recalled once issued'],
  REFRESH_TOKEN_TTL: ['7d', 1, 365 * 86_400],
  SESSION_MAX_AGE: ['30d', 1, 3650 * 86_400],
  DBSC_COOKIE_TTL: ['10m', 0, 3600, 'the bound cookie is what a thief can replay without the key'],
  REFRESH_REUSE_GRACE: ['0s', 0, 60, 'a longer grace lets a stolen refresh token race the owner'],
  KEY_REFRESH_INTERVAL: ['30s', 1, 300, 'it bounds how long instances disagree on the signing key'],
  JWKS_MAX_AGE: ['5m', 0, 86_400],
  KEY_PREPUBLISH_LEAD: ['1h', 1, 30 * 86_400],
  RATE_LIMIT_WINDOW: ['1m', 1, 86_400],
  LOGIN_FAILURE_WINDOW: ['15m', 1, 86_400],
  LOGIN_LOCKOUT_BASE: ['60s', 1, 86_400],
  LOGIN_LOCKOUT_MAX: ['15m', 1, 7 * 86_400],
  LOGIN_IP_BLOCK: ['15m', 1, 7 * 86_400],
  ANOMALY_FINGERPRINT_WINDOW: ['5m', 1, 86_400],
  ANOMALY_SESSION_SPREAD_WINDOW: ['10m', 0, 86_400],
  ANOMALY_ALERT_DEDUP_WINDOW: ['1h', 0, 86_400],
  ALERT_WEBHOOK_TIMEOUT: ['5s', 1, 60],
  STEP_UP_MAX_AGE: ['10m', 1, 86_400],
  MAIL_TIMEOUT: ['10s', 1, 120],
  EMAIL_VERIFICATION_TTL: ['24h', 300, 7 * 86_400],
  PASSWORD_RESET_TTL: ['30m', 300, 86_400, 'a reset link is a password for its lifetime'],
  EMAIL_CHANGE_TTL: ['1h', 300, 7 * 86_400],
  EMAIL_CHANGE_UNDO_WINDOW: ['7d', 3600, 90 * 86_400],
  ACCOUNT_MAIL_WINDOW: ['1h', 60, 86_400],
  REVOCATION_SYNC_INTERVAL: ['2s', 1, 300, 'it bounds how late a revocation reaches an instance without Redis'],
  REVOCATION_MAX_STALENESS: ['10s', 2, 3600],
  CLIENT_IDLE_TIMEOUT: ['30m', 60, 7 * 86_400, 'the browser client stops refreshing after this long without input'],
  BREACHED_PASSWORD_TIMEOUT: ['2s', 1, 30, 'registration and password change wait for it'],
  PASSWORD_HASH_MAX_WAIT: ['3s', 1, 60],
  // Node's defaults (60s for headers, 300s for a request) let a client that announces a body it never sends
  // hold a connection for minutes; Warden's bodies are at most 16 KB.
  HTTP_HEADERS_TIMEOUT: ['10s', 1, 300],
  HTTP_REQUEST_TIMEOUT: ['30s', 1, 600],
  HTTP_KEEP_ALIVE_TIMEOUT: ['5s', 1, 600],
  DPOP_PROOF_MAX_AGE: ['60s', 5, 300, 'the replay cache must hold every proof still young enough to pass'],
} as const satisfies Record<string, readonly [string, number, number] | readonly [string, number, number, string]>;

const BOOLEAN_SETTINGS = {
  ANOMALY_REFRESH_REUSE: true,
  ANOMALY_NEW_DEVICE: true,
  DPOP_NONCE: false,
} as const satisfies Record<string, boolean>;

/**
 * Where a secret's value came from; security:check reports it and production refuses `generated`.
 * `missing` only when loading with `developmentSecrets: 'read-only'`: none is set or stored yet, and the
 * value is absent from `secrets` (such an environment is for reporting, never for running Warden).
 */
export type SecretSource = 'env' | 'file' | 'generated' | 'missing';

export interface KeySettings {
  /** Automatic rotation period, or null when keys rotate only through `keys:rotate`. */
  rotationIntervalSeconds: number | null;
  /** How often each instance re-reads the key table: the bound on picking up another instance's rotation. */
  refreshIntervalSeconds: number;
  /** Cache-Control max-age of the JWKS and discovery documents. */
  jwksMaxAgeSeconds: number;
  /** How long a next key is published before it signs; longer than any cache of the JWKS may be stale. */
  prepublishLeadSeconds: number;
  /** Accepted for decrypting private keys while KEY_ENCRYPTION_KEY changes; never used to seal. */
  previousEncryptionKey: Buffer | null;
}

export interface ThrottleSettings {
  /** @nestjs/throttler: requests per client (an IPv6 /64 counts as one) per window, across all routes. */
  rateLimit: { windowSeconds: number; max: number };
  login: {
    windowSeconds: number;
    maxFailuresPerAccountIp: number;
    maxFailuresPerAccount: number;
    maxFailuresPerIp: number;
    ipBlockMinAccounts: number;
    lockoutBaseSeconds: number;
    lockoutMaxSeconds: number;
    ipBlockSeconds: number;
  };
}

export interface AnomalySettings {
  refreshReuse: boolean;
  newDevice: boolean;
  /** 0 turns the rule off. */
  fingerprintMismatches: number;
  fingerprintWindowSeconds: number;
  /** 0 turns the rule off. */
  sessionSpreadWindowSeconds: number;
  /** One alert per user and rule within this window; 0 raises every one. */
  alertDedupWindowSeconds: number;
}

export interface AlertSettings {
  webhook?: { url: string; secret: Buffer; timeoutSeconds: number; attempts: number; backoffMs: number };
}

export interface MfaSettings {
  /** How recent an authentication must be for a @RequiresRecentAuth() route (OIDC max_age). */
  stepUpMaxAgeSeconds: number;
  /** WebAuthn relying party: the domain passkeys are scoped to, and the page origins allowed to use them. */
  webauthn: { rpId: string; origins: string[] };
}

/** Node http.Server timeouts, in seconds. */
export interface HttpTimeouts {
  /** The whole request head must arrive within this (slowloris). */
  headersSeconds: number;
  /** The whole request, body included. */
  requestSeconds: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveSeconds: number;
}

/** Shared state between instances; null keeps everything in the process and the database. */
export interface RedisSettings {
  url: string;
  /** Prepended to every key and channel, so several deployments (or test runs) can share one Redis. */
  keyPrefix: string;
}

export interface RevocationSettings {
  /** How often each instance re-reads the revocation table (the only path without Redis; a backstop with it). */
  syncIntervalSeconds: number;
  /** Past this without a successful read, protected requests get a 503 instead of a possibly stale answer. */
  maxStalenessSeconds: number;
}

export interface Environment {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  httpTimeouts: HttpTimeouts;
  databaseUrl: string;
  jwt: {
    issuer: string;
    audience: string;
    algorithm: SigningAlgorithm;
    accessTokenTtlSeconds: number;
    /** Other resource servers a signed-in client may ask a token for (ASVS 5.0 9.2.4); each is an `aud`. */
    resourceAudiences: string[];
    /** Verified access tokens remembered so their signature is checked once; 0 turns the cache off. */
    verifiedTokenCacheSize: number;
  };
  /** Load shedding for password hashing: hashes at once, logins waiting, and how long one may wait. */
  passwordHashing: { concurrency: number; queue: number; maxWaitSeconds: number };
  sessions: {
    refreshTokenTtlSeconds: number;
    maxAgeSeconds: number;
    reuseGraceSeconds: number;
    /** Live sessions one user may hold; a login beyond it ends the one unused the longest. */
    maxSessionsPerUser: number;
    /** The browser client stops its silent refresh after this long without user input (ASVS 5.0 7.3.1). */
    clientIdleTimeoutSeconds: number;
    /** Life of the DBSC-bound cookie (seconds); 0: Warden offers no DBSC registration. */
    dbscCookieTtlSeconds: number;
  };
  secrets: Record<SecretSetting, Buffer>;
  /** Settings whose value came from var/ (development only); production refuses to start with any. */
  generatedSecrets: SecretSetting[];
  secretSources: Record<SecretSetting, SecretSource>;
  keys: KeySettings;
  trustProxy: false | string[];
  cookieSecure: boolean;
  corsOrigins: string[];
  labEnabled: boolean;
  logLevel: string;
  throttle: ThrottleSettings;
  anomaly: AnomalySettings;
  alerts: AlertSettings;
  audit: { retentionDays: number };
  /** Certificate and key for serving HTTPS directly, or null (plain HTTP, or TLS terminated upstream). */
  tls: { cert: Buffer; key: Buffer } | null;
  /** A reverse proxy terminates HTTPS in front of Warden (name it in TRUST_PROXY). */
  tlsTerminatedUpstream: boolean;
  mail: MailSettings;
  accounts: AccountSettings;
  redis: RedisSettings | null;
  /** WARDEN_INSTANCES: how many processes the operator declares; only used to refuse unsafe set-ups. */
  instances: number;
  revocation: RevocationSettings;
  /** Other OpenID providers whose access tokens the guard accepts; empty: Warden trusts only itself. */
  externalIssuers: ExternalIssuerSettings[];
  mfa: MfaSettings;
  /** DPoP (RFC 9449): how old a proof may be, and whether proofs must carry a server nonce. */
  dpop: { proofMaxAgeSeconds: number; nonce: boolean };
  /** The optional k-anonymity breach check (null: off, offline rules only). */
  passwords: { breachedRangeUrl: string | null; breachedTimeoutSeconds: number };
}

export interface LoadOptions {
  developmentSecretsFile?: string;
  /**
   * `generate` (the default; outside production only): a missing secret is generated into
   * var/dev-secrets.json. `read-only`: values already stored there are used, the rest are reported as
   * `missing` and nothing is written; for commands that must change nothing (security:check).
   */
  developmentSecrets?: 'generate' | 'read-only';
  /** The .env production ignores; read only to say so when it holds a missing secret. */
  envFile?: string;
}

/** DATABASE_URL or its default; read-only commands need no other setting. */
export function databaseUrlOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL ?? 'sqlite:var/warden.sqlite';
}

export class ConfigurationError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Reads, validates and types every setting. The only reader of process.env in the code base; every
 * refusal names the variable and how to fix it.
 */
export function loadEnvironment(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Environment {
  const raw = plainToInstance(RawEnvironment, env, { excludeExtraneousValues: false });
  const problems = validateSync(raw).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    ),
  );

  // Unset is production: a forgotten NODE_ENV must not switch on the lab, generated secrets and Swagger UI.
  // Development is chosen explicitly (npm run start:dev sets it).
  const nodeEnv = (env.NODE_ENV || 'production') as Environment['nodeEnv'];
  const production = nodeEnv === 'production';
  const port = readPort(env.PORT, problems);
  const duration = (name: keyof typeof DURATION_SETTINGS) => readDuration(env, name, problems);

  const accessTokenTtlSeconds = duration('ACCESS_TOKEN_TTL');
  const refreshTokenTtlSeconds = duration('REFRESH_TOKEN_TTL');
  const maxAgeSeconds = duration('SESSION_MAX_AGE');
  if (refreshTokenTtlSeconds <= accessTokenTtlSeconds) {
    problems.push('REFRESH_TOKEN_TTL must be longer than ACCESS_TOKEN_TTL');
  }
  if (maxAgeSeconds < refreshTokenTtlSeconds) {
    problems.push('SESSION_MAX_AGE must be at least REFRESH_TOKEN_TTL');
  }
  const reuseGraceSeconds = duration('REFRESH_REUSE_GRACE');

  // Anything but `false` keeps the Secure flag; a value other than true/false is refused above anyway.
  const cookieSecure = env.COOKIE_SECURE !== 'false';
  if (production && !cookieSecure) {
    problems.push('COOKIE_SECURE=false is refused in production: cookies would travel over plain HTTP');
  }

  const developmentSecretsFile = options.developmentSecretsFile ?? DEVELOPMENT_SECRETS_FILE;
  const { secrets, generatedSecrets, secretSources } = resolveSecrets(
    env,
    nodeEnv,
    developmentSecretsFile,
    options.developmentSecrets ?? 'generate',
    problems,
    options.envFile,
  );
  const keys = resolveKeySettings(env, problems, duration);
  const tls = resolveTls(env, problems);
  const trustProxy = parseTrustProxy(env.TRUST_PROXY, problems);
  const integer = (name: keyof typeof INTEGER_SETTINGS) => readInteger(env, name, problems);
  const flag = (name: keyof typeof BOOLEAN_SETTINGS) => readBoolean(env, name, problems);

  const throttle: ThrottleSettings = {
    rateLimit: { windowSeconds: duration('RATE_LIMIT_WINDOW'), max: integer('RATE_LIMIT_MAX') },
    login: {
      windowSeconds: duration('LOGIN_FAILURE_WINDOW'),
      maxFailuresPerAccountIp: integer('LOGIN_MAX_FAILURES_PER_ACCOUNT_IP'),
      maxFailuresPerAccount: integer('LOGIN_MAX_FAILURES_PER_ACCOUNT'),
      maxFailuresPerIp: integer('LOGIN_MAX_FAILURES_PER_IP'),
      ipBlockMinAccounts: integer('LOGIN_IP_BLOCK_MIN_ACCOUNTS'),
      lockoutBaseSeconds: duration('LOGIN_LOCKOUT_BASE'),
      lockoutMaxSeconds: duration('LOGIN_LOCKOUT_MAX'),
      ipBlockSeconds: duration('LOGIN_IP_BLOCK'),
    },
  };
  if (throttle.login.lockoutMaxSeconds < throttle.login.lockoutBaseSeconds) {
    problems.push('LOGIN_LOCKOUT_MAX must be at least LOGIN_LOCKOUT_BASE');
  }
  if (throttle.login.maxFailuresPerAccount < throttle.login.maxFailuresPerAccountIp) {
    // Otherwise an attacker on one address could lock the owner out from everywhere.
    problems.push(
      'LOGIN_MAX_FAILURES_PER_ACCOUNT must be at least LOGIN_MAX_FAILURES_PER_ACCOUNT_IP (and is best far higher)',
    );
  }
  const anomaly: AnomalySettings = {
    refreshReuse: flag('ANOMALY_REFRESH_REUSE'),
    newDevice: flag('ANOMALY_NEW_DEVICE'),
    fingerprintMismatches: integer('ANOMALY_FINGERPRINT_MISMATCHES'),
    fingerprintWindowSeconds: duration('ANOMALY_FINGERPRINT_WINDOW'),
    sessionSpreadWindowSeconds: duration('ANOMALY_SESSION_SPREAD_WINDOW'),
    alertDedupWindowSeconds: duration('ANOMALY_ALERT_DEDUP_WINDOW'),
  };
  const alerts = resolveAlerts(env, production, problems, {
    timeoutSeconds: duration('ALERT_WEBHOOK_TIMEOUT'),
    attempts: integer('ALERT_WEBHOOK_ATTEMPTS'),
    backoffMs: integer('ALERT_WEBHOOK_BACKOFF_MS'),
  });
  const retentionDays = integer('AUDIT_RETENTION_DAYS');
  const httpTimeouts: HttpTimeouts = {
    headersSeconds: duration('HTTP_HEADERS_TIMEOUT'),
    requestSeconds: duration('HTTP_REQUEST_TIMEOUT'),
    keepAliveSeconds: duration('HTTP_KEEP_ALIVE_TIMEOUT'),
  };
  if (httpTimeouts.requestSeconds < httpTimeouts.headersSeconds) {
    problems.push('HTTP_REQUEST_TIMEOUT must be at least HTTP_HEADERS_TIMEOUT (the request includes its headers)');
  }
  const tlsTerminatedUpstream = env.TLS_TERMINATED_UPSTREAM === 'true';
  if (production && tls === null && !tlsTerminatedUpstream && problems.every((p) => !p.startsWith('TLS_'))) {
    problems.push(
      'HTTPS is required in production: set TLS_CERT_FILE and TLS_KEY_FILE to serve it, or ' +
        'TLS_TERMINATED_UPSTREAM=true when a reverse proxy (named in TRUST_PROXY) terminates TLS',
    );
  }
  const { mail, accounts } = resolveAccountSettings(
    env,
    {
      production,
      development: nodeEnv === 'development',
      port,
      durations: {
        verificationTtlSeconds: duration('EMAIL_VERIFICATION_TTL'),
        resetTtlSeconds: duration('PASSWORD_RESET_TTL'),
        emailChangeTtlSeconds: duration('EMAIL_CHANGE_TTL'),
        emailChangeUndoSeconds: duration('EMAIL_CHANGE_UNDO_WINDOW'),
        mailWindowSeconds: duration('ACCOUNT_MAIL_WINDOW'),
        mailTimeoutSeconds: duration('MAIL_TIMEOUT'),
      },
      integers: {
        perAddress: integer('ACCOUNT_MAIL_MAX_PER_ADDRESS'),
        perClient: integer('ACCOUNT_MAIL_MAX_PER_CLIENT'),
        attempts: integer('MAIL_ATTEMPTS'),
        backoffMs: integer('MAIL_BACKOFF_MS'),
      },
    },
    problems,
  );
  const redis = env.REDIS_URL ? { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX ?? 'warden:' } : null;
  const instances = integer('WARDEN_INSTANCES');
  const revocation: RevocationSettings = {
    syncIntervalSeconds: duration('REVOCATION_SYNC_INTERVAL'),
    maxStalenessSeconds: duration('REVOCATION_MAX_STALENESS'),
  };
  if (revocation.maxStalenessSeconds <= revocation.syncIntervalSeconds) {
    problems.push('REVOCATION_MAX_STALENESS must be longer than REVOCATION_SYNC_INTERVAL (a few intervals is best)');
  }
  problems.push(...instanceProblems(databaseUrlOf(env), redis !== null, instances));
  const issuer = env.JWT_ISSUER ?? `http://localhost:${port}`;
  const externalIssuers = parseExternalIssuers(env.EXTERNAL_ISSUERS, { ownIssuer: issuer, production }, problems);
  const audience = env.JWT_AUDIENCE ?? 'warden-api';
  const resourceAudiences = list(env.RESOURCE_AUDIENCES);
  for (const resource of resourceAudiences) {
    if (resource === audience) problems.push(`RESOURCE_AUDIENCES must not list Warden's own audience (${audience})`);
    else if (/\s/.test(resource)) problems.push(`RESOURCE_AUDIENCES entries are single words or URIs: "${resource}"`);
  }
  const passwords = {
    breachedRangeUrl: parseBreachedRangeUrl(env.BREACHED_PASSWORD_RANGE_URL, production, problems),
    breachedTimeoutSeconds: duration('BREACHED_PASSWORD_TIMEOUT'),
  };

  const mfa = resolveMfa(env, issuer, duration('STEP_UP_MAX_AGE'), problems);

  if (problems.length > 0) {
    if (!env.NODE_ENV) {
      problems.push(
        'NODE_ENV is unset, so Warden runs as production; for development run `npm run start:dev` or set ' +
          'NODE_ENV=development in the environment',
      );
    }
    throw new ConfigurationError(problems);
  }

  return {
    nodeEnv,
    port,
    httpTimeouts,
    databaseUrl: databaseUrlOf(env),
    jwt: {
      issuer,
      audience,
      algorithm: (env.JWT_ALG ?? 'ES256') as SigningAlgorithm,
      accessTokenTtlSeconds,
      resourceAudiences,
      verifiedTokenCacheSize: integer('VERIFIED_TOKEN_CACHE_SIZE'),
    },
    passwordHashing: {
      concurrency: integer('PASSWORD_HASH_CONCURRENCY'),
      queue: integer('PASSWORD_HASH_QUEUE'),
      maxWaitSeconds: duration('PASSWORD_HASH_MAX_WAIT'),
    },
    sessions: {
      refreshTokenTtlSeconds,
      maxAgeSeconds,
      reuseGraceSeconds,
      maxSessionsPerUser: integer('MAX_SESSIONS_PER_USER'),
      clientIdleTimeoutSeconds: duration('CLIENT_IDLE_TIMEOUT'),
      dbscCookieTtlSeconds: duration('DBSC_COOKIE_TTL'),
    },
    secrets,
    generatedSecrets,
    secretSources,
    keys,
    trustProxy,
    cookieSecure,
    corsOrigins: list(env.CORS_ORIGINS),
    labEnabled: env.LAB_ENABLED === undefined ? nodeEnv === 'development' : env.LAB_ENABLED === 'true',
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    throttle,
    anomaly,
    alerts,
    audit: { retentionDays },
    tls,
    tlsTerminatedUpstream,
    mail,
    accounts,
    redis,
    instances,
    revocation,
    externalIssuers,
    mfa,
    dpop: { proofMaxAgeSeconds: duration('DPOP_PROOF_MAX_AGE'), nonce: flag('DPOP_NONCE') },
    passwords,
  };
}

/**
 * Several processes need a database they can share and Redis for what each would otherwise keep to
 * itself (login-failure counts, the request rate limit, instant revocation): refused rather than running
 * with N times the guesses an attacker should get.
 */
function instanceProblems(databaseUrl: string, redis: boolean, instances: number): string[] {
  if (instances <= 1) return [];
  const problems: string[] = [];
  if (databaseUrl.startsWith('sqlite:')) {
    problems.push(
      'WARDEN_INSTANCES > 1 needs PostgreSQL: several processes on one SQLite file are not supported (set DATABASE_URL=postgres://...)',
    );
  }
  if (!redis) {
    problems.push(
      'WARDEN_INSTANCES > 1 needs REDIS_URL: without it each instance counts login failures and requests alone and learns revocations only by polling',
    );
  }
  return problems;
}

/** A range API base such as https://api.pwnedpasswords.com/range/ (the 5-digit prefix is appended). */
function parseBreachedRangeUrl(value: string | undefined, production: boolean, problems: string[]): string | null {
  const raw = value?.trim();
  if (!raw || OFF.includes(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw.endsWith('/') ? raw : `${raw}/`);
  } catch {
    problems.push('BREACHED_PASSWORD_RANGE_URL must be an absolute URL, e.g. https://api.pwnedpasswords.com/range/');
    return null;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !production)) {
    problems.push('BREACHED_PASSWORD_RANGE_URL must use https (plain http is accepted outside production only)');
  }
  return url.toString();
}

/** Production reads no .env, by design; when a .env holds the secret, say so rather than leave it a mystery. */
function missingProductionSecret(name: string, inDotEnv: boolean): string {
  const where = `set it where the process starts (environment, or ${name}_FILE with a path to a file holding it)`;
  return inDotEnv
    ? `${name} is required in production; .env sets it, but production reads no .env: ${where}. See "Running in production" in README.md`
    : `${name} is required in production; ${where}. Generate values with \`npm run cli -- secrets:generate\``;
}

function readPort(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return 3000;
  const port = /^\d{1,5}$/.test(raw.trim()) ? Number(raw) : NaN;
  if (port >= 0 && port <= 65_535) return port;
  problems.push('PORT must be a port number between 0 and 65535 (default 3000)');
  return 3000;
}

function readInteger(env: NodeJS.ProcessEnv, name: keyof typeof INTEGER_SETTINGS, problems: string[]): number {
  const [fallback, min, max] = INTEGER_SETTINGS[name];
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(`${name} must be a whole number between ${min} and ${max} (default ${fallback})`);
    return fallback;
  }
  return value;
}

function readDuration(env: NodeJS.ProcessEnv, name: keyof typeof DURATION_SETTINGS, problems: string[]): number {
  const [fallback, min, max, why] = DURATION_SETTINGS[name] as readonly [string, number, number, string?];
  const raw = env[name];
  const value = parseDurationSeconds(raw === undefined || raw === '' ? fallback : raw);
  if (value === undefined || value < min || value > max) {
    const bounds = `between ${formatDuration(min)} and ${formatDuration(max)} (default ${fallback})`;
    problems.push(`${name} must be ${DURATION_HINT}, ${bounds}${why ? `: ${why}` : ''}`);
    return parseDurationSeconds(fallback) ?? 0;
  }
  return value;
}

function readBoolean(env: NodeJS.ProcessEnv, name: keyof typeof BOOLEAN_SETTINGS, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return BOOLEAN_SETTINGS[name];
  if (raw !== 'true' && raw !== 'false') {
    problems.push(`${name} must be true or false`);
    return BOOLEAN_SETTINGS[name];
  }
  return raw === 'true';
}

/**
 * The webhook is optional; its secret is required exactly when the URL is set, and judged like every other
 * secret. Production only posts over HTTPS: an alert says who is under attack.
 */
function resolveAlerts(
  env: NodeJS.ProcessEnv,
  production: boolean,
  problems: string[],
  delivery: { timeoutSeconds: number; attempts: number; backoffMs: number },
): AlertSettings {
  const url = env.ALERT_WEBHOOK_URL?.trim();
  const secret = readSecretSetting(env, 'ALERT_WEBHOOK_SECRET', undefined, problems)?.value;
  if (!url) {
    if (secret) problems.push('ALERT_WEBHOOK_SECRET is set but ALERT_WEBHOOK_URL is not; set both or neither');
    return {};
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.push('ALERT_WEBHOOK_URL must be an absolute http(s) URL, e.g. https://hooks.example.com/warden');
    return {};
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && !production)) {
    problems.push('ALERT_WEBHOOK_URL must use https (plain http is accepted outside production only)');
  }
  if (!secret) {
    problems.push(
      'ALERT_WEBHOOK_SECRET is required when ALERT_WEBHOOK_URL is set; generate one with `npm run cli -- secrets:generate`',
    );
    return {};
  }
  if (production && isDevelopmentSecret(secret)) {
    problems.push(developmentSecretProblem('ALERT_WEBHOOK_SECRET'));
    return {};
  }
  const decoded = decodeSecret(secret);
  if ('problem' in decoded) {
    problems.push(`ALERT_WEBHOOK_SECRET ${decoded.problem}; generate one with \`npm run cli -- secrets:generate\``);
    return {};
  }
  return { webhook: { url: parsed.toString(), secret: decoded.bytes, ...delivery } };
}

function resolveSecrets(
  env: NodeJS.ProcessEnv,
  nodeEnv: Environment['nodeEnv'],
  developmentSecretsFile: string,
  developmentSecrets: 'generate' | 'read-only',
  problems: string[],
  envFile?: string,
) {
  const production = nodeEnv === 'production';
  const provided: Partial<Record<SecretSetting, string>> = {};
  const secretSources = {} as Record<SecretSetting, SecretSource>;
  for (const name of SECRET_SETTINGS) {
    const value = readSecretSetting(env, name, production ? developmentSecretsFile : undefined, problems);
    if (value !== undefined) {
      provided[name] = value.value;
      secretSources[name] = value.source;
    }
  }

  const missing = SECRET_SETTINGS.filter((name) => provided[name] === undefined);
  let generatedSecrets: SecretSetting[] = [];
  if (missing.length > 0) {
    if (production) {
      const inDotEnv = envFileSettings(envFile);
      for (const name of missing) problems.push(missingProductionSecret(name, inDotEnv.has(name)));
    } else if (developmentSecrets === 'read-only') {
      const stored = readDevelopmentSecrets(developmentSecretsFile);
      for (const name of missing) {
        if (stored[name]) {
          provided[name] = stored[name];
          generatedSecrets.push(name);
          secretSources[name] = 'generated';
        } else {
          secretSources[name] = 'missing';
        }
      }
    } else {
      const generated = loadDevelopmentSecrets(missing, developmentSecretsFile);
      Object.assign(provided, generated);
      generatedSecrets = missing;
      for (const name of missing) secretSources[name] = 'generated';
    }
  }

  if (production) {
    // A value copied out of var/dev-secrets.json has sat unprotected on a developer's disk. The marker
    // catches it on any host; the file comparison catches values generated before the marker existed.
    const development = new Set(Object.values(readDevelopmentSecrets(developmentSecretsFile)));
    for (const name of SECRET_SETTINGS) {
      const value = provided[name];
      if (value !== undefined && isDevelopmentSecret(value)) {
        problems.push(developmentSecretProblem(name));
      } else if (value !== undefined && development.has(value.trim())) {
        problems.push(
          `${name} holds a development secret from ${developmentSecretsFile}; ` +
            'set a fresh value from `npm run cli -- secrets:generate`',
        );
      }
    }
  }

  const secrets = {} as Record<SecretSetting, Buffer>;
  for (const name of SECRET_SETTINGS) {
    const value = provided[name];
    if (value === undefined) continue;
    const decoded = decodeSecret(value);
    if ('problem' in decoded) {
      problems.push(`${name} ${decoded.problem}; generate one with \`npm run cli -- secrets:generate\``);
    } else {
      secrets[name] = decoded.bytes;
    }
  }
  return { secrets, generatedSecrets, secretSources };
}

/** A secret from `<NAME>` or `<NAME>_FILE` (never both); production refuses a file that is the dev store. */
function readSecretSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  refusedFile: string | undefined,
  problems: string[],
): { value: string; source: SecretSource } | undefined {
  const file = env[`${name}_FILE`];
  if (env[name] !== undefined && file !== undefined) {
    problems.push(`${name} and ${name}_FILE are both set; keep one`);
  } else if (file !== undefined) {
    if (refusedFile !== undefined && resolve(file) === resolve(refusedFile)) {
      problems.push(`${name}_FILE points at the development secrets file; mount a production secret instead`);
      return undefined;
    }
    try {
      return { value: readFileSync(file, 'utf8').trim(), source: 'file' };
    } catch {
      problems.push(`${name}_FILE points at ${file}, which cannot be read`);
    }
  } else if (env[name] !== undefined && env[name] !== '') {
    return { value: env[name], source: 'env' };
  }
  return undefined;
}

function resolveKeySettings(
  env: NodeJS.ProcessEnv,
  problems: string[],
  duration: (name: keyof typeof DURATION_SETTINGS) => number,
): KeySettings {
  const rotation = (env.KEY_ROTATION_INTERVAL ?? 'off').trim();
  const rotationIntervalSeconds = OFF.includes(rotation) ? null : (parseDurationSeconds(rotation) ?? null);
  const refreshIntervalSeconds = duration('KEY_REFRESH_INTERVAL');
  const jwksMaxAgeSeconds = duration('JWKS_MAX_AGE');
  const prepublishLeadSeconds = duration('KEY_PREPUBLISH_LEAD');

  // A verifier may serve a JWKS up to max-age old, fetched up to one refresh after the key was published.
  if (prepublishLeadSeconds <= jwksMaxAgeSeconds + refreshIntervalSeconds) {
    problems.push(
      'KEY_PREPUBLISH_LEAD must be longer than JWKS_MAX_AGE + KEY_REFRESH_INTERVAL, so every cached JWKS ' +
        'holds the next key before it signs; raise KEY_PREPUBLISH_LEAD or lower JWKS_MAX_AGE',
    );
  }
  if (rotationIntervalSeconds !== null && rotationIntervalSeconds <= prepublishLeadSeconds) {
    problems.push('KEY_ROTATION_INTERVAL must be longer than KEY_PREPUBLISH_LEAD (default 1h), or off');
  }

  const previous = readSecretSetting(env, 'KEY_ENCRYPTION_KEY_PREVIOUS', undefined, problems);
  let previousEncryptionKey: Buffer | null = null;
  if (previous !== undefined) {
    const decoded = decodeSecret(previous.value);
    if ('problem' in decoded) problems.push(`KEY_ENCRYPTION_KEY_PREVIOUS ${decoded.problem}`);
    else previousEncryptionKey = decoded.bytes;
  }
  return {
    rotationIntervalSeconds,
    refreshIntervalSeconds,
    jwksMaxAgeSeconds,
    prepublishLeadSeconds,
    previousEncryptionKey,
  };
}

function resolveTls(env: NodeJS.ProcessEnv, problems: string[]): Environment['tls'] {
  const { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile } = env;
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
function parseTrustProxy(value: string | undefined, problems: string[]): false | string[] {
  if (value === undefined || ['', 'false', 'off', 'none'].includes(value.trim())) return false;
  const entries = list(value);
  problems.push(...trustProxyProblems(entries));
  return entries;
}

/** 3600 → `1h`, 90 → `90s`: bounds in the unit an operator would write. */
function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** Passkeys default to the issuer's host and origin, which is where the browser client is served. */
function resolveMfa(
  env: NodeJS.ProcessEnv,
  issuer: string,
  stepUpMaxAgeSeconds: number,
  problems: string[],
): MfaSettings {
  let issuerUrl: URL | undefined;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    // JWT_ISSUER is reported by its own check.
  }
  const origins = env.WEBAUTHN_ORIGINS ? list(env.WEBAUTHN_ORIGINS) : issuerUrl ? [issuerUrl.origin] : [];
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      problems.push(`WEBAUTHN_ORIGINS: ${origin} is not an origin (scheme://host[:port], no path)`);
    }
  }
  const rpId = env.WEBAUTHN_RP_ID ?? issuerUrl?.hostname ?? 'localhost';
  // WebAuthn §5.1.4: the RP ID must be the origin's host or a registrable suffix of it.
  for (const origin of origins.filter((o) => URL.canParse(o))) {
    const host = new URL(origin).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      problems.push(`WEBAUTHN_RP_ID: ${rpId} is neither the host of ${origin} nor a parent domain of it`);
    }
  }
  return { stepUpMaxAgeSeconds, webauthn: { rpId, origins } };
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}
