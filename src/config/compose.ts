import type { ConfigType } from '@nestjs/config';
import {
  AnySettingsConfig,
  LoadOptions,
  nodeEnvOf,
  SettingsConfig,
  SettingsContext,
  SliceDefinition,
} from './settings';

export class ConfigurationError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/** The settings of every listed slice, by namespace: `settings.session.refreshTokenTtlSeconds`. */
export type ComposedSettings<L extends readonly AnySettingsConfig[]> = {
  [C in L[number] as C['settings']['key']]: ConfigType<C>;
};

/** A rule across slices (REFRESH_TOKEN_TTL against ACCESS_TOKEN_TTL); answers its problems. */
export type CrossCheck<S> = (settings: S) => string[];

/**
 * Loads every slice against one environment, in the order listed (which is the order problems are
 * reported in), then the cross-field checks; throws one ConfigurationError with every problem, or answers
 * the settings.
 */
export function composeSettings<const L extends readonly AnySettingsConfig[]>(
  configs: L,
  crossChecks: readonly CrossCheck<ComposedSettings<L>>[],
  env: NodeJS.ProcessEnv,
  options: LoadOptions = {},
): ComposedSettings<L> {
  const { context, loaded } = loader(env, options, new Set(configs.map((config) => config.settings)));
  for (const config of configs) context.get(config);
  const settings = Object.fromEntries(loaded) as ComposedSettings<L>;
  for (const check of crossChecks) context.problems.push(...check(settings));
  refuseProblems(context);
  return settings;
}

/** One slice, with the slices it reads, and none of the cross-field checks: for that slice's unit tests. */
export function loadSlice<V extends object>(
  config: SettingsConfig<V>,
  env: NodeJS.ProcessEnv,
  options: LoadOptions = {},
): V {
  const { context } = loader(env, options);
  const settings = context.get(config);
  refuseProblems(context);
  return settings;
}

/** `listed`: the slices that may be loaded; one read but not listed would be missing from Nest. */
function loader(env: NodeJS.ProcessEnv, options: LoadOptions, listed?: Set<SliceDefinition<object>>) {
  const loaded = new Map<string, object>();
  const nodeEnv = nodeEnvOf(env);
  const context: SettingsContext = {
    env,
    nodeEnv,
    production: nodeEnv === 'production',
    options,
    problems: [],
    get<V extends object>(config: { readonly settings: SliceDefinition<V> }): V {
      const { key } = config.settings;
      if (listed && !listed.has(config.settings))
        throw new Error(`The ${key} settings are read at start-up but not listed`);
      if (!loaded.has(key)) loaded.set(key, config.settings.load(context));
      return loaded.get(key) as V;
    },
  };
  return { context, loaded };
}

function refuseProblems({ env, problems }: SettingsContext): void {
  if (problems.length === 0) return;
  if (!env.NODE_ENV) {
    problems.push(
      'NODE_ENV is unset, so Warden runs as production; for development run `npm run start:dev` or set ' +
        'NODE_ENV=development in the environment',
    );
  }
  throw new ConfigurationError(problems);
}

/**
 * `load` once per distinct process.env: every slice, main.ts and cli.ts share the result, so secret and TLS
 * files are read (and var/dev-secrets.json written) once per boot. The key is the whole environment, so a
 * process that boots again with other settings (tests do) loads again.
 */
export function cachedPerEnvironment<T>(load: () => T): () => T {
  let cached: { snapshot: string; value: T } | undefined;
  return () => {
    const snapshot = JSON.stringify(Object.entries(process.env).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (cached?.snapshot !== snapshot) cached = { snapshot, value: load() };
    return cached.value;
  };
}
