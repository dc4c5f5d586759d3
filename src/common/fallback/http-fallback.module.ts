import { Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

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
      if (!socket.writable || error.code === 'ECONNRESET') {
        socket.destroy();
        return;
      }
      const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? 431 : 400;
      const error_ = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
      const body = JSON.stringify({ statusCode: status, error: error_, message: error_ });
      socket.end(
        `HTTP/1.1 ${status} ${error_}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  }
}

@Module({ providers: [HttpFallback] })
export class HttpFallbackModule {}
