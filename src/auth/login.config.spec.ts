import { loadSlice } from '../config/compose';
import { loginConfig } from './login.config';

describe('login settings', () => {
  it('refuses logins of unconfirmed addresses by default, and allows them when asked', () => {
    expect(loadSlice(loginConfig, { NODE_ENV: 'test' }).unverifiedLogin).toBe('refuse');
    expect(loadSlice(loginConfig, { NODE_ENV: 'test', UNVERIFIED_LOGIN: 'allow' }).unverifiedLogin).toBe('allow');
  });

  it('refuses an unknown policy, naming the variable and the choices', () => {
    expect(() => loadSlice(loginConfig, { NODE_ENV: 'test', UNVERIFIED_LOGIN: 'sometimes' })).toThrow(
      'UNVERIFIED_LOGIN must be refuse or allow',
    );
  });
});
