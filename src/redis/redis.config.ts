import { matching } from '../config/readers';
import { defineSettings } from '../config/settings';

/** Shared state between instances. */
export interface RedisSettings {
  url: string;
  /** Prepended to every key and channel, so several deployments (or test runs) can share one Redis. */
  keyPrefix: string;
}

export const redisConfig = defineSettings(
  'redis',
  {
    REDIS_URL: matching(
      /^rediss?:\/\/.+/,
      'REDIS_URL must look like redis://host:6379/0 or rediss://user:pass@host:6380',
    ),
    REDIS_KEY_PREFIX: matching(
      /^[\w.:-]{1,64}$/,
      'REDIS_KEY_PREFIX must be 1-64 letters, digits, _ . : or -',
      'warden:',
    ),
  },
  // `settings` is null without REDIS_URL: everything stays in the process and the database (a namespace
  // itself must be an object).
  (values): { settings: RedisSettings | null } => ({
    settings: values.REDIS_URL ? { url: values.REDIS_URL, keyPrefix: values.REDIS_KEY_PREFIX } : null,
  }),
);
