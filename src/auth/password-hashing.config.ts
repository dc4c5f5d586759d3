import { availableParallelism } from 'node:os';
import { duration, integer } from '../config/readers';
import { defineSettings } from '../config/settings';

/** Load shedding for password hashing: hashes at once, logins waiting, and how long one may wait. */
export const passwordHashingConfig = defineSettings(
  'passwordHashing',
  {
    // One core is left to the event loop, so logins flooding in cannot starve every other request.
    PASSWORD_HASH_CONCURRENCY: integer(Math.max(1, availableParallelism() - 1), 1, 256),
    PASSWORD_HASH_QUEUE: integer(50, 0, 100_000),
    PASSWORD_HASH_MAX_WAIT: duration('3s', 1, 60),
  },
  (values) => ({
    concurrency: values.PASSWORD_HASH_CONCURRENCY,
    queue: values.PASSWORD_HASH_QUEUE,
    maxWaitSeconds: values.PASSWORD_HASH_MAX_WAIT,
  }),
);
