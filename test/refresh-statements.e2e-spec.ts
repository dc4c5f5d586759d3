import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import { refreshBearer } from './factories/sessions';
import { loginBearer, registerUser } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * A refresh is the busiest write path: it must stay one read plus one transaction of three conditional
 * writes (spend the token, extend the session, insert the child). Counted, never timed. Audit events are
 * written in batches off the request path and are left out.
 */
describe('refresh statements (SQLite)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // SQLite by name: npm run test:e2e:pg-redis would otherwise give this app PostgreSQL.
    t = await createTestApp({ env: { DATABASE_URL: 'sqlite::memory:' } });
  });
  afterAll(() => t.close());

  it('is one read and one transaction of three writes', async () => {
    const session = await loginBearer(t, await registerUser(t));
    await t.auditEvents();
    // A spy without an implementation calls the real query and records its arguments, in order.
    const spy = jest.spyOn(BetterSqlite3QueryRunner.prototype, 'query');
    const statements: string[] = [];
    try {
      await refreshBearer(t, session.refreshToken).expect(200);
    } finally {
      statements.push(...spy.mock.calls.map(([sql]) => sql));
      spy.mockRestore();
    }
    expect(statements.filter((sql) => !sql.includes('"audit_events"')).map((sql) => sql.split('(')[0].trim())).toEqual([
      expect.stringMatching(/^SELECT .* FROM "refresh_tokens" "token" INNER JOIN "sessions" .* INNER JOIN "users"/s),
      'BEGIN TRANSACTION',
      'UPDATE "refresh_tokens" SET "used_at" = ?, "used_ip" = ?, "used_user_agent" = ? WHERE',
      'UPDATE "sessions" SET "last_used_at" = ?, "last_ip" = ?, "last_user_agent" = ?, "idle_expires_at" = ? WHERE',
      'INSERT INTO "refresh_tokens"',
      'COMMIT',
    ]);
  });
});
