const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const DURATION = /^(\d+)\s*(s|m|h|d)?$/;

/**
 * Parses durations such as `15m`, `3s`, `7d` (a bare number means seconds) into whole seconds.
 * Returns undefined for anything else so the caller can name the bad variable.
 */
export function parseDurationSeconds(value: string): number | undefined {
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 's') as keyof typeof UNIT_SECONDS;
  return Number(match[1]) * UNIT_SECONDS[unit];
}
