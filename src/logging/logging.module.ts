import { Global, Injectable, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger, LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream } from 'pino';
import { MAX_LOGGED_PATH_LENGTH, storedText } from '../common/stored-text';
import { appConfig } from '../config/app-settings';
import { requestId } from './request-id';

/** Where log lines go: stdout by default; tests provide a stream they can read. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/**
 * The request headers a log line keeps; every other header is dropped. A deny-list cannot keep up: any
 * client or proxy may carry a credential in a header of its own (X-Access-Token, X-Api-Key,
 * Cf-Access-Jwt-Assertion, X-Amzn-Oidc-Data, ...), so only headers known to hold none are logged.
 */
export const LOGGED_REQUEST_HEADERS = [
  'user-agent',
  'host',
  'content-type',
  'content-length',
  'origin',
  'referer',
  'x-request-id',
  'x-forwarded-for',
] as const;

/** The response headers a log line keeps (never Set-Cookie). */
export const LOGGED_RESPONSE_HEADERS = ['content-type', 'content-length', 'x-request-id'] as const;

/**
 * Never logged, a second layer behind the header allow-lists: credentials in headers should one of them
 * be allowed by mistake, and any body field that could hold a secret. Bodies are not logged at all; the
 * body paths are a second line of defence should someone add a body serializer.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers.dpop',
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

type Headers = Record<string, unknown> | undefined;

/**
 * Only the allowed headers, by their lower-case names (Node's own spelling of incoming headers), each value
 * bounded (storedText): a 15 KB Origin must not become 15 KB of log per request.
 */
export function pickHeaders(headers: Headers, allowed: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (allowed.includes(name.toLowerCase()) && value !== undefined) picked[name.toLowerCase()] = boundHeader(value);
  }
  return picked;
}

function boundHeader(value: unknown): unknown {
  if (typeof value === 'string') return storedText(value);
  return Array.isArray(value) ? value.map(boundHeader) : value;
}

interface LoggedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  originalUrl?: string;
  headers?: Headers;
  remoteAddress?: string;
  remotePort?: number;
  socket?: { remoteAddress?: string; remotePort?: number };
}

/**
 * The request as logged: the path without its query string, and never `req.query`. A client may put a
 * token in the URL (`?access_token=...`); Warden never reads it there, and the log must not keep it.
 * Headers: LOGGED_REQUEST_HEADERS only. Takes pino's standard request object (pino-http wraps custom
 * serializers) or the raw IncomingMessage.
 */
export function serializeRequest(
  request: LoggedRequest | (IncomingMessage & { id?: unknown }),
): Record<string, unknown> {
  const req = request as LoggedRequest;
  const url = req.originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  return {
    id: req.id,
    method: req.method,
    url: storedText(query === -1 ? url : url.slice(0, query), MAX_LOGGED_PATH_LENGTH),
    headers: pickHeaders(req.headers, LOGGED_REQUEST_HEADERS),
    remoteAddress: req.remoteAddress ?? req.socket?.remoteAddress,
    remotePort: req.remotePort ?? req.socket?.remotePort,
  };
}

/** The response as logged: the status and LOGGED_RESPONSE_HEADERS only (pino's standard object or raw). */
export function serializeResponse(
  response: { statusCode?: number; headers?: Headers } | ServerResponse,
): Record<string, unknown> {
  const headers =
    'getHeaders' in response && typeof response.getHeaders === 'function'
      ? (response.getHeaders() as Headers)
      : (response as { headers?: Headers }).headers;
  return { statusCode: response.statusCode, headers: pickHeaders(headers, LOGGED_RESPONSE_HEADERS) };
}

/**
 * JSON on stdout, one object per line, for production and log shippers. In development, one short
 * coloured line per entry through pino-pretty (a dev dependency: an install without dev dependencies
 * keeps JSON). Tests provide their own stream.
 */
export async function logDestination(nodeEnv: string): Promise<DestinationStream> {
  if (nodeEnv === 'development') {
    try {
      const { default: pretty } = await import('pino-pretty');
      return pretty({
        colorize: process.stdout.isTTY,
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname,context,req,res,responseTime,reqId',
        messageFormat: '{if context}[{context}] {end}{msg}{if req} {req.method} {req.url} {res.statusCode}{end}',
        singleLine: true,
      });
    } catch {
      // pino-pretty is not installed: JSON it is.
    }
  }
  return pino.destination(1);
}

@Global()
@Module({
  providers: [
    {
      provide: LOG_DESTINATION,
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => logDestination(app.nodeEnv),
    },
  ],
  exports: [LOG_DESTINATION],
})
export class LogDestinationModule {}

/** Nest's per-module and per-route start-up lines (~65 of them): debug detail, not news. */
const FRAMEWORK_CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** The app's logger: nestjs-pino's, with Nest's start-up chatter moved down to `debug`. */
@Injectable()
export class AppLogger extends Logger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && FRAMEWORK_CHATTER.has(context)) this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

/** Structured JSON logs with a request id on every line of a request. */
@Module({
  providers: [AppLogger],
  exports: [AppLogger],
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
            serializers: { req: serializeRequest, res: serializeResponse },
            customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) => {
              if (error) return 'error';
              // 503 with Retry-After is load shed on purpose (PasswordService warns once a second with the
              // count): an error line per refused request would make the log the flood's next bottleneck.
              if (response.statusCode === 503 && response.hasHeader('retry-after')) return 'info';
              return response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info';
            },
          },
          destination,
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
