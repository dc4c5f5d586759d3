import { loadSlice } from '../config/compose';
import { accountsConfig } from './accounts.config';
import { configurationProblems } from '../../test/helpers/configuration';

function problems(env: NodeJS.ProcessEnv): string[] {
  return configurationProblems(() => loadSlice(accountsConfig, { NODE_ENV: 'development', ...env }));
}

describe('account settings', () => {
  it('needs nothing in development: links to localhost', () => {
    expect(loadSlice(accountsConfig, { NODE_ENV: 'development', PORT: '4100' })).toMatchObject({
      publicUrl: 'http://localhost:4100',
      verificationTtlSeconds: 86_400,
      resetTtlSeconds: 1800,
      emailChangeUndoSeconds: 7 * 86_400,
    });
  });

  it('keeps a trailing slash out of links', () => {
    const accounts = loadSlice(accountsConfig, { NODE_ENV: 'test', PUBLIC_URL: 'https://app.example.test/warden/' });
    expect(accounts.publicUrl).toBe('https://app.example.test/warden');
  });

  it.each([
    ['production without PUBLIC_URL', { NODE_ENV: 'production' }, 'PUBLIC_URL is required in production'],
    [
      'plain-http links in production',
      { NODE_ENV: 'production', PUBLIC_URL: 'http://w.example.test' },
      'PUBLIC_URL must use https',
    ],
    ['links with a fragment', { PUBLIC_URL: 'https://w.example.test/#/x' }, 'PUBLIC_URL must have no query'],
    ['a reset link living for days', { PASSWORD_RESET_TTL: '3d' }, 'PASSWORD_RESET_TTL must be'],
    [
      'an undo window shorter than the change link',
      { EMAIL_CHANGE_TTL: '2d', EMAIL_CHANGE_UNDO_WINDOW: '1d' },
      'EMAIL_CHANGE_UNDO_WINDOW must be at least',
    ],
    [
      'a client limit under the address limit',
      { ACCOUNT_MAIL_MAX_PER_ADDRESS: '10', ACCOUNT_MAIL_MAX_PER_CLIENT: '5' },
      'ACCOUNT_MAIL_MAX_PER_CLIENT must be at least',
    ],
  ])('refuses %s', (_case, env, message) => {
    expect(problems(env).join('\n')).toContain(message);
  });

  it('accepts a production setup', () => {
    expect(problems({ NODE_ENV: 'production', PUBLIC_URL: 'https://warden.example.test' })).toEqual([]);
  });
});
