import { LazyModuleLoader } from '@nestjs/core';
import { AuditService } from '../src/audit/audit.service';
import { SessionsRevokeAllCommand, UserDisableCommand, UserEnableCommand } from '../src/cli/account-control.command';
import { CliDatabase } from '../src/cli/cli-database';
import { UsersService } from '../src/users/users.service';
import { cookieSessionAfter, refreshBearer, refreshCookie } from './factories/sessions';
import { adminSession, bearerFrom, loginBearer, loginCookie, registerUser } from './factories/users';
import { bodyOf, messageOf } from './helpers/api';
import { setCookies } from './helpers/cookies';
import { createTestApp, TestApp } from './helpers/test-app';

/** Sessions as ASVS 5.0 V7 asks: each test performs the attack the rule stops and sees it fail. */
describe('session policy (ASVS 5.0 7.2.4, 7.4.2, 7.4.5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const me = (headers: Record<string, string>) => t.http().get('/api/users/me').set(headers);
  const cli = <T>(Command: new (...args: ConstructorParameters<typeof SessionsRevokeAllCommand>) => T): T =>
    new Command(
      t.app.get(UsersService),
      t.app.get(LazyModuleLoader),
      t.app.get(AuditService),
      new CliDatabase(t.dataSource),
      { line: () => undefined, error: () => undefined },
    );

  describe('a login with an existing session', () => {
    it("ends the session behind the refresh cookie it brought, whoever's it was", async () => {
      const first = await registerUser(t);
      const second = await registerUser(t);
      const before = await loginCookie(t, first);
      const response = await t
        .http()
        .post('/api/auth/login')
        .set('User-Agent', before.userAgent)
        .set('Cookie', before.cookie)
        .send({ email: second.email, password: second.password })
        .expect(200);
      const after = cookieSessionAfter(response, before);

      // The first account's tokens, still in someone's hands, no longer work.
      await me(before.headers).expect(401);
      await refreshCookie(t, before).expect(401);
      await me(after.headers).expect(200);
      const [ended] = await t.auditEvents({ type: 'session_revoked', userId: first.id });
      expect(ended).toMatchObject({ reason: 'replaced_by_login' });
    });

    it('ends nothing when the login fails', async () => {
      const user = await registerUser(t);
      const session = await loginCookie(t, user);
      await t
        .http()
        .post('/api/auth/login')
        .set('Cookie', session.cookie)
        .send({ email: user.email, password: 'not-the-password-9' })
        .expect(401);
      await me(session.headers).expect(200);
    });
  });

  describe('a password change', () => {
    it("rotates the browser session's tokens: the cookies from before stop working", async () => {
      const user = await registerUser(t);
      const before = await loginCookie(t, user);
      const response = await t
        .http()
        .post('/api/users/me/password')
        .set(before.headers)
        .send({ currentPassword: user.password, newPassword: 'saffron-lighthouse-ridge-31' })
        .expect(200);
      const cookies = setCookies(response);
      expect(cookies['__Host-access'].value).not.toBe(before.access);
      expect(cookies['__Secure-refresh'].value).not.toBe(before.refresh);
      const after = cookieSessionAfter(response, before);
      expect(after.fingerprint).toBe(before.fingerprint);

      await me(after.headers).expect(200);
      await refreshCookie(t, after).expect(200);
      // Someone who copied the cookies before the change gets nothing with them.
      await me(before.headers).expect(401);
      await refreshCookie(t, before).expect(401);
    });

    it("rotates a bearer session's tokens", async () => {
      const user = await registerUser(t);
      const before = await loginBearer(t, user);
      const response = await t
        .http()
        .post('/api/users/me/password')
        .set(before.headers)
        .send({ currentPassword: user.password, newPassword: 'saffron-lighthouse-ridge-31' })
        .expect(200);
      const after = bearerFrom(response);
      await me(after.headers).expect(200);
      await me(before.headers).expect(401);
      await refreshBearer(t, before.refreshToken).expect(401);
    });
  });

  describe('the global cut-off', () => {
    it('is for admins only', async () => {
      const user = await loginBearer(t, await registerUser(t));
      await t.http().post('/api/admin/sessions/revoke-all').set(user.headers).expect(403);
      await me(user.headers).expect(200);
    });

    it('ends every session of every user, the admin’s own included, and is audited', async () => {
      const a = await loginBearer(t, await registerUser(t));
      const b = await loginCookie(t, await registerUser(t));
      const { user: admin, session } = await adminSession(t);
      const response = await t.http().post('/api/admin/sessions/revoke-all').set(session.headers).expect(201);
      expect(bodyOf<{ sessionsEnded: number }>(response).sessionsEnded).toBeGreaterThanOrEqual(3);

      await me(a.headers).expect(401);
      await refreshBearer(t, a.refreshToken).expect(401);
      await me(b.headers).expect(401);
      await refreshCookie(t, b).expect(401);
      await me(session.headers).expect(401);
      const [event] = await t.auditEvents({ type: 'session_revoked', reason: 'global_cutoff' });
      expect(event.metadata).toMatchObject({ scope: 'global', via: 'api', adminId: admin.id });
      // Accounts are untouched: everyone may log in again.
      await loginBearer(t, admin);
    });

    it('is also a CLI command', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const before = process.exitCode;
      // Without --yes: nothing happens.
      await cli(SessionsRevokeAllCommand).run([]);
      expect(process.exitCode).toBe(1);
      process.exitCode = before;
      await me(session.headers).expect(200);
      await cli(SessionsRevokeAllCommand).run([], { yes: true });
      await me(session.headers).expect(401);
      const events = await t.auditEvents({ type: 'session_revoked', reason: 'global_cutoff' });
      // The API's cut-off above and this one; their createdAt may be equal, so no order is assumed.
      expect(events.map((event) => (event.metadata as { via?: string } | null)?.via).sort()).toEqual(['api', 'cli']);
    });
  });

  describe('account disable', () => {
    it('ends the account’s sessions and refuses its logins until enabled again', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const { session: admin } = await adminSession(t);
      const disabled = await t.http().post(`/api/admin/users/${user.id}/disable`).set(admin.headers).expect(201);
      expect(disabled.body).toEqual({ sessionsEnded: 1 });

      await me(session.headers).expect(401);
      await refreshBearer(t, session.refreshToken).expect(401);
      const login = await t.http().post('/api/auth/login').send({ email: user.email, password: user.password });
      expect(login.status).toBe(401);
      expect(messageOf(login)).toMatch(/disabled/);
      // Without the password the answer is the usual one: disabling reveals nothing to a guesser.
      const guess = await t.http().post('/api/auth/login').send({ email: user.email, password: 'guess-guess-1' });
      expect(messageOf(guess)).toBe('Email or password is incorrect');
      const [event] = await t.auditEvents({ type: 'account_disabled', userId: user.id });
      expect(event.metadata).toMatchObject({ via: 'api', sessionsEnded: 1 });
      expect(await t.auditEvents({ type: 'login_failed', userId: user.id, reason: 'account_disabled' })).toHaveLength(
        1,
      );

      await t.http().post(`/api/admin/users/${user.id}/enable`).set(admin.headers).expect(204);
      await loginBearer(t, user);
    });

    it('is refused to non-admins, and answers 404 for an unknown user', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      await t.http().post(`/api/admin/users/${user.id}/disable`).set(session.headers).expect(403);
      const { session: admin } = await adminSession(t);
      await t.http().post('/api/admin/users/not-a-user/disable').set(admin.headers).expect(404);
      await t.http().post(`/api/admin/users/${crypto.randomUUID()}/disable`).set(admin.headers).expect(404);
      await me(session.headers).expect(200);
    });

    it('works from the CLI too', async () => {
      const user = await registerUser(t);
      const session = await loginCookie(t, user);
      await cli(UserDisableCommand).run([user.email]);
      await me(session.headers).expect(401);
      await t.http().post('/api/auth/login').send({ email: user.email, password: user.password }).expect(401);
      await cli(UserEnableCommand).run([user.email]);
      await loginBearer(t, user);
    });
  });
});
