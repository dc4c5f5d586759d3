import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { json, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { ACCESS_TOKEN_EXPIRES_HEADER } from './access/authenticated-response.interceptor';
import { devOutboxPage } from './client/dev-outbox-page';
import type { appConfig, HttpTimeouts, TlsFiles } from './config/app-settings';
import type { mailConfig } from './mail/mail.config';
import { CSP_REPORT_GROUP, CSP_REPORT_MEDIA_TYPES, CSP_REPORT_PATH } from './csp-reports/csp-report';
import { setUpOpenApi } from './openapi/openapi';

/** Small bodies only: nothing Warden accepts is large, and big JSON is a cheap way to burn CPU. */
export const JSON_BODY_LIMIT = '16kb';

/** A browser's CSP report is a few hundred bytes; a batch of ten stays well under this. */
const CSP_REPORT_BODY_LIMIT = '8kb';

/**
 * One year, with includeSubDomains (ASVS 5.0 3.4.1, L2): a sibling host served over plain HTTP could otherwise
 * plant cookies or be phished under our name. Preload stays the domain owner's decision.
 */
export const HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** Options for NestFactory.create: HTTPS served directly when TLS_CERT_FILE and TLS_KEY_FILE are set. */
export function nestApplicationOptions(tls: TlsFiles): NestApplicationOptions {
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
          // ASVS 5.0 3.4.7: violations are reported (report-uri for older browsers, report-to for the rest).
          reportUri: [CSP_REPORT_PATH],
          reportTo: [CSP_REPORT_GROUP],
        },
      },
      // RFC 6797: HSTS only where HTTPS is terminated, by us (TLS_CERT_FILE) or upstream (TLS_TERMINATED_UPSTREAM).
      strictTransportSecurity: config.hsts ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: true } : false,
    }),
  );
  app.use((_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Reporting-Endpoints', `${CSP_REPORT_GROUP}="${CSP_REPORT_PATH}"`);
    next();
  });
  // Where the development outbox answers, the client's page says so: the client never probes for it.
  if (app.get(ConfigService).getOrThrow<ReturnType<typeof mailConfig>>('mail').outboxRoute) app.use(devOutboxPage());
  app.use(cookieParser());
  // API answers carry credentials, CSRF tokens and personal data: no cache, shared or private, keeps them.
  app.use('/api', (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  // JSON only: no form parser, so a cross-site HTML form cannot produce a body the API accepts.
  express.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  // CSP reports come as JSON under their own media types, on their route only.
  express.use(CSP_REPORT_PATH, json({ type: CSP_REPORT_MEDIA_TYPES, limit: CSP_REPORT_BODY_LIMIT }));
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
      allowedHeaders: ['content-type', 'x-csrf-token', 'authorization', 'dpop'],
      // A cross-origin page can read only the response headers named here: the token's expiry, and for a DPoP
      // client the nonce to retry with and why it was refused.
      exposedHeaders: [ACCESS_TOKEN_EXPIRES_HEADER, 'dpop-nonce', 'www-authenticate'],
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
