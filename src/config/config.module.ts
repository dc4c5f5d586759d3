import { Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { allConfig } from './configuration';

@Module({
  imports: [
    NestConfigModule.forRoot({
      isGlobal: true,
      // A local .env is a convenience for development; tests must not depend on a developer's file.
      ignoreEnvFile: process.env.NODE_ENV === 'test',
      load: allConfig,
    }),
  ],
})
export class ConfigModule {}
