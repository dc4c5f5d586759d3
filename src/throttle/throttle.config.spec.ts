import { loadSlice } from '../config/compose';
import { throttleConfig } from './throttle.config';
import { configurationProblems } from '../../test/helpers/configuration';

function problems(env: Record<string, string>): string {
  return configurationProblems(() => loadSlice(throttleConfig, { NODE_ENV: 'test', ...env })).join('\n');
}

describe('brute-force settings', () => {
  it('has sane defaults', () => {
    expect(loadSlice(throttleConfig, { NODE_ENV: 'test' }).login).toMatchObject({
      maxFailuresPerAccountIp: 10,
      maxFailuresPerAccount: 100,
      lockoutBaseSeconds: 60,
      lockoutMaxSeconds: 900,
    });
  });

  it.each([
    [
      'a non-numeric threshold',
      { LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: 'ten' },
      'LOGIN_MAX_FAILURES_PER_ACCOUNT_IP must be a whole number',
    ],
    [
      'an account limit below the account+IP limit',
      { LOGIN_MAX_FAILURES_PER_ACCOUNT: '5' },
      'LOGIN_MAX_FAILURES_PER_ACCOUNT must be at least',
    ],
    ['a lockout cap below its base', { LOGIN_LOCKOUT_MAX: '30s' }, 'LOGIN_LOCKOUT_MAX must be at least'],
    ['a bad duration', { LOGIN_FAILURE_WINDOW: 'soon' }, 'LOGIN_FAILURE_WINDOW must be a duration'],
  ])('refuses %s, naming the variable', (_case, env, message) => {
    expect(problems(env)).toContain(message);
  });
});
