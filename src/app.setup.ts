import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import type { appConfig } from './config/configuration';

/** Small bodies only: nothing Warden accepts is large, and big JSON is a cheap way to burn CPU. */
export const JSON_BODY_LIMIT = '16kb';

/**
 * HTTP-level settings shared by main.ts and the HTTP tests, so tests exercise the production stack.
 * (Guards, pipes and filters are registered inside modules and need nothing here.)
 */
export function configureApp(app: INestApplication): INestApplication {
  const express = app as NestExpressApplication;
  const config = app.get(ConfigService).getOrThrow<ReturnType<typeof appConfig>>('app');

  // req.ip honours X-Forwarded-For only from the proxies named in TRUST_PROXY.
  express.set('trust proxy', config.trustProxy === false ? false : config.trustProxy);
  express.disable('x-powered-by');
  express.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  express.useBodyParser('urlencoded', { limit: JSON_BODY_LIMIT, extended: false });
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      // HSTS only makes sense where HTTPS is terminated; see the TLS settings.
      strictTransportSecurity: false,
    }),
  );
  app.use(cookieParser());
  app.setGlobalPrefix('api', {
    exclude: [
      { path: '.well-known/jwks.json', method: RequestMethod.GET },
      { path: '.well-known/openid-configuration', method: RequestMethod.GET },
    ],
  });
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      credentials: true,
      allowedHeaders: ['content-type', 'x-csrf-token', 'authorization'],
    });
  }
  return app;
}
