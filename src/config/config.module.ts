import { Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { allConfig } from './configuration';

/**
 * Whether a local .env is read, judged by the NODE_ENV of the real environment (the file cannot switch
 * itself off). Tests must not depend on a developer's file. Production must not either: variables set in
 * the environment win over the file, so a stray .env (a developer's copy with dev secrets,
 * COOKIE_SECURE=false, LAB_ENABLED=true) would silently fill exactly the settings the deployment forgot.
 * Production settings come from the environment or NAME_FILE secrets only.
 */
export function readsEnvFile(nodeEnv: string | undefined = process.env.NODE_ENV): boolean {
  return nodeEnv !== 'test' && nodeEnv !== 'production';
}

@Module({
  imports: [
    NestConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: !readsEnvFile(),
      load: allConfig,
    }),
  ],
})
export class ConfigModule {}
