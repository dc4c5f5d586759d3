import { plainToInstance } from 'class-transformer';
import { IsBooleanString, IsIn, IsOptional, IsString, Matches, validateSync } from 'class-validator';
import { readFileSync } from 'node:fs';
import { parseDurationSeconds } from './duration';
import { loadDevelopmentSecrets } from './development-secrets';
import { decodeSecret, SECRET_SETTINGS, SecretSetting } from './secrets';

export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'PS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

const DURATION = /^\d+\s*(s|m|h|d)?$/;
const DURATION_HINT = 'a duration such as 30s, 15m, 12h or 7d';
/** OWASP: access tokens are bearer credentials; past an hour a stolen one is worth too much. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 60 * 60;

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
  trustProxy: false | string[];
  cookieSecure: boolean;
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
export function loadEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
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

  const { secrets, generatedSecrets } = resolveSecrets(env, nodeEnv, problems);

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
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    cookieSecure,
    corsOrigins: list(env.CORS_ORIGINS),
    labEnabled: env.LAB_ENABLED === undefined ? nodeEnv === 'development' : env.LAB_ENABLED === 'true',
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
  };
}

function resolveSecrets(env: NodeJS.ProcessEnv, nodeEnv: Environment['nodeEnv'], problems: string[]) {
  const provided: Partial<Record<SecretSetting, string>> = {};
  for (const name of SECRET_SETTINGS) {
    const file = env[`${name}_FILE`];
    if (env[name] !== undefined && file !== undefined) {
      problems.push(`${name} and ${name}_FILE are both set; keep one`);
    } else if (file !== undefined) {
      try {
        provided[name] = readFileSync(file, 'utf8').trim();
      } catch {
        problems.push(`${name}_FILE points at ${file}, which cannot be read`);
      }
    } else if (env[name] !== undefined && env[name] !== '') {
      provided[name] = env[name];
    }
  }

  const missing = SECRET_SETTINGS.filter((name) => provided[name] === undefined);
  let generatedSecrets: SecretSetting[] = [];
  if (missing.length > 0) {
    if (nodeEnv === 'production') {
      for (const name of missing) {
        problems.push(`${name} is required in production; generate one with \`npm run cli -- secrets:generate\``);
      }
    } else {
      const generated = loadDevelopmentSecrets(missing);
      Object.assign(provided, generated);
      generatedSecrets = missing;
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
  return { secrets, generatedSecrets };
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
