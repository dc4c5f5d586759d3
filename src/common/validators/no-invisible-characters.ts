import { Matches } from 'class-validator';

/**
 * Unicode Cc (controls: NUL, BEL, C1 controls such as U+0085) and Cf (format characters: bidi overrides and
 * isolates such as U+202E, zero-width spaces and joiners, the soft hyphen). None belongs in an identifier:
 * controls break storage (PostgreSQL refuses NUL in text), and format characters make one string display as
 * another, so an address with U+202E spoofs what admins read in the audit log and alerts (Unicode TR #36).
 */
export const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}]/u;

/** Refuses a string holding any Cc or Cf character with a 400 that names the field. */
export function NoInvisibleCharacters(): PropertyDecorator {
  return Matches(/^[^\p{Cc}\p{Cf}]*$/u, {
    message: '$property must not contain control or invisible formatting characters',
  });
}
