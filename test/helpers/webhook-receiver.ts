import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  headers: IncomingMessage['headers'];
  body: string;
  response: ServerResponse;
}

interface Waiter {
  count: number;
  resolve: (hooks: ReceivedHook[]) => void;
}

/**
 * A local webhook endpoint on 127.0.0.1:0. `answer` decides each response status; returning undefined
 * leaves the request hanging (a receiver that never answers).
 */
export async function startWebhookReceiver(answer: (index: number) => number | undefined) {
  const received: ReceivedHook[] = [];
  let waiters: Waiter[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const index = received.length;
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), response });
      const status = answer(index);
      if (status !== undefined) response.writeHead(status).end();
      const ready = waiters.filter((waiter) => received.length >= waiter.count);
      waiters = waiters.filter((waiter) => received.length < waiter.count);
      for (const waiter of ready) waiter.resolve(received);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/warden`,
    received,
    /**
     * Resolves with everything received once `count` deliveries have arrived (at once if they already
     * have); rejects after `timeoutMs` of real time (deliveries happen outside the request/response cycle).
     */
    deliveries: (count: number, timeoutMs = 5000): Promise<ReceivedHook[]> => {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise<ReceivedHook[]>((resolve, reject) => {
        const waiter: Waiter = {
          count,
          resolve: (hooks) => {
            clearTimeout(timer);
            resolve(hooks);
          },
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((other) => other !== waiter);
          reject(new Error(`${count} webhook deliveries expected, ${received.length} arrived in ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
