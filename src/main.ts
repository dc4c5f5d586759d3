import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { currentSettings } from './app.config';
import { AppModule } from './app.module';
import { configureApp, nestApplicationOptions } from './app.setup';
import { describeStartupError, isOperatorError } from './config/startup-error';
import { AppLogger } from './logging/logging.module';

async function bootstrap(): Promise<void> {
  // Start-up lines are held until the server listens, then go through the app's logger, so every line has
  // the same format and nothing claims success before the port is ours. Held from here, before the
  // configuration loads, so its warnings (a generated development secret) are held too.
  Logger.attachBuffer();
  // Validate first, so a bad setting fails with its own message before anything else starts.
  const { app: settings } = currentSettings();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    ...nestApplicationOptions(settings.tls),
    bufferLogs: true,
    autoFlushLogs: false,
    // Errors reach the catch below (one line for an operator's mistake) instead of Nest's own exit.
    abortOnError: false,
  });
  configureApp(app);
  app.enableShutdownHooks();
  await app.listen(settings.port);
  app.useLogger(app.get(AppLogger));
  app.flushLogs();
  const { port } = app.getHttpServer().address() as AddressInfo;
  new Logger('Warden').log(`Listening on ${settings.tls ? 'https' : 'http'}://localhost:${port}`);
}

bootstrap().catch((error: unknown) => {
  // An operator's mistake (a setting, a port in use, an unreachable database) is one line that says what to
  // change; the held start-up lines would only bury it. Anything else is printed whole, after them.
  if (isOperatorError(error)) Logger.detachBuffer();
  else Logger.flush();
  console.error(describeStartupError(error));
  process.exit(1);
});
