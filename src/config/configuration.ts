import { registerAs } from '@nestjs/config';
import { Environment, loadEnvironment } from './environment';

let loaded: { snapshot: string; environment: Environment } | undefined;

/**
 * The validated environment, loaded once per distinct process.env: every namespace below, main.ts and
 * cli.ts share it, so secret and TLS files are read (and var/dev-secrets.json written) once per boot.
 * The key is the whole environment, so a process that boots again with other settings (tests do) reloads.
 */
export function currentEnvironment(): Environment {
  const snapshot = JSON.stringify(Object.entries(process.env).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (loaded?.snapshot !== snapshot) loaded = { snapshot, environment: loadEnvironment() };
  return loaded.environment;
}

/** One namespace per concern; each is cut from the same validated environment. */
export const appConfig = registerAs('app', () => {
  const env = currentEnvironment();
  return {
    nodeEnv: env.nodeEnv,
    port: env.port,
    httpTimeouts: env.httpTimeouts,
    trustProxy: env.trustProxy,
    corsOrigins: env.corsOrigins,
    labEnabled: env.labEnabled,
    logLevel: env.logLevel,
    generatedSecrets: env.generatedSecrets,
    tls: env.tls,
    // RFC 6797 §7.2: HSTS is only meaningful over HTTPS, ours or a proxy's in front of us.
    hsts: env.tls !== null || env.tlsTerminatedUpstream,
  };
});

export const databaseConfig = registerAs('database', () => ({ url: currentEnvironment().databaseUrl }));

export const jwtConfig = registerAs('jwt', () => currentEnvironment().jwt);

export const sessionConfig = registerAs('session', () => {
  const env = currentEnvironment();
  return { ...env.sessions, cookieSecure: env.cookieSecure };
});

export const secretsConfig = registerAs('secrets', () => currentEnvironment().secrets);

export const throttleConfig = registerAs('throttle', () => currentEnvironment().throttle);

export const anomalyConfig = registerAs('anomaly', () => currentEnvironment().anomaly);

export const alertsConfig = registerAs('alerts', () => currentEnvironment().alerts);

export const auditConfig = registerAs('audit', () => currentEnvironment().audit);

export const keysConfig = registerAs('keys', () => currentEnvironment().keys);

export const mailConfig = registerAs('mail', () => currentEnvironment().mail);

export const accountsConfig = registerAs('accounts', () => currentEnvironment().accounts);
/** `settings` is null without REDIS_URL (a namespace itself must be an object). */
export const redisConfig = registerAs('redis', () => ({ settings: currentEnvironment().redis }));

export const revocationConfig = registerAs('revocation', () => currentEnvironment().revocation);

export const passwordHashingConfig = registerAs('passwordHashing', () => currentEnvironment().passwordHashing);
export const issuersConfig = registerAs('issuers', () => ({ external: currentEnvironment().externalIssuers }));

export const mfaConfig = registerAs('mfa', () => currentEnvironment().mfa);
export const dpopConfig = registerAs('dpop', () => currentEnvironment().dpop);
export const passwordScreeningConfig = registerAs('passwordScreening', () => currentEnvironment().passwords);

export const allConfig = [
  appConfig,
  databaseConfig,
  jwtConfig,
  sessionConfig,
  secretsConfig,
  throttleConfig,
  anomalyConfig,
  alertsConfig,
  auditConfig,
  keysConfig,
  mailConfig,
  accountsConfig,
  redisConfig,
  revocationConfig,
  passwordHashingConfig,
  issuersConfig,
  mfaConfig,
  dpopConfig,
  passwordScreeningConfig,
];
