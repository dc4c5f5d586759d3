import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import type { appConfig } from './config/configuration';
import type { Environment, HttpTimeouts } from './config/environment';
import { setUpOpenApi } from './openapi/openapi';

/** Small bodies only: nothing Warden accepts is large, and big JSON is a cheap way to burn CPU. */
export const JSON_BODY_LIMIT = '16kb';

/** One year, the value HSTS preload lists expect; subdomains and preload stay the domain owner's decision. */
export const HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** Options for NestFactory.create: HTTPS served directly when TLS_CERT_FILE and TLS_KEY_FILE are set. */
export function nestApplicationOptions(tls: Environment['tls']): NestApplicationOptions {
  return {
    bodyParser: false,
    // Node's defaults already refuse anything older than TLS 1.2.
    ...(tls ? { httpsOptions: { cert: tls.cert, key: tls.key } } : {}),
  };
}

/**
 * HTTP-level settings shared by main.ts and the HTTP tests, so tests exercise the production stack.
 * (Guards, pipes and filters are registered inside modules and need nothing here.)
 */
export function configureApp(app: INestApplication): INestApplication {
  const express = app as NestExpressApplication;
  const config = app.get(ConfigService).getOrThrow<ReturnType<typeof appConfig>>('app');

  setServerTimeouts(app.getHttpServer() as Server, config.httpTimeouts);
  // req.ip honours X-Forwarded-For only from the proxies named in TRUST_PROXY.
  express.set('trust proxy', config.trustProxy);
  express.disable('x-powered-by');
  // Express runs middleware in this order; the body parser comes last so its own errors (bad JSON, too
  // large) still carry the security headers and no-store.
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
      // RFC 6797: HSTS only where HTTPS is terminated, by us (TLS_CERT_FILE) or upstream (TLS_TERMINATED_UPSTREAM).
      strictTransportSecurity: config.hsts ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: false } : false,
    }),
  );
  app.use(cookieParser());
  // API answers carry credentials, CSRF tokens and personal data: no cache, shared or private, keeps them.
  app.use('/api', (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  // JSON only: no form parser, so a cross-site HTML form cannot produce a body the API accepts.
  express.useBodyParser('json', { limit: JSON_BODY_LIMIT });
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
  setUpOpenApi(app, { ui: config.nodeEnv === 'development' });
  return app;
}

/**
 * A client that sends its headers or announced body slowly (or never) holds a connection and its memory;
 * Node's defaults allow 60 s for the headers and 5 minutes for a request. Node checks these deadlines on a
 * timer (`connectionsCheckingInterval`, 30 s by default, read when the server starts listening), so it
 * runs every second here: a deadline is then enforced within a second of passing.
 */
export function setServerTimeouts(server: Server, timeouts: HttpTimeouts): void {
  server.headersTimeout = timeouts.headersSeconds * 1000;
  server.requestTimeout = timeouts.requestSeconds * 1000;
  server.keepAliveTimeout = timeouts.keepAliveSeconds * 1000;
  // A createServer option, but read as a property when listening starts (node/lib/_http_server.js).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 1000;
}
