import { KeyDecryptionError } from '../keys/key-encryption';
import { ConfigurationError } from './environment';
import { describeStartupError } from './startup-error';

describe('describeStartupError', () => {
  it.each([
    ['a configuration error', new ConfigurationError(['COOKIE_SECURE=false is refused in production'])],
    ['a wrong encryption key', new KeyDecryptionError('Cannot decrypt signing key abc: KEY_ENCRYPTION_KEY is wrong')],
  ])('prints only the message for %s', (_case, error) => {
    expect(describeStartupError(error)).toBe(error.message);
  });

  it('keeps the whole error, stack included, for anything unexpected', () => {
    const error = new TypeError('boom');
    expect(describeStartupError(error)).toBe(error);
  });
});
