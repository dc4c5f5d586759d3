import { randomBytes } from 'node:crypto';
import { loadSlice } from '../config/compose';
import { keysConfig } from './keys.config';
import { configurationProblems } from '../../test/helpers/configuration';

const load = (env: NodeJS.ProcessEnv = {}) => loadSlice(keysConfig, { NODE_ENV: 'production', ...env });
function problems(env: NodeJS.ProcessEnv): string[] {
  return configurationProblems(() => load(env));
}

describe('key settings', () => {
  it('defaults to polling every 30s, a 5m JWKS max-age, a 1h lead and no automatic rotation', () => {
    expect(load()).toEqual({
      rotationIntervalSeconds: null,
      refreshIntervalSeconds: 30,
      jwksMaxAgeSeconds: 300,
      prepublishLeadSeconds: 3600,
      previousEncryptionKey: null,
    });
  });

  it('accepts a rotation interval and a previous encryption key', () => {
    const previous = randomBytes(32);
    const keys = load({ KEY_ROTATION_INTERVAL: '30d', KEY_ENCRYPTION_KEY_PREVIOUS: previous.toString('base64url') });
    expect(keys.rotationIntervalSeconds).toBe(30 * 86400);
    expect(keys.previousEncryptionKey?.equals(previous)).toBe(true);
  });

  it.each([
    ['a lead not longer than max-age + refresh', { KEY_PREPUBLISH_LEAD: '5m' }, /KEY_PREPUBLISH_LEAD must be longer/],
    ['a rotation interval within the lead', { KEY_ROTATION_INTERVAL: '30m' }, /KEY_ROTATION_INTERVAL must be longer/],
    ['a malformed rotation interval', { KEY_ROTATION_INTERVAL: 'monthly' }, /KEY_ROTATION_INTERVAL must be off or/],
    [
      'a refresh interval over 5m',
      { KEY_REFRESH_INTERVAL: '10m' },
      /KEY_REFRESH_INTERVAL must be a duration .*, between 1s and 5m \(default 30s\): it bounds/,
    ],
    ['a malformed JWKS max-age', { JWKS_MAX_AGE: 'five minutes' }, /JWKS_MAX_AGE must be a duration/],
    ['a weak previous key', { KEY_ENCRYPTION_KEY_PREVIOUS: 'short' }, /KEY_ENCRYPTION_KEY_PREVIOUS holds/],
  ])('refuses %s', (_case, env, message) => {
    expect(problems(env).join('\n')).toMatch(message);
  });
});
