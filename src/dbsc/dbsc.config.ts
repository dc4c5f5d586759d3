import { appConfig } from '../config/app-settings';
import { duration } from '../config/readers';
import { defineSettings } from '../config/settings';

export const dbscConfig = defineSettings(
  'dbsc',
  {
    /** Life of the DBSC-bound cookie; 0: Warden offers no DBSC registration. */
    DBSC_COOKIE_TTL: duration('10m', 0, 3600, 'the bound cookie is what a thief can replay without the key'),
  },
  (values, { get }) => ({ cookieTtlSeconds: values.DBSC_COOKIE_TTL, cookieSecure: get(appConfig).cookieSecure }),
);
