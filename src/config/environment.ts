import { plainToInstance } from 'class-transformer';
import { IsBooleanString, IsIn, IsOptional, IsString, Matches, validateSync } from 'class-validator';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDurationSeconds } from './duration';
import { DEVELOPMENT_SECRETS_FILE, loadDevelopmentSecrets, readDevelopmentSecrets } from './development-secrets';
import { decodeSecret, SECRET_SETTINGS, SecretSetting } from './secrets';

export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'PS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

const DURATION = /^\d+\s*(s|m|h|d)?$/;
const DURATION_HINT = 'a duration such as 30s, 15m, 12h or 7d';
/** OWASP: access tokens are bearer credentials; past an hour a stolen one is worth too much. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 60 * 60;
/**
 * Clock skew between instances and verifiers that a retiring key's lifetime absorbs; it covers the
 * verifier's own tolerance (RFC 7519 §4.1.4) with room to spare.
 */
export const KEY_RETIRE_LEEWAY_SECONDS = 60;
const OFF = ['', '0', 'off', 'false', 'none'];

/** The raw environment, as strings, with the shape checks class-validator can express. */
class RawEnvironment {
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;
  @IsOptional() @Matches(/^\d+$/) PORT?: string;
  @IsOptional()
  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must look like sqlite:var/warden.sqlite, sqlite::memory: or postgres://user@host/db',
  })
  DATABASE_URL?: string;
  @IsOptional() @IsString() JWT_ISSUER?: string;
  @IsOptional() @IsString() JWT_AUDIENCE?: string;
  @IsOptional() @IsIn(SIGNING_ALGORITHMS) JWT_ALG?: string;
  @IsOptional() @Matches(DURATION, { message: `ACCESS_TOKEN_TTL must be ${DURATION_HINT}` }) ACCESS_TOKEN_TTL?: string;
  @IsOptional()
  @Matches(DURATION, { message: `REFRESH_TOKEN_TTL must be ${DURATION_HINT}` })
  REFRESH_TOKEN_TTL?: string;
  @IsOptional() @Matches(DURATION, { message: `SESSION_MAX_AGE must be ${DURATION_HINT}` }) SESSION_MAX_AGE?: string;
  @IsOptional()
  @Matches(DURATION, { message: `REFRESH_REUSE_GRACE must be ${DURATION_HINT}` })
  REFRESH_REUSE_GRACE?: string;
  @IsOptional() @IsString() TRUST_PROXY?: string;
  @IsOptional() @IsBooleanString() COOKIE_SECURE?: string;
  @IsOptional() @IsString() CORS_ORIGINS?: string;
  @IsOptional() @IsBooleanString() LAB_ENABLED?: string;
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL?: string;
  @IsOptional()
  @Matches(/^(\d+\s*(s|m|h|d)?|off)$/, { message: `KEY_ROTATION_INTERVAL must be off or ${DURATION_HINT}` })
  KEY_ROTATION_INTERVAL?: string;
  @IsOptional()
  @Matches(DURATION, { message: `KEY_REFRESH_INTERVAL must be ${DURATION_HINT}` })
  KEY_REFRESH_INTERVAL?: string;
  @IsOptional() @Matches(DURATION, { message: `JWKS_MAX_AGE must be ${DURATION_HINT}` }) JWKS_MAX_AGE?: string;
  @IsOptional()
  @Matches(DURATION, { message: `KEY_PREPUBLISH_LEAD must be ${DURATION_HINT}` })
  KEY_PREPUBLISH_LEAD?: string;
  @IsOptional() @IsString() TLS_CERT_FILE?: string;
  @IsOptional() @IsString() TLS_KEY_FILE?: string;
  @IsOptional() @IsBooleanString() TLS_TERMINATED_UPSTREAM?: string;
}

/** Where a secret's value came from; security:check reports it and production refuses `generated`. */
export type SecretSource = 'env' | 'file' | 'generated';

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

export interface Environment {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  databaseUrl: string;
  jwt: { issuer: string; audience: string; algorithm: SigningAlgorithm; accessTokenTtlSeconds: number };
  sessions: { refreshTokenTtlSeconds: number; maxAgeSeconds: number; reuseGraceSeconds: number };
  secrets: Record<SecretSetting, Buffer>;
  /** Settings whose value came from var/ (development only); production refuses to start with any. */
  generatedSecrets: SecretSetting[];
  secretSources: Record<SecretSetting, SecretSource>;
  keys: KeySettings;
  trustProxy: false | string[];
  cookieSecure: boolean;
  /** Certificate and key for serving HTTPS directly, or null (plain HTTP, or TLS terminated upstream). */
  tls: { cert: Buffer; key: Buffer } | null;
  /** A reverse proxy terminates HTTPS in front of Warden (name it in TRUST_PROXY). */
  tlsTerminatedUpstream: boolean;
  corsOrigins: string[];
  labEnabled: boolean;
  logLevel: string;
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
export function loadEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  options: { developmentSecretsFile?: string } = {},
): Environment {
  const raw = plainToInstance(RawEnvironment, env, { excludeExtraneousValues: false });
  const problems = validateSync(raw).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    ),
  );

  const nodeEnv = (env.NODE_ENV ?? 'development') as Environment['nodeEnv'];
  const production = nodeEnv === 'production';
  const port = Number(env.PORT ?? 3000);
  const seconds = (name: string, fallback: string) => parseDurationSeconds(env[name] ?? fallback) ?? 0;

  const accessTokenTtlSeconds = seconds('ACCESS_TOKEN_TTL', '15m');
  if (accessTokenTtlSeconds < 1 || accessTokenTtlSeconds > MAX_ACCESS_TOKEN_TTL_SECONDS) {
    problems.push('ACCESS_TOKEN_TTL must be between 1s and 60m: access tokens cannot be recalled once issued');
  }
  const refreshTokenTtlSeconds = seconds('REFRESH_TOKEN_TTL', '7d');
  const maxAgeSeconds = seconds('SESSION_MAX_AGE', '30d');
  if (refreshTokenTtlSeconds <= accessTokenTtlSeconds) {
    problems.push('REFRESH_TOKEN_TTL must be longer than ACCESS_TOKEN_TTL');
  }
  if (maxAgeSeconds < refreshTokenTtlSeconds) {
    problems.push('SESSION_MAX_AGE must be at least REFRESH_TOKEN_TTL');
  }
  const reuseGraceSeconds = seconds('REFRESH_REUSE_GRACE', '0s');
  if (reuseGraceSeconds > 60) {
    problems.push('REFRESH_REUSE_GRACE must be at most 60s: a longer grace lets a stolen refresh token race the owner');
  }

  const cookieSecure = (env.COOKIE_SECURE ?? 'true') === 'true';
  if (production && !cookieSecure) {
    problems.push('COOKIE_SECURE=false is refused in production: cookies would travel over plain HTTP');
  }

  const developmentSecretsFile = options.developmentSecretsFile ?? DEVELOPMENT_SECRETS_FILE;
  const { secrets, generatedSecrets, secretSources } = resolveSecrets(env, nodeEnv, developmentSecretsFile, problems);
  const keys = resolveKeySettings(env, problems);
  const tls = resolveTls(env, problems);

  if (problems.length > 0) throw new ConfigurationError(problems);

  return {
    nodeEnv,
    port,
    databaseUrl: env.DATABASE_URL ?? 'sqlite:var/warden.sqlite',
    jwt: {
      issuer: env.JWT_ISSUER ?? `http://localhost:${port}`,
      audience: env.JWT_AUDIENCE ?? 'warden-api',
      algorithm: (env.JWT_ALG ?? 'ES256') as SigningAlgorithm,
      accessTokenTtlSeconds,
    },
    sessions: { refreshTokenTtlSeconds, maxAgeSeconds, reuseGraceSeconds },
    secrets,
    generatedSecrets,
    secretSources,
    keys,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    cookieSecure,
    tls,
    tlsTerminatedUpstream: env.TLS_TERMINATED_UPSTREAM === 'true',
    corsOrigins: list(env.CORS_ORIGINS),
    labEnabled: env.LAB_ENABLED === undefined ? nodeEnv === 'development' : env.LAB_ENABLED === 'true',
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
  };
}

function resolveSecrets(
  env: NodeJS.ProcessEnv,
  nodeEnv: Environment['nodeEnv'],
  developmentSecretsFile: string,
  problems: string[],
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
      for (const name of missing) {
        problems.push(`${name} is required in production; generate one with \`npm run cli -- secrets:generate\``);
      }
    } else {
      const generated = loadDevelopmentSecrets(missing, developmentSecretsFile);
      Object.assign(provided, generated);
      generatedSecrets = missing;
      for (const name of missing) secretSources[name] = 'generated';
    }
  }

  if (production) {
    // A value copied out of var/dev-secrets.json has sat unprotected on a developer's disk.
    const development = new Set(Object.values(readDevelopmentSecrets(developmentSecretsFile)));
    for (const name of SECRET_SETTINGS) {
      const value = provided[name];
      if (value !== undefined && development.has(value.trim())) {
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

function resolveKeySettings(env: NodeJS.ProcessEnv, problems: string[]): KeySettings {
  const seconds = (name: string, fallback: string) => parseDurationSeconds(env[name] ?? fallback) ?? 0;
  const rotation = (env.KEY_ROTATION_INTERVAL ?? 'off').trim();
  const rotationIntervalSeconds = OFF.includes(rotation) ? null : (parseDurationSeconds(rotation) ?? null);
  const refreshIntervalSeconds = seconds('KEY_REFRESH_INTERVAL', '30s');
  const jwksMaxAgeSeconds = seconds('JWKS_MAX_AGE', '5m');
  const prepublishLeadSeconds = seconds('KEY_PREPUBLISH_LEAD', '1h');

  if (refreshIntervalSeconds < 1 || refreshIntervalSeconds > 300) {
    problems.push('KEY_REFRESH_INTERVAL must be between 1s and 5m: it bounds how long instances disagree on the key');
  }
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
 * `true` (trust every hop) is refused: it lets any client choose its own IP with X-Forwarded-For.
 */
function parseTrustProxy(value: string | undefined): false | string[] {
  if (value === undefined || ['', 'false', 'off', 'none'].includes(value.trim())) return false;
  const entries = list(value);
  if (entries.includes('true') || entries.includes('*')) {
    throw new ConfigurationError([
      'TRUST_PROXY=true would trust X-Forwarded-For from anyone; name your proxies (e.g. loopback or 10.0.0.0/8)',
    ]);
  }
  return entries;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}
