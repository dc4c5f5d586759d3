import { registerAs } from '@nestjs/config';
import { loadEnvironment } from './environment';

/** One namespace per concern; each is cut from the same validated environment. */
export const appConfig = registerAs('app', () => {
  const env = loadEnvironment();
  return {
    nodeEnv: env.nodeEnv,
    port: env.port,
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

export const databaseConfig = registerAs('database', () => ({ url: loadEnvironment().databaseUrl }));

export const jwtConfig = registerAs('jwt', () => loadEnvironment().jwt);

export const sessionConfig = registerAs('session', () => {
  const env = loadEnvironment();
  return { ...env.sessions, cookieSecure: env.cookieSecure };
});

export const secretsConfig = registerAs('secrets', () => loadEnvironment().secrets);

export const throttleConfig = registerAs('throttle', () => loadEnvironment().throttle);

export const anomalyConfig = registerAs('anomaly', () => loadEnvironment().anomaly);

export const alertsConfig = registerAs('alerts', () => loadEnvironment().alerts);

export const auditConfig = registerAs('audit', () => loadEnvironment().audit);

export const keysConfig = registerAs('keys', () => loadEnvironment().keys);

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
];
