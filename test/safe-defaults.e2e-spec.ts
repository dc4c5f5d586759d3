import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createTestApp, TestApp } from './helpers/test-app';

const sockets: Socket[] = [];

/** Opens a raw connection, writes `text`, and resolves with everything the server sent once it closes. */
function holdConnection(t: TestApp, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(t.port, '127.0.0.1', () => socket.write(text));
    sockets.push(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

describe('safe defaults', () => {
  describe('server timeouts: a client that never finishes its request cannot hold a connection', () => {
    let t: TestApp;
    beforeAll(async () => {
      // Short deadlines so the test does not wait long; the defaults are asserted below.
      t = await createTestApp({ env: { HTTP_HEADERS_TIMEOUT: '1s', HTTP_REQUEST_TIMEOUT: '2s' } });
    });
    afterAll(async () => {
      // Should a deadline not hold, the test fails on its own timeout; its socket must not keep the app open.
      for (const socket of sockets) socket.destroy();
      await t.close();
    });

    // Node's defaults (60 s for headers, 5 min for a request) would keep these sockets open past the test's
    // own timeout: the test fails on them rather than passing slowly.
    it('a body announced but never sent: 408 and the connection is closed', async () => {
      const answer = await holdConnection(
        t,
        'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
          'Content-Length: 1000\r\n\r\n{"email":',
      );
      expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(answer).toContain('"statusCode":408');
    }, 20_000);

    it('headers trickled and never finished (slowloris): 408 and the connection is closed', async () => {
      const answer = await holdConnection(t, 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a');
      expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    }, 20_000);

    it('the server still answers afterwards', async () => {
      await t.http().get('/api/health').expect(200);
    });
  });

  it('sets the documented timeouts by default', async () => {
    const t = await createTestApp();
    try {
      const server = t.app.getHttpServer() as Server;
      expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout]).toEqual([10_000, 30_000, 5_000]);
    } finally {
      await t.close();
    }
  });

  it('creates the SQLite database owner-only (0600, in a new 0700 directory)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'warden-mode-'));
    const file = join(directory, 'var', 'warden.sqlite');
    const t = await createTestApp({ env: { DATABASE_URL: `sqlite:${file}` } });
    try {
      await t.auditEvents(); // something written
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
      // SQLite gives its write-ahead log and shared-memory files the database file's mode.
      for (const companion of [`${file}-wal`, `${file}-shm`]) {
        expect((statSync(companion).mode & 0o777).toString(8)).toBe('600');
      }
      expect((statSync(join(directory, 'var')).mode & 0o777).toString(8)).toBe('700');
    } finally {
      await t.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('production refuses to start on plain HTTP without TLS_TERMINATED_UPSTREAM=true', async () => {
    await expect(createTestApp({ env: { NODE_ENV: 'production' } })).rejects.toThrow(
      /HTTPS is required in production: set TLS_CERT_FILE and TLS_KEY_FILE .* or TLS_TERMINATED_UPSTREAM=true/,
    );
  });
});
