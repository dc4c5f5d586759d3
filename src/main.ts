import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp, nestApplicationOptions } from './app.setup';
import { currentEnvironment } from './config/configuration';
import { describeStartupError } from './config/startup-error';

async function bootstrap(): Promise<void> {
  // Start-up lines are held until the JSON logger is ready, so every line has the same format: from here,
  // before the configuration loads, so its warnings (a generated development secret) are held too.
  Logger.attachBuffer();
  // Validate first, so a bad setting fails with its own message before anything else starts.
  const env = currentEnvironment();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    ...nestApplicationOptions(env.tls),
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  configureApp(app);
  app.enableShutdownHooks();
  await app.listen(env.port);
  new Logger('Warden').log(`Listening on ${env.tls ? 'https' : 'http'}://localhost:${env.port}`);
}

bootstrap().catch((error: unknown) => {
  // Start-up failed before the JSON logger took over: print what was held, in Nest's plain format.
  Logger.flush();
  // Configuration and key-decryption errors are the operator's to fix: their message says how.
  console.error(describeStartupError(error));
  process.exit(1);
});
