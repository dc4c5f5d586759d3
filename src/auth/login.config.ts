import { oneOf } from '../config/readers';
import { defineSettings } from '../config/settings';

export type UnverifiedLogin = 'refuse' | 'allow';

export const loginConfig = defineSettings(
  'login',
  {
    /** What an account with an unconfirmed address may do: refuse (no login until confirmed) or allow. */
    UNVERIFIED_LOGIN: oneOf<UnverifiedLogin>(['refuse', 'allow'], 'refuse', 'UNVERIFIED_LOGIN must be refuse or allow'),
  },
  (values) => ({ unverifiedLogin: values.UNVERIFIED_LOGIN }),
);
