import { duration, integer } from '../config/readers';
import { defineSettings } from '../config/settings';

export const THROTTLE_SETTINGS = {
  /** @nestjs/throttler: requests per client (an IPv6 /64 counts as one) per window, across all routes. */
  RATE_LIMIT_MAX: integer(300, 1, 1_000_000),
  RATE_LIMIT_WINDOW: duration('1m', 1, 86_400),
  LOGIN_FAILURE_WINDOW: duration('15m', 1, 86_400),
  LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: integer(10, 1, 10_000),
  // At most the attempt store's per-key window (MAX_HITS_PER_KEY): a higher threshold could never be reached.
  LOGIN_MAX_FAILURES_PER_ACCOUNT: integer(100, 1, 10_000),
  LOGIN_MAX_FAILURES_PER_IP: integer(50, 1, 10_000),
  LOGIN_IP_BLOCK_MIN_ACCOUNTS: integer(5, 1, 10_000),
  LOGIN_LOCKOUT_BASE: duration('60s', 1, 86_400),
  LOGIN_LOCKOUT_MAX: duration('15m', 1, 7 * 86_400),
  LOGIN_IP_BLOCK: duration('15m', 1, 7 * 86_400),
};

export const throttleConfig = defineSettings('throttle', THROTTLE_SETTINGS, (values, { problems }) => {
  const login = {
    windowSeconds: values.LOGIN_FAILURE_WINDOW,
    maxFailuresPerAccountIp: values.LOGIN_MAX_FAILURES_PER_ACCOUNT_IP,
    maxFailuresPerAccount: values.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    maxFailuresPerIp: values.LOGIN_MAX_FAILURES_PER_IP,
    ipBlockMinAccounts: values.LOGIN_IP_BLOCK_MIN_ACCOUNTS,
    lockoutBaseSeconds: values.LOGIN_LOCKOUT_BASE,
    lockoutMaxSeconds: values.LOGIN_LOCKOUT_MAX,
    ipBlockSeconds: values.LOGIN_IP_BLOCK,
  };
  if (login.lockoutMaxSeconds < login.lockoutBaseSeconds) {
    problems.push('LOGIN_LOCKOUT_MAX must be at least LOGIN_LOCKOUT_BASE');
  }
  if (login.maxFailuresPerAccount < login.maxFailuresPerAccountIp) {
    // Otherwise an attacker on one address could lock the owner out from everywhere.
    problems.push(
      'LOGIN_MAX_FAILURES_PER_ACCOUNT must be at least LOGIN_MAX_FAILURES_PER_ACCOUNT_IP (and is best far higher)',
    );
  }
  return { rateLimit: { windowSeconds: values.RATE_LIMIT_WINDOW, max: values.RATE_LIMIT_MAX }, login };
});
