import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream } from 'pino';
import { appConfig } from '../config/configuration';
import { requestId } from './request-id';

/** Where log lines go: stdout by default; tests provide a stream they can read. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/**
 * Never logged: credentials in headers, and any body field that could hold a secret. Bodies are not logged
 * at all; the body paths are a second line of defence should someone add a body serializer.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'req.body',
  'res.body',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.csrfToken',
  '*.token',
];

/**
 * The request as logged: the path without its query string, and never `req.query`. A client may put a
 * token in the URL (`?access_token=...`); Warden never reads it there, and the log must not keep it.
 */
export function serializeRequest(request: IncomingMessage & { id?: unknown }): Record<string, unknown> {
  const url = (request as { originalUrl?: string }).originalUrl ?? request.url ?? '';
  const query = url.indexOf('?');
  return {
    id: request.id,
    method: request.method,
    url: query === -1 ? url : url.slice(0, query),
    headers: request.headers,
    remoteAddress: request.socket?.remoteAddress,
    remotePort: request.socket?.remotePort,
  };
}

@Global()
@Module({
  providers: [{ provide: LOG_DESTINATION, useFactory: (): DestinationStream => pino.destination(1) }],
  exports: [LOG_DESTINATION],
})
export class LogDestinationModule {}

/** Structured JSON logs with a request id on every line of a request. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      imports: [LogDestinationModule],
      inject: [appConfig.KEY, LOG_DESTINATION],
      useFactory: (app: ConfigType<typeof appConfig>, destination: DestinationStream) => ({
        pinoHttp: [
          {
            level: app.logLevel,
            genReqId: (request: IncomingMessage, response: ServerResponse) => requestId(request, response),
            redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
            serializers: { req: serializeRequest },
            customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
              error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
          },
          destination,
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
