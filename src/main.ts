import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { loadEnvironment } from './config/environment';

async function bootstrap(): Promise<void> {
  // Validate first, so a bad setting fails with its own message before anything else starts.
  const { port } = loadEnvironment();
  // Start-up lines are held until the JSON logger is ready, so every line has the same format.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  configureApp(app);
  app.enableShutdownHooks();
  await app.listen(port);
  new Logger('Warden').log(`Listening on http://localhost:${port}`);
}

bootstrap().catch((error: Error) => {
  // A configuration error is the operator's to fix: its message says how; a stack would bury it.
  console.error(error.name === 'ConfigurationError' ? error.message : error);
  process.exit(1);
});
