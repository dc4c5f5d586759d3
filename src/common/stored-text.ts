/**
 * Attacker-controlled text (headers, paths) that Warden stores or logs is bounded and made displayable
 * here, so a request cannot buy kilobytes of durable storage or log volume, nor hide or reorder what an
 * admin reads with invisible and direction-changing characters.
 */

/**
 * A User-Agent as stored on sessions and audit events (real ones are a few hundred characters), and any other
 * request text an audit row's metadata keeps (Origin, path) or a log line's header shows.
 */
export const MAX_STORED_TEXT_LENGTH = 512;
/** An IP address as stored (the audit column's size); only a trusted proxy's X-Forwarded-For could be longer. */
export const MAX_IP_LENGTH = 64;
/** A request path in a log line. */
export const MAX_LOGGED_PATH_LENGTH = 1024;

const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/**
 * `value` cut to at most `max` UTF-16 units, ending in `…` when cut, never splitting a surrogate pair.
 * Controls and format characters (Cc, Cf: U+202E, zero-width spaces, the C1 bytes of a mis-decoded header)
 * are first written out as `\u{202E}`, so the admin sees that they were there and what they were.
 */
export function storedText(value: string, max: number = MAX_STORED_TEXT_LENGTH): string {
  const visible = value.replace(
    INVISIBLE,
    (character) => `\\u{${character.codePointAt(0)!.toString(16).toUpperCase()}}`,
  );
  if (visible.length <= max) return visible;
  let end = max - 1;
  const last = visible.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${visible.slice(0, end)}…`;
}
