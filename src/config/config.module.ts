import type { DynamicModule } from '@nestjs/common';
import { ConfigModule as NestConfigModule, type ConfigFactory } from '@nestjs/config';

/**
 * A local .env is read only when the real environment says NODE_ENV=development (npm run start:dev does):
 * the file cannot switch itself on, nor choose the environment. Tests must not depend on a developer's
 * file. Production must not either: variables set in the environment win over the file, so a stray .env
 * (a developer's copy with dev secrets, COOKIE_SECURE=false, LAB_ENABLED=true) would silently fill exactly
 * the settings the deployment forgot. An unset NODE_ENV is production, and reads no .env.
 */
export function readsEnvFile(nodeEnv: string | undefined = process.env.NODE_ENV): boolean {
  return nodeEnv === 'development';
}

/**
 * The global ConfigModule serving the given slices. The .env (if read at all) is merged into process.env
 * right here, synchronously, so call this when the wiring module is defined: before settings are loaded.
 */
export function configModule(slices: readonly ConfigFactory[]): Promise<DynamicModule> {
  const module = NestConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: !readsEnvFile(), load: [...slices] });
  // Nest awaits this when it boots; until then a rejection must not crash the process as unhandled.
  module.catch(() => undefined);
  return module;
}
