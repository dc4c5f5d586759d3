import { Module } from '@nestjs/common';
import { accountsConfig } from './accounts/accounts.config';
import { alertsConfig } from './alerts/alerts.config';
import { anomalyConfig } from './anomaly/anomaly.config';
import { auditConfig } from './audit/audit.config';
import { loginConfig } from './auth/login.config';
import { passwordHashingConfig } from './auth/password-hashing.config';
import { appConfig, databaseConfig } from './config/app-settings';
import { cachedPerEnvironment, ComposedSettings, composeSettings, CrossCheck } from './config/compose';
import { configModule } from './config/config.module';
import { secretsConfig } from './config/secret-settings';
import { LoadOptions, serveSettingsFrom } from './config/settings';
import { dbscConfig } from './dbsc/dbsc.config';
import { dpopConfig } from './dpop/dpop.config';
import { issuersConfig } from './issuers/issuers.config';
import { jwtConfig } from './keys/jwt.config';
import { keysConfig } from './keys/keys.config';
import { labConfig } from './lab/lab.config';
import { mailConfig } from './mail/mail.config';
import { mfaConfig } from './mfa/mfa.config';
import { redisConfig } from './redis/redis.config';
import { sessionConfig } from './sessions/sessions.config';
import { throttleConfig } from './throttle/throttle.config';
import { revocationConfig } from './tokens/revocation.config';
import { passwordScreeningConfig } from './users/password-screening/password-screening.config';

/**
 * Every settings slice, each declared and validated beside the feature that owns it, in the order their
 * problems are reported. A slice another reads (JWT_ISSUER follows PORT) is loaded first on demand, but must
 * be listed too: Nest serves only these.
 */
export const SETTINGS = [
  secretsConfig,
  appConfig,
  databaseConfig,
  jwtConfig,
  sessionConfig,
  keysConfig,
  throttleConfig,
  anomalyConfig,
  alertsConfig,
  auditConfig,
  mailConfig,
  accountsConfig,
  loginConfig,
  redisConfig,
  revocationConfig,
  issuersConfig,
  passwordHashingConfig,
  passwordScreeningConfig,
  mfaConfig,
  dpopConfig,
  dbscConfig,
  labConfig,
] as const;

export type Settings = ComposedSettings<typeof SETTINGS>;

/** The rules that span slices: no one feature can see both sides. */
const CROSS_CHECKS: CrossCheck<Settings>[] = [
  ({ jwt, session }) =>
    session.refreshTokenTtlSeconds <= jwt.accessTokenTtlSeconds
      ? ['REFRESH_TOKEN_TTL must be longer than ACCESS_TOKEN_TTL']
      : [],
  instanceProblems,
];

/**
 * Several processes need a database they can share and Redis for what each would otherwise keep to
 * itself (login-failure counts, the request rate limit, instant revocation): refused rather than running
 * with N times the guesses an attacker should get.
 */
function instanceProblems({ app, database, redis }: Settings): string[] {
  if (app.instances <= 1) return [];
  const problems: string[] = [];
  if (database.url.startsWith('sqlite:')) {
    problems.push(
      'WARDEN_INSTANCES > 1 needs PostgreSQL: several processes on one SQLite file are not supported (set DATABASE_URL=postgres://...)',
    );
  }
  if (!redis.settings) {
    problems.push(
      'WARDEN_INSTANCES > 1 needs REDIS_URL: without it each instance counts login failures and requests alone and learns revocations only by polling',
    );
  }
  return problems;
}

/**
 * Reads, validates and types every setting; every refusal names the variable and how to fix it, and all
 * of them are reported at once (ConfigurationError).
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Settings {
  return composeSettings(SETTINGS, CROSS_CHECKS, env, options);
}

/** The validated settings of this process.env, loaded once: main.ts, cli.ts and every slice's factory share them. */
export const currentSettings = cachedPerEnvironment(() => loadSettings());
serveSettingsFrom(currentSettings);

/**
 * The slices reach Nest through the root ConfigModule's `load`, not each module's ConfigModule.forFeature:
 * one list composes start-up validation and injection alike, and features read each other's slices (the
 * keys module reads jwt) without re-exporting them.
 */
@Module({ imports: [configModule(SETTINGS)] })
export class SettingsModule {}
