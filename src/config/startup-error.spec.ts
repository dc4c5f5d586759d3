import { DatabaseConnectionError } from '../database/database-connection';
import { KeyDecryptionError } from '../keys/key-encryption';
import { ConfigurationError } from './compose';
import { describeStartupError } from './startup-error';

describe('describeStartupError', () => {
  it.each([
    ['a configuration error', new ConfigurationError(['COOKIE_SECURE=false is refused in production'])],
    ['a wrong encryption key', new KeyDecryptionError('Cannot decrypt signing key abc: KEY_ENCRYPTION_KEY is wrong')],
    ['an unreachable database', new DatabaseConnectionError('Cannot connect to the database at DATABASE_URL=...')],
  ])('prints only the message for %s', (_case, error) => {
    expect(describeStartupError(error)).toBe(error.message);
  });

  it('names the port and the setting when the port is taken', () => {
    const error = Object.assign(new Error('listen EADDRINUSE: address already in use :::3000'), {
      code: 'EADDRINUSE',
      port: 3000,
    });
    expect(describeStartupError(error)).toBe(
      'Port 3000 is already in use (PORT=3000): stop the process that holds it, or set PORT to a free port.',
    );
  });

  it('keeps the whole error, stack included, for anything unexpected', () => {
    const error = new TypeError('boom');
    expect(describeStartupError(error)).toBe(error);
  });
});
