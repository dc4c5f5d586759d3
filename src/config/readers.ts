import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEVELOPMENT_SECRETS_FILE } from './development-secrets';
import { parseDurationSeconds } from './duration';
import type { Setting, SettingsContext } from './settings';

/**
 * The readers a settings table is made of. Each takes the default and bounds, and on a bad value adds one
 * problem naming the variable, the rule and the default, then answers the default, so loading goes on and
 * start-up reports every problem at once.
 */

export const DURATION_HINT = 'a duration such as 30s, 15m, 12h or 7d';
/** Values that switch an optional feature off. */
export const OFF = ['', '0', 'off', 'false', 'none'];

/** A default that follows the environment (development) or another slice (PORT). */
export type Fallback<T> = T | ((context: SettingsContext) => T);
const fallbackOf = <T>(fallback: Fallback<T>, context: SettingsContext): T =>
  typeof fallback === 'function' ? (fallback as (context: SettingsContext) => T)(context) : fallback;

/** An integer reader also exposes its bounds, for tests that check them against what they limit. */
export interface IntegerSetting extends Setting<number> {
  readonly fallback: number;
  readonly min: number;
  readonly max: number;
}

export function integer(fallback: number, min: number, max: number): IntegerSetting {
  return {
    fallback,
    min,
    max,
    read(name, { env, problems }) {
      const raw = env[name];
      if (raw === undefined || raw === '') return fallback;
      const value = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        problems.push(`${name} must be a whole number between ${min} and ${max} (default ${fallback})`);
        return fallback;
      }
      return value;
    },
  };
}

/** Seconds, written `30s`, `15m`, `12h`, `7d` or bare; `why` says why the bounds are what they are. */
export function duration(fallback: string, min: number, max: number, why?: string): Setting<number> {
  return {
    read(name, { env, problems }) {
      const raw = env[name];
      const value = parseDurationSeconds(raw === undefined || raw === '' ? fallback : raw);
      if (value === undefined || value < min || value > max) {
        const bounds = `between ${formatDuration(min)} and ${formatDuration(max)} (default ${fallback})`;
        problems.push(`${name} must be ${DURATION_HINT}, ${bounds}${why ? `: ${why}` : ''}`);
        return parseDurationSeconds(fallback) ?? 0;
      }
      return value;
    },
  };
}

/**
 * Exactly `true` or `false`: `1`, `yes` or `True` would pass a looser check and then read as false. An empty
 * value is refused for the settings that guard transport security (`refuseEmpty`): `COOKIE_SECURE=` reads as
 * a mistake, not as "the default"; the detection switches take it as unset.
 */
export function boolean(fallback: Fallback<boolean>, { refuseEmpty = false } = {}): Setting<boolean> {
  return {
    read(name, context) {
      const raw = context.env[name];
      if (raw === undefined || (raw === '' && !refuseEmpty)) return fallbackOf(fallback, context);
      if (raw !== 'true' && raw !== 'false') {
        context.problems.push(`${name} must be true or false`);
        return fallbackOf(fallback, context);
      }
      return raw === 'true';
    },
  };
}

/** One of a few words; unset is the default, anything else (the empty string too) is refused. */
export function oneOf<const T extends string>(
  values: readonly T[],
  fallback: Fallback<T>,
  message?: string,
): Setting<T> {
  return {
    read(name, context) {
      const raw = context.env[name];
      if (raw === undefined) return fallbackOf(fallback, context);
      if ((values as readonly string[]).includes(raw)) return raw as T;
      context.problems.push(message ?? `${name} must be one of the following values: ${values.join(', ')}`);
      return fallbackOf(fallback, context);
    },
  };
}

/** Free text, as given; unset is the default. */
export function text(): Setting<string | undefined>;
export function text(fallback: Fallback<string>): Setting<string>;
export function text(fallback?: Fallback<string>): Setting<string | undefined> {
  return {
    read: (name, context) => context.env[name] ?? (fallback === undefined ? undefined : fallbackOf(fallback, context)),
  };
}

/** Text of a given shape; `message` names the variable and shows a valid value. */
export function matching(pattern: RegExp, message: string): Setting<string | undefined>;
export function matching(pattern: RegExp, message: string, fallback: string): Setting<string>;
export function matching(pattern: RegExp, message: string, fallback?: string): Setting<string | undefined> {
  return {
    read(name, { env, problems }) {
      const raw = env[name];
      if (raw === undefined) return fallback;
      if (pattern.test(raw)) return raw;
      problems.push(message);
      return fallback;
    },
  };
}

/** A comma-separated list; blanks around and between entries are dropped. */
export function list(): Setting<string[]> {
  return { read: (name, { env }) => splitList(env[name]) };
}

export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

export function port(fallback: number): Setting<number> {
  return {
    read(name, { env, problems }) {
      const raw = env[name];
      if (raw === undefined) return fallback;
      const value = /^\d{1,5}$/.test(raw.trim()) ? Number(raw) : NaN;
      if (value >= 0 && value <= 65_535) return value;
      problems.push(`${name} must be a port number between 0 and 65535 (default ${fallback})`);
      return fallback;
    },
  };
}

/**
 * Where a secret's value came from; security:check reports it and production refuses `generated`.
 * `missing` only when loading with `developmentSecrets: 'read-only'`: none is set or stored yet.
 */
export type SecretSource = 'env' | 'file' | 'generated' | 'missing';

/**
 * A secret from `<NAME>` or `<NAME>_FILE` (never both), undecoded: the slice judges it. Production refuses
 * a file that is the development secrets store.
 */
export function secret(): Setting<{ value: string; source: 'env' | 'file' } | undefined> {
  return {
    read(name, { env, production, options, problems }) {
      const file = env[`${name}_FILE`];
      if (env[name] !== undefined && file !== undefined) {
        problems.push(`${name} and ${name}_FILE are both set; keep one`);
      } else if (file !== undefined) {
        const developmentFile = options.developmentSecretsFile ?? DEVELOPMENT_SECRETS_FILE;
        if (production && resolve(file) === resolve(developmentFile)) {
          problems.push(`${name}_FILE points at the development secrets file; mount a production secret instead`);
          return undefined;
        }
        try {
          return { value: readFileSync(file, 'utf8').trim(), source: 'file' };
        } catch {
          problems.push(`${name}_FILE points at ${file}, which cannot be read`);
        }
      } else if (env[name] !== undefined && env[name] !== '') {
        return { value: env[name], source: 'env' };
      }
      return undefined;
    },
  };
}

/**
 * An absolute URL that must be https in production (plain http is accepted elsewhere, for local
 * services); `invalid` is the whole message for a value that is no URL at all.
 */
export function readHttpsUrl(
  name: string,
  value: string,
  invalid: string,
  context: { production: boolean; problems: string[] },
): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    context.problems.push(invalid);
    return undefined;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !context.production)) {
    context.problems.push(`${name} must use https (plain http is accepted outside production only)`);
  }
  return url;
}

/** 3600 → `1h`, 90 → `90s`: bounds in the unit an operator would write. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
