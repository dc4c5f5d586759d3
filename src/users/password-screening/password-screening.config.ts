import { duration, OFF, readHttpsUrl, text } from '../../config/readers';
import { defineSettings, SettingsContext } from '../../config/settings';

/** The optional k-anonymity breach check (breachedRangeUrl null: off, offline rules only). */
export const passwordScreeningConfig = defineSettings(
  'passwordScreening',
  {
    BREACHED_PASSWORD_RANGE_URL: text(),
    BREACHED_PASSWORD_TIMEOUT: duration('2s', 1, 30, 'registration and password change wait for it'),
  },
  (values, context) => ({
    breachedRangeUrl: readRangeUrl(values.BREACHED_PASSWORD_RANGE_URL, context),
    breachedTimeoutSeconds: values.BREACHED_PASSWORD_TIMEOUT,
  }),
);

/** A range API base such as https://api.pwnedpasswords.com/range/ (the 5-digit prefix is appended). */
function readRangeUrl(value: string | undefined, context: SettingsContext): string | null {
  const raw = value?.trim();
  if (!raw || OFF.includes(raw)) return null;
  const invalid = 'BREACHED_PASSWORD_RANGE_URL must be an absolute URL, e.g. https://api.pwnedpasswords.com/range/';
  const url = readHttpsUrl('BREACHED_PASSWORD_RANGE_URL', raw.endsWith('/') ? raw : `${raw}/`, invalid, context);
  return url ? url.toString() : null;
}
