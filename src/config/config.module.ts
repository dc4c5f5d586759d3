import { Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { allConfig } from './configuration';
import { refuseProductionFromEnvFile } from './env-file';

/**
 * Whether a local .env is read, judged by the NODE_ENV of the real environment (the file cannot switch
 * itself off). Tests must not depend on a developer's file. Production must not either: variables set in
 * the environment win over the file, so a stray .env (a developer's copy with dev secrets,
 * COOKIE_SECURE=false, LAB_ENABLED=true) would silently fill exactly the settings the deployment forgot.
 * Production settings come from the environment or NAME_FILE secrets only, so a .env cannot say
 * NODE_ENV=production either (refuseProductionFromEnvFile).
 */
export function readsEnvFile(nodeEnv: string | undefined = process.env.NODE_ENV): boolean {
  return nodeEnv !== 'test' && nodeEnv !== 'production';
}

/** Captured before forRoot reads the file: what the real environment says. */
const realNodeEnv = process.env.NODE_ENV;

const nestConfigModule = NestConfigModule.forRoot({
  isGlobal: true,
  ignoreEnvFile: !readsEnvFile(realNodeEnv),
  load: allConfig,
  validate: refuseProductionFromEnvFile(realNodeEnv),
});
// Nest awaits this when it boots and fails with the refusal; until then (main.ts first reads the
// configuration, which refuses too) a rejection must not crash the process as unhandled.
nestConfigModule.catch(() => undefined);

@Module({ imports: [nestConfigModule] })
export class ConfigModule {}
