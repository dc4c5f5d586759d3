import { registerAs, type ConfigFactoryKeyHost } from '@nestjs/config';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/**
 * Unset is production: a forgotten NODE_ENV must not switch on the lab, generated secrets and Swagger UI.
 * Development is chosen explicitly (npm run start:dev sets it). An invalid value is refused by the app slice.
 */
export function nodeEnvOf(env: NodeJS.ProcessEnv): NodeEnv {
  return (env.NODE_ENV || 'production') as NodeEnv;
}

export interface LoadOptions {
  developmentSecretsFile?: string;
  /**
   * `generate` (the default; outside production only): a missing secret is generated into
   * var/dev-secrets.json. `read-only`: values already stored there are used, the rest are reported as
   * `missing` and nothing is written; for commands that must change nothing (security:check).
   */
  developmentSecrets?: 'generate' | 'read-only';
  /** The .env production ignores; read only to say so when it holds a missing secret. */
  envFile?: string;
}

/** What a slice reads while it loads. */
export interface SettingsContext {
  readonly env: NodeJS.ProcessEnv;
  readonly nodeEnv: NodeEnv;
  readonly production: boolean;
  readonly options: LoadOptions;
  /** Every refusal of this start-up, one line each, starting with the variable's name and saying the fix. */
  readonly problems: string[];
  /**
   * Another slice's settings, for a default that follows them (JWT_ISSUER follows PORT). A function property,
   * not a method: slices destructure it (`{ get }`), and it needs no `this`.
   */
  readonly get: <V extends object>(config: { readonly settings: SliceDefinition<V> }) => V;
}

/** One variable: how it is read, with its default and bounds (see readers.ts). */
export interface Setting<T> {
  read(name: string, context: SettingsContext): T;
}

export type SettingTable = Record<string, Setting<unknown>>;
export type SettingValues<T extends SettingTable> = { [K in keyof T]: T[K] extends Setting<infer V> ? V : never };

export interface SliceDefinition<V extends object, K extends string = string> {
  /** The registerAs namespace. */
  readonly key: K;
  /** The variables the slice declares, in its table's order; .env.example documents each. */
  readonly variables: readonly string[];
  /** Reads the table, then resolves it into typed settings; problems go to context.problems. */
  load(context: SettingsContext): V;
}

/** A registerAs factory (inject it with ConfigType<typeof xConfig>) that also carries its definition. */
export type SettingsConfig<V extends object = object, K extends string = string> = (() => V) &
  ConfigFactoryKeyHost<V> & { readonly settings: SliceDefinition<V, K> };

/** Any slice, whatever its settings' type: what a list of slices holds. */
export interface AnySettingsConfig {
  (): object;
  readonly KEY: string | symbol;
  readonly settings: SliceDefinition<object>;
}

/** Where the slices' factories get their values; see serveSettingsFrom. */
let composed: (() => Readonly<Record<string, object>>) | undefined;

/**
 * Set once, by the wiring floor (src/app.config.ts), which lists every slice: a slice's factory answers
 * from the whole configuration start-up validated, never by loading itself alone, which would report its
 * own problems without the others' and skip the cross-field checks.
 */
export function serveSettingsFrom(current: () => Readonly<Record<string, object>>): void {
  composed = current;
}

/**
 * A feature's settings: its variables, declared once in a table (name → reader with default and bounds),
 * and how they become the typed object its module injects. The result is the feature's registerAs slice.
 */
export function defineSettings<const K extends string, T extends SettingTable, V extends object>(
  key: K,
  table: T,
  resolve: (values: SettingValues<T>, context: SettingsContext) => V,
): SettingsConfig<V, K> {
  const settings: SliceDefinition<V, K> = {
    key,
    variables: Object.keys(table),
    load(context) {
      const values = Object.fromEntries(
        Object.entries(table).map(([name, setting]) => [name, setting.read(name, context)]),
      ) as SettingValues<T>;
      return resolve(values, context);
    },
  };
  const factory = registerAs(key, (): V => {
    if (!composed) throw new Error(`The ${key} settings were asked for before src/app.config.ts composed them`);
    const value = composed()[key];
    if (!value) throw new Error(`The ${key} settings are not listed in src/app.config.ts`);
    return value as V;
  });
  return Object.assign(factory, { settings });
}
