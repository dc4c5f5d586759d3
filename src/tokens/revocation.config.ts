import { duration } from '../config/readers';
import { defineSettings } from '../config/settings';

export const revocationConfig = defineSettings(
  'revocation',
  {
    /** How often each instance re-reads the revocation table (the only path without Redis; a backstop with it). */
    REVOCATION_SYNC_INTERVAL: duration(
      '2s',
      1,
      300,
      'it bounds how late a revocation reaches an instance without Redis',
    ),
    /** Past this without a successful read, protected requests get a 503 instead of a possibly stale answer. */
    REVOCATION_MAX_STALENESS: duration('10s', 2, 3600),
  },
  (values, { problems }) => {
    if (values.REVOCATION_MAX_STALENESS <= values.REVOCATION_SYNC_INTERVAL) {
      problems.push('REVOCATION_MAX_STALENESS must be longer than REVOCATION_SYNC_INTERVAL (a few intervals is best)');
    }
    return {
      syncIntervalSeconds: values.REVOCATION_SYNC_INTERVAL,
      maxStalenessSeconds: values.REVOCATION_MAX_STALENESS,
    };
  },
);

export type RevocationSettings = ReturnType<typeof revocationConfig>;
