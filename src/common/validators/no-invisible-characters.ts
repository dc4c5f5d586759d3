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

/**
 * For free text a person writes over several lines (a note's body). Tabs and line breaks are text there;
 * other controls are not (PostgreSQL refuses NUL in text, so one would be a 500), nor are the bidi
 * embeddings, overrides and isolates, which make text display in an order other than the one stored
 * (Trojan Source, CVE-2021-42574). Zero-width joiners and variation selectors stay: emoji sequences and
 * several scripts (Persian, the Indic ones) need them.
 */
export function NoHiddenControls(): PropertyDecorator {
  return Matches(/^(?:[\t\n\r]|[^\p{Cc}\u202A-\u202E\u2066-\u2069])*$/u, {
    message: '$property must not contain control characters (other than tabs and line breaks) or bidi overrides',
  });
}
