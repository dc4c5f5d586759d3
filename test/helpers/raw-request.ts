import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { TestApp } from './test-app';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text: read it with bodyOf() (helpers/api.ts). */
  body: unknown;
}

export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * The client address. Linux routes all of 127.0.0.0/8 to loopback, so binding the socket to e.g.
   * 127.0.0.2 makes the app see a different client IP without any proxy header.
   */
  from?: string;
}

/** A request from a chosen local address; the app must listen on 127.0.0.1 (createTestApp does). */
export function rawRequest(t: TestApp, path: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: t.port,
        path,
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
        headers: {
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
