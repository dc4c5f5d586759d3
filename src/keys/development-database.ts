import { decodeSecret } from '../config/secrets';
import { DEVELOPMENT_SECRETS_FILE, readDevelopmentSecrets } from '../config/development-secrets';
import { KeyDecryptionError, KeyEncryption } from './key-encryption';

/**
 * A key that the configured KEY_ENCRYPTION_KEY cannot open but the development one in var/ can: the
 * database was made by `npm run start:dev` and is now opened with production secrets. Saying so beats
 * "wrong key": the fix is a database of production's own, not a key change.
 */
export function developmentDatabaseError(
  sealed: string,
  kid: string,
  file: string = DEVELOPMENT_SECRETS_FILE,
): KeyDecryptionError | null {
  const stored = readDevelopmentSecrets(file).KEY_ENCRYPTION_KEY;
  const decoded = stored ? decodeSecret(stored) : null;
  if (!decoded || !('bytes' in decoded)) return null;
  try {
    new KeyEncryption([decoded.bytes]).open(sealed, kid);
  } catch {
    return null;
  }
  return new KeyDecryptionError(
    `This database was created in development: its signing key ${kid} is sealed with the development ` +
      `KEY_ENCRYPTION_KEY from ${file}, which production refuses. Give production a database of its own ` +
      '(DATABASE_URL, e.g. postgres://user@host/warden or sqlite:/srv/warden/warden.sqlite): Warden migrates ' +
      'it and creates its first signing key on start-up.',
  );
}
