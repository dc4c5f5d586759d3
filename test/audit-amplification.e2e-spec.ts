import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { REJECTION_WINDOW_MS } from '../src/audit/audit.service';
import { MAX_STORED_TEXT_LENGTH } from '../src/common/stored-text';
import { rawRequest } from './helpers/raw-request';
import { capturedLogs } from './helpers/secret-leaks';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * The review's amplification attack: unauthenticated requests that each bought durable storage (a raw 15 KB
 * Origin per CSRF-refused request, a row per junk bearer token; 2,000 requests grew the database by ~9 MB).
 * Now every stored or logged string is bounded and such rejections are counted on one row per source and
 * reason per window.
 */
describe('audit amplification', () => {
  const directory = mkdtempSync(join(tmpdir(), 'warden-amplification-'));
  const file = join(directory, 'warden.sqlite');
  const logLines: string[] = [];
  let t: TestApp;
  // One connection for the whole flood: 2,000 fresh connections would mostly measure the loopback.
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const text = chunk.toString('utf8');
        logLines.push(...text.split('\n').filter(Boolean));
        capturedLogs.write(text);
        done();
      },
    });
    t = await createTestApp({
      env: { DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'trace' },
      logDestination: destination,
    });
  });
  afterAll(async () => {
    agent.destroy();
    await t.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const hugeOrigin = () => `https://${randomBytes(7_500).toString('hex')}.example`;
  /** Shaped like a JWT (three base64url parts), so the guard reads and refuses it rather than finding none. */
  const junkToken = () => [300, 300, 64].map((size) => randomBytes(size).toString('base64url')).join('.');

  /** Sends `count` requests, 8 at a time. */
  async function flood(count: number, send: (agent: Agent) => Promise<unknown>) {
    for (let sent = 0; sent < count; sent += 8) {
      await Promise.all(Array.from({ length: Math.min(8, count - sent) }, () => send(agent)));
    }
  }
  const http = () => request(t.baseUrl);

  /**
   * The durable size: the write-ahead log folded into the database file first, so what is measured is what
   * stays, not how much log SQLite happens to hold before its next checkpoint.
   */
  async function databaseSize(): Promise<number> {
    await t.auditEvents();
    await t.dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
    const wal = `${file}-wal`;
    return statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0);
  }

  it('2,000 junk bearer tokens and CSRF-refused requests with a 15 KB Origin grow the database by < 256 KB', async () => {
    const before = await databaseSize();
    const rowsBefore = (await t.auditEvents()).length;

    await flood(1000, (agent) =>
      http().get('/api/users/me').agent(agent).set('Authorization', `Bearer ${junkToken()}`).expect(401),
    );
    await flood(1000, (agent) =>
      http()
        .post('/api/auth/login')
        .agent(agent)
        .set('Origin', hugeOrigin())
        .set('User-Agent', `flood/${randomBytes(500).toString('hex')}`)
        .send({ email: 'someone@example.test', password: 'whatever' })
        .expect(403),
    );

    const growth = (await databaseSize()) - before;
    const events = await t.auditEvents();
    expect(growth).toBeLessThan(256 * 1024);
    // The attack is recorded, not dropped: one row per reason, with its count.
    const added = events.slice(rowsBefore);
    expect(added.map(({ type, reason, count }) => ({ type, reason, count }))).toEqual([
      { type: 'access_token_rejected', reason: 'malformed', count: 1000 },
      { type: 'csrf_rejected', reason: 'origin_not_allowed', count: 1000 },
    ]);
    // And each stored string is bounded.
    const [stored] = await t.dataSource.query<{ bytes: number }[]>(
      `SELECT SUM(LENGTH(user_agent) + LENGTH(COALESCE(metadata, ''))) AS bytes FROM audit_events`,
    );
    expect(stored.bytes).toBeLessThan(4 * MAX_STORED_TEXT_LENGTH);
    const csrf = added[1];
    expect((csrf.metadata as { origin: string }).origin).toHaveLength(MAX_STORED_TEXT_LENGTH);
    expect(csrf.userAgent).toHaveLength(MAX_STORED_TEXT_LENGTH);
  }, 120_000);

  it('logs no header at full length either', async () => {
    logLines.length = 0;
    await http().post('/api/auth/login').set('Origin', hugeOrigin()).send({}).expect(403);
    await http()
      .get(`/api/${'x'.repeat(8_000)}`)
      .expect(404);
    expect(logLines.length).toBeGreaterThan(0);
    const longest = Math.max(...logLines.map((line) => line.length));
    expect(longest).toBeLessThan(4 * 1024);
  });

  it('starts a new row per window, per source and per reason', async () => {
    t.clock.advance(REJECTION_WINDOW_MS); // closes the windows of the tests above
    const rowsBefore = (await t.auditEvents()).length;
    const junk = () => http().get('/api/users/me').set('Authorization', `Bearer ${junkToken()}`).expect(401);
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'no-such-key' })).toString(
      'base64url',
    );
    await junk();
    await junk();
    await http().get('/api/users/me').set('Authorization', `Bearer ${header}.e30.c2ln`).expect(401);
    await rawRequest(t, '/api/users/me', { from: '127.0.0.2', headers: { Authorization: `Bearer ${junkToken()}` } });
    t.clock.advance(REJECTION_WINDOW_MS);
    await junk();
    const added = (await t.auditEvents()).slice(rowsBefore);
    expect(added.map(({ ip, reason, count }) => ({ ip, reason, count }))).toEqual([
      { ip: '127.0.0.1', reason: 'malformed', count: 2 },
      { ip: '127.0.0.1', reason: 'unknown_kid', count: 1 },
      { ip: '127.0.0.2', reason: 'malformed', count: 1 },
      { ip: '127.0.0.1', reason: 'malformed', count: 1 },
    ]);
  });
});
