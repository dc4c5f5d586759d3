import { Logger } from '@nestjs/common';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { generateSecret, SecretSetting } from './secrets';

export const DEVELOPMENT_SECRETS_FILE = resolve('var', 'dev-secrets.json');

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
    for (const name of added) stored[name] = generateSecret();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
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
