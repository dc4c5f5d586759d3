import { Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** The parser errors that have a more precise status than 400. */
const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

/**
 * The last word on requests nothing else took, so every answer keeps the one error shape. Nest answers
 * unknown /api routes itself; a POST to `/` or an unknown `/.well-known/x` would otherwise get Express's
 * HTML page, and a request Node cannot even parse (oversized headers) a bare status line.
 */
@Injectable()
export class HttpFallback implements OnApplicationBootstrap {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  // At bootstrap every route and the static client are registered, so this handler lands after them all.
  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    adapter.use((request: Request, response: Response) => {
      response
        .status(404)
        .json({ statusCode: 404, error: 'Not Found', message: `Cannot ${request.method} ${request.path}` });
    });
    const server = adapter.getHttpServer() as Server;
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      // Node's own rule (http server docs): answer only if nothing was written on this connection yet.
      const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (!socket.writable || error.code === 'ECONNRESET' || inFlight?.headersSent) {
        socket.destroy();
        return;
      }
      const [status, phrase] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Bad Request'];
      const body = JSON.stringify({ statusCode: status, error: phrase, message: phrase });
      socket.end(
        `HTTP/1.1 ${status} ${phrase}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  }
}

@Module({ providers: [HttpFallback] })
export class HttpFallbackModule {}
