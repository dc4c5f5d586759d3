import { Logger } from '@nestjs/common';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MIN_SECRET_BYTES, SecretSetting } from './secrets';

export const DEVELOPMENT_SECRETS_FILE = resolve('var', 'dev-secrets.json');

/**
 * Every generated development secret starts with this marker, so production recognises one wherever it
 * ends up (copied into an env file, a vault, a mounted secret), not only on a host that still holds
 * var/dev-secrets.json. `devonly` is itself base64url, so the value still decodes (37 bytes: the marker's
 * 5 plus 32 random ones). A real random secret starts with it with probability 64^-7 ≈ 2.3e-13.
 */
export const DEVELOPMENT_SECRET_MARKER = 'devonly';

export function generateDevelopmentSecret(): string {
  return `${DEVELOPMENT_SECRET_MARKER}${randomBytes(MIN_SECRET_BYTES).toString('base64url')}`;
}

export function isDevelopmentSecret(value: string): boolean {
  return value.trim().startsWith(DEVELOPMENT_SECRET_MARKER);
}

export function developmentSecretProblem(name: string): string {
  return (
    `${name} is a development secret (it starts with "${DEVELOPMENT_SECRET_MARKER}"); ` +
    'set a fresh value from `npm run cli -- secrets:generate`'
  );
}

/**
 * Outside production, a missing secret is generated once into var/ (git-ignored) so `npm run start:dev`
 * needs no setup, yet no usable secret is ever committed. Production refuses to start instead.
 */
export function loadDevelopmentSecrets(
  names: SecretSetting[],
  file: string = DEVELOPMENT_SECRETS_FILE,
): Record<string, string> {
  const stored = readDevelopmentSecrets(file);
  const added = names.filter((name) => !stored[name]);
  if (added.length > 0) {
    for (const name of added) stored[name] = generateDevelopmentSecret();
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    // `mode` applies only when the file is created: one left readable by an older checkout is tightened.
    chmodSync(file, 0o600);
    new Logger('Config').warn(
      `Generated development secrets ${added.join(', ')} into ${file}; production refuses these`,
    );
  }
  return Object.fromEntries(names.map((name) => [name, stored[name]]));
}

/** The stored development secrets, or none; production reads them only to refuse any that reappear. */
export function readDevelopmentSecrets(file: string = DEVELOPMENT_SECRETS_FILE): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}
