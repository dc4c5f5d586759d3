import { ConfigurationError } from './environment';

export const PRODUCTION_FROM_ENV_FILE =
  'NODE_ENV=production must come from the real environment, not .env; production reads no .env ' +
  '(set NODE_ENV=production where the process starts, or remove the line from .env)';

/** Set when the .env read at start-up was refused; every later configuration read refuses with it. */
let refusal: ConfigurationError | undefined;

/**
 * The forRoot `validate` hook: whether .env is read was decided by `realNodeEnv`, the NODE_ENV of the real
 * environment captured before the file loads. `config` is the file merged under the environment, so a
 * NODE_ENV=production there that the environment did not say came from the file: the process would run
 * as production with the rest of a developer's .env (dev secrets, COOKIE_SECURE=false, LAB_ENABLED=true).
 */
export function refuseProductionFromEnvFile(
  realNodeEnv: string | undefined,
): (config: Record<string, unknown>) => Record<string, unknown> {
  refusal = undefined;
  return (config) => {
    if (config.NODE_ENV === 'production' && realNodeEnv !== 'production') {
      refusal = new ConfigurationError([PRODUCTION_FROM_ENV_FILE]);
      throw refusal;
    }
    return config;
  };
}

/** Throws the refusal of the .env, if there was one (main.ts reads the configuration before Nest boots). */
export function assertEnvFileAccepted(): void {
  if (refusal) throw refusal;
}
