import {
  DEVELOPMENT_SECRETS_FILE,
  developmentSecretProblem,
  isDevelopmentSecret,
  loadDevelopmentSecrets,
  readDevelopmentSecrets,
} from './development-secrets';
import { envFileSettings } from './env-file-settings';
import { secret, SecretSource } from './readers';
import { decodeSecret, SECRET_SETTINGS, SecretSetting } from './secrets';
import { defineSettings } from './settings';

/** The secrets every instance needs (cross-cutting: several features derive their keys from them). */
export const SECRETS = {
  FINGERPRINT_SECRET: secret(),
  KEY_ENCRYPTION_KEY: secret(),
  CSRF_SECRET: secret(),
} satisfies Record<SecretSetting, unknown>;

/**
 * The decoded secrets, plus where each came from: `generated` ones are from var/ (development only;
 * production refuses to start with any), and security:check reports every source.
 */
export type Secrets = Record<SecretSetting, Buffer> & {
  sources: Record<SecretSetting, SecretSource>;
  generated: SecretSetting[];
};

export const secretsConfig = defineSettings('secrets', SECRETS, (read, { production, options, problems }): Secrets => {
  const developmentSecretsFile = options.developmentSecretsFile ?? DEVELOPMENT_SECRETS_FILE;
  const provided: Partial<Record<SecretSetting, string>> = {};
  const sources = {} as Record<SecretSetting, SecretSource>;
  for (const name of SECRET_SETTINGS) {
    const value = read[name];
    if (value !== undefined) {
      provided[name] = value.value;
      sources[name] = value.source;
    }
  }

  const missing = SECRET_SETTINGS.filter((name) => provided[name] === undefined);
  let generated: SecretSetting[] = [];
  if (missing.length > 0) {
    if (production) {
      const inDotEnv = envFileSettings(options.envFile);
      for (const name of missing) problems.push(missingProductionSecret(name, inDotEnv.has(name)));
    } else if (options.developmentSecrets === 'read-only') {
      const stored = readDevelopmentSecrets(developmentSecretsFile);
      for (const name of missing) {
        if (stored[name]) {
          provided[name] = stored[name];
          generated.push(name);
          sources[name] = 'generated';
        } else {
          sources[name] = 'missing';
        }
      }
    } else {
      Object.assign(provided, loadDevelopmentSecrets(missing, developmentSecretsFile));
      generated = missing;
      for (const name of missing) sources[name] = 'generated';
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

  const secrets = { sources, generated } as Secrets;
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
  return secrets;
});

/** Production reads no .env, by design; when a .env holds the secret, say so rather than leave it a mystery. */
function missingProductionSecret(name: string, inDotEnv: boolean): string {
  const where = `set it where the process starts (environment, or ${name}_FILE with a path to a file holding it)`;
  return inDotEnv
    ? `${name} is required in production; .env sets it, but production reads no .env: ${where}. See "Running in production" in README.md`
    : `${name} is required in production; ${where}. Generate values with \`npm run cli -- secrets:generate\``;
}
