import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { Session } from '../src/sessions/entities/session.entity';
import { RefreshToken } from '../src/sessions/entities/refresh-token.entity';
import { SessionsService } from '../src/sessions/sessions.service';
import {
  cookieSessionAfter,
  expectGraceRaceConsistent,
  expectSingleWinnerOfRefreshRace,
  refreshBearer,
  refreshCookie,
} from './factories/sessions';
import {
  bearerFrom,
  loginBearer,
  loginCookie,
  registerUser,
  STRONG_PASSWORD,
  TEST_USER_AGENT,
} from './factories/users';
import { bodyOf, type SessionRow } from './helpers/api';
import { decodeJwt } from './helpers/jwt';
import { setCookies } from './helpers/cookies';
import { FakeClock } from './helpers/fake-clock';
import { createTestApp, TestApp } from './helpers/test-app';

async function lastRejection(t: TestApp, userId: string): Promise<string | null | undefined> {
  return (await t.auditEvents({ type: 'access_token_rejected', userId })).at(-1)?.reason;
}

describe('sessions', () => {
  let t: TestApp;
  let clock: FakeClock;

  beforeAll(async () => {
    clock = new FakeClock();
    t = await createTestApp({ clock });
  });
  afterAll(() => t.close());

  const me = (headers: Record<string, string>) => t.http().get('/api/users/me').set(headers);

  describe('rotation', () => {
    it('bearer: the new pair works and the old refresh token is spent', async () => {
      const first = await loginBearer(t, await registerUser(t));
      const rotated = await refreshBearer(t, first.refreshToken).expect(200);
      expect(rotated.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      const second = bearerFrom(rotated);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      await me(second.headers).expect(200);
      await refreshBearer(t, second.refreshToken).expect(200);
    });

    it('cookie: renews all three cookies together and returns a CSRF token, no token in the body', async () => {
      const session = await loginCookie(t, await registerUser(t));
      const response = await refreshCookie(t, session).expect(200);
      expect(response.body).toEqual({
        user: expect.objectContaining({ id: expect.any(String) }),
        accessTokenExpiresAt: expect.any(String),
        csrfToken: expect.any(String),
        idleTimeoutSeconds: 1800,
      });
      const cookies = setCookies(response);
      expect(Object.keys(cookies).sort()).toEqual([
        '__Host-access',
        '__Host-fgp',
        '__Host-session-hint',
        '__Secure-refresh',
      ]);
      expect(cookies['__Secure-refresh'].value).not.toBe(session.refresh);
      expect(cookies['__Secure-refresh'].attributes).toMatchObject({
        path: '/api/auth',
        httponly: true,
        secure: true,
        samesite: 'Strict',
      });
      // The fingerprint stays stable for the session, so requests racing the refresh still match.
      expect(cookies['__Host-fgp'].value).toBe(session.fingerprint);
      const next = cookieSessionAfter(response, session);
      await me(next.headers).expect(200);
    });

    it('reuse of a spent token revokes the whole family: the newest refresh and access tokens die too', async () => {
      const user = await registerUser(t);
      const first = await loginBearer(t, user);
      const second = bearerFrom(await refreshBearer(t, first.refreshToken).expect(200));
      await me(second.headers).expect(200);

      const reuse = await refreshBearer(t, first.refreshToken, 'Attacker/1.0').expect(401);
      expect(reuse.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid or expired refresh token',
      });

      await refreshBearer(t, second.refreshToken).expect(401);
      await me(second.headers).expect(401);
      const [event] = await t.auditEvents({ type: 'refresh_token_reuse', userId: user.id });
      expect(event).toMatchObject({ success: false, userAgent: 'Attacker/1.0' });
      expect(event.metadata).toMatchObject({
        firstUse: { ip: '127.0.0.1', userAgent: TEST_USER_AGENT },
        reuse: { ip: '127.0.0.1', userAgent: 'Attacker/1.0' },
      });
    });

    it('refuses an unknown refresh token and a malformed request', async () => {
      await refreshBearer(t, 'not-a-token-we-issued').expect(401);
      await t.http().post('/api/auth/refresh').send({ transport: 'bearer' }).expect(401);
      await t
        .http()
        .post('/api/auth/refresh')
        .send({ transport: 'bearer', refreshToken: 'x'.repeat(300) })
        .expect(400);
      await t.http().post('/api/auth/refresh').send({}).expect(401);
    });

    it('stores only a hash of each refresh token', async () => {
      const first = await loginBearer(t, await registerUser(t));
      const rows = await t.dataSource.getRepository(RefreshToken).find();
      expect(rows.some((row) => row.tokenHash === first.refreshToken)).toBe(false);
      expect(JSON.stringify(rows)).not.toContain(first.refreshToken);
      expect(first.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('refuses a browser session refresh token presented as a bearer token (lifted from the cookie jar)', async () => {
      const user = await registerUser(t);
      const browser = await loginCookie(t, user);
      await refreshBearer(t, browser.refresh, 'curl/8.0').expect(401);
      expect((await t.auditEvents({ type: 'refresh_failed', userId: user.id })).at(-1)?.reason).toBe(
        'transport_mismatch',
      );
      // Refused, not spent: the browser itself carries on.
      await refreshCookie(t, browser).expect(200);
    });

    it('clears the browser cookies when a cookie refresh is refused', async () => {
      const session = await loginCookie(t, await registerUser(t));
      await refreshCookie(t, session).expect(200);
      // The spent token again: reuse, the session dies, and its now useless cookies are cleared.
      const refused = await refreshCookie(t, session).expect(401);
      const cleared = setCookies(refused);
      expect(Object.keys(cleared).sort()).toEqual([
        '__Host-access',
        '__Host-fgp',
        '__Host-session-hint',
        '__Secure-refresh',
      ]);
      for (const cookie of Object.values(cleared)) expect(cookie.value).toBe('');
      // A refusal for CSRF changes nothing, cookies included.
      const other = await loginCookie(t, await registerUser(t));
      const forbidden = await refreshCookie(t, other, null).expect(403);
      expect(forbidden.headers['set-cookie']).toBeUndefined();
    });

    it('mints CSRF tokens only for a refresh cookie that could still be spent', async () => {
      const session = await loginCookie(t, await registerUser(t));
      await refreshCookie(t, session).expect(200);
      await t.http().get('/api/auth/csrf').set('Cookie', `__Secure-refresh=${session.refresh}`).expect(401);
      const bearer = await loginBearer(t, await registerUser(t));
      await t.http().get('/api/auth/csrf').set('Cookie', `__Secure-refresh=${bearer.refreshToken}`).expect(401);
    });

    it('20 concurrent refreshes with one token: exactly one succeeds, no 5xx, the family ends revoked', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      await expectSingleWinnerOfRefreshRace(t, session.refreshToken);
      // One parent and the winner's child: the losers spent nothing.
      const sid = (await t.dataSource.getRepository(Session).findOneByOrFail({ userId: user.id })).id;
      const tokens = await t.dataSource.getRepository(RefreshToken).findBy({ sessionId: sid });
      expect(tokens).toHaveLength(2);
      expect(tokens.filter((token) => token.parentId === null)).toHaveLength(1);
    });
  });

  describe('listing and revoking', () => {
    it('lists the live sessions of the caller only, marking the current one', async () => {
      const user = await registerUser(t);
      const a = await loginBearer(t, user, 'Browser A');
      await loginBearer(t, user, 'Browser B');
      await loginBearer(t, await registerUser(t));
      const sessions = bodyOf<SessionRow[]>(await t.http().get('/api/auth/sessions').set(a.headers).expect(200));
      expect(sessions).toHaveLength(2);
      expect(sessions.find((s) => s.current)).toMatchObject({
        userAgent: 'Browser A',
        ip: '127.0.0.1',
      });
      for (const session of sessions) {
        expect(Object.keys(session).sort()).toEqual(['createdAt', 'current', 'id', 'ip', 'lastUsedAt', 'userAgent']);
      }
    });

    it("DELETE ends one session at once (its access token dies) and answers 404 for another user's", async () => {
      const user = await registerUser(t);
      const a = await loginBearer(t, user, 'Browser A');
      const b = await loginCookie(t, user, 'Browser B');
      const sessions = (await t.http().get('/api/auth/sessions').set(a.headers)).body as {
        id: string;
        current: boolean;
      }[];
      const bId = sessions.find((s) => !s.current)!.id;

      const stranger = await loginBearer(t, await registerUser(t));
      await t.http().delete(`/api/auth/sessions/${bId}`).set(stranger.headers).expect(404);
      await me(b.headers).expect(200);

      await t.http().delete(`/api/auth/sessions/${bId}`).set(a.headers).expect(204);
      await me(b.headers).expect(401);
      await refreshCookie(t, b).expect(401);
      await t.http().delete(`/api/auth/sessions/${bId}`).set(a.headers).expect(404);
      await t.http().delete('/api/auth/sessions/not-a-uuid').set(a.headers).expect(404);
      expect(await t.auditEvents({ type: 'session_revoked', sessionId: bId })).toEqual([
        expect.objectContaining({ reason: 'revoked_by_user', userId: user.id }),
      ]);
    });

    it('cookie-authenticated DELETE needs the CSRF token', async () => {
      const user = await registerUser(t);
      const a = await loginCookie(t, user, 'Browser A');
      const b = await loginBearer(t, user, 'Browser B');
      const sessions = (await t.http().get('/api/auth/sessions').set(b.headers)).body as {
        id: string;
        current: boolean;
      }[];
      const bId = sessions.find((s) => s.current)!.id;
      const { 'X-CSRF-Token': _csrf, ...withoutCsrf } = a.headers;
      await t.http().delete(`/api/auth/sessions/${bId}`).set(withoutCsrf).expect(403);
      await me(b.headers).expect(200);
      await t.http().delete(`/api/auth/sessions/${bId}`).set(a.headers).expect(204);
      await me(b.headers).expect(401);
    });
  });

  describe('logout', () => {
    it('bearer: ends the session, denylists the access token, and spends the refresh token', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      await t
        .http()
        .post('/api/auth/logout')
        .set(session.headers)
        .send({ transport: 'bearer', refreshToken: session.refreshToken })
        .expect(204);
      await me(session.headers).expect(401);
      // The jti denylist answers first: the token itself is revoked, not only its session.
      expect(await lastRejection(t, user.id)).toBe('revoked');
      await refreshBearer(t, session.refreshToken).expect(401);
      await t.http().post('/api/auth/logout').set(session.headers).send({ transport: 'bearer' }).expect(401);
      expect(await t.auditEvents({ type: 'logout', userId: user.id })).toHaveLength(1);
    });

    it('cookie: clears all three cookies and ends the session', async () => {
      const session = await loginCookie(t, await registerUser(t));
      const response = await t.http().post('/api/auth/logout').set(session.headers).expect(204);
      const cleared = setCookies(response);
      expect(Object.keys(cleared).sort()).toEqual([
        '__Host-access',
        '__Host-fgp',
        '__Host-session-hint',
        '__Secure-refresh',
      ]);
      for (const cookie of Object.values(cleared)) {
        expect(cookie.value).toBe('');
        expect(cookie.attributes.expires).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
      }
      expect(cleared['__Secure-refresh'].attributes.path).toBe('/api/auth');
      await me(session.headers).expect(401);
      await refreshCookie(t, session).expect(401);
    });

    it("logout-all ends every session of the user and no other user's", async () => {
      const user = await registerUser(t);
      const a = await loginBearer(t, user, 'A');
      const b = await loginCookie(t, user, 'B');
      const other = await loginBearer(t, await registerUser(t));
      await t.http().post('/api/auth/logout-all').set(b.headers).expect(204);
      await me(a.headers).expect(401);
      await me(b.headers).expect(401);
      await refreshBearer(t, a.refreshToken).expect(401);
      await me(other.headers).expect(200);
      // A fresh login right afterwards works: logout-all ends sessions, not the account.
      const again = await loginBearer(t, user);
      await me(again.headers).expect(200);
      expect(await t.auditEvents({ type: 'logout_all', userId: user.id })).toHaveLength(1);
    });
  });

  describe('password change', () => {
    it('requires the current password and ends every other session', async () => {
      const user = await registerUser(t);
      const current = await loginBearer(t, user, 'Current');
      const other = await loginBearer(t, user, 'Other');
      await t
        .http()
        .post('/api/users/me/password')
        .set(current.headers)
        .send({ currentPassword: 'wrong-password-1', newPassword: 'a-brand-new-passphrase' })
        .expect(400);
      await t
        .http()
        .post('/api/users/me/password')
        .set(current.headers)
        .send({ currentPassword: user.password, newPassword: 'short' })
        .expect(400);
      await t
        .http()
        .post('/api/users/me/password')
        .set(current.headers)
        .send({ currentPassword: user.password, newPassword: user.password })
        .expect(400);
      await me(other.headers).expect(200);

      const changed = await t
        .http()
        .post('/api/users/me/password')
        .set(current.headers)
        .send({ currentPassword: user.password, newPassword: 'a-brand-new-passphrase' })
        .expect(200);
      // This session goes on with new tokens (ASVS 5.0 7.2.4): the old ones stop working.
      const renewed = bearerFrom(changed, 'Current');
      await me(renewed.headers).expect(200);
      await me(current.headers).expect(401);
      // Superseded: presenting it is reuse, which also ends the session (see test/session-policy.e2e-spec.ts).
      await refreshBearer(t, current.refreshToken).expect(401);
      await me(other.headers).expect(401);
      await refreshBearer(t, other.refreshToken).expect(401);
      await t.http().post('/api/auth/login').send({ email: user.email, password: STRONG_PASSWORD }).expect(401);
      await t
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: 'a-brand-new-passphrase' })
        .expect(200);
      await t.http().post('/api/users/me/password').send({ currentPassword: 'x', newPassword: 'y' }).expect(401);
      expect(await t.auditEvents({ type: 'password_changed', userId: user.id })).toHaveLength(1);
    });

    it('gives every login a new session id (no fixation)', async () => {
      const user = await registerUser(t);
      const a = await loginBearer(t, user);
      const b = await loginBearer(t, user);
      const sid = (token: string) => decodeJwt(token).payload.sid;
      expect(sid(a.accessToken)).not.toBe(sid(b.accessToken));
    });
  });
});

describe('session expiry, grace and purge', () => {
  it('idle expiry: a refresh token unused for REFRESH_TOKEN_TTL no longer works', async () => {
    const clock = new FakeClock();
    const t = await createTestApp({ clock, env: { REFRESH_TOKEN_TTL: '1h', SESSION_MAX_AGE: '1d' } });
    try {
      const session = await loginBearer(t, await registerUser(t));
      clock.advance(59 * 60 * 1000);
      const next = bearerFrom(await refreshBearer(t, session.refreshToken).expect(200));
      clock.advance(59 * 60 * 1000);
      const last = bearerFrom(await refreshBearer(t, next.refreshToken).expect(200));
      clock.advance(61 * 60 * 1000);
      await refreshBearer(t, last.refreshToken).expect(401);
      expect((await t.auditEvents({ type: 'refresh_failed' })).at(-1)?.reason).toBe('session_ended');
    } finally {
      await t.close();
    }
  });

  it('absolute expiry: refreshing cannot keep a session alive past SESSION_MAX_AGE', async () => {
    const clock = new FakeClock();
    const t = await createTestApp({ clock, env: { REFRESH_TOKEN_TTL: '1h', SESSION_MAX_AGE: '2h' } });
    try {
      let session = await loginBearer(t, await registerUser(t));
      for (let i = 0; i < 2; i++) {
        clock.advance(50 * 60 * 1000);
        session = bearerFrom(await refreshBearer(t, session.refreshToken).expect(200));
      }
      // 121 minutes in: the idle window (1h) is still open, the absolute one (2h) has closed.
      clock.advance(21 * 60 * 1000);
      await refreshBearer(t, session.refreshToken).expect(401);
      expect((await t.auditEvents({ type: 'refresh_failed' })).at(-1)?.reason).toBe('session_ended');
    } finally {
      await t.close();
    }
  });

  it('grace: the immediate parent is honoured within REFRESH_REUSE_GRACE, and only then', async () => {
    const clock = new FakeClock();
    const t = await createTestApp({ clock, env: { REFRESH_REUSE_GRACE: '10s' } });
    try {
      const first = await loginBearer(t, await registerUser(t));
      await refreshBearer(t, first.refreshToken).expect(200);
      // The response was "lost": the client retries with the same token within the grace window.
      clock.advance(5_000);
      const retried = bearerFrom(await refreshBearer(t, first.refreshToken).expect(200));
      await t.http().get('/api/users/me').set(retried.headers).expect(200);

      // Only the immediate parent: a grandparent is reuse even within the window, and kills the session.
      const second = bearerFrom(await refreshBearer(t, retried.refreshToken).expect(200));
      await refreshBearer(t, first.refreshToken).expect(401);
      await refreshBearer(t, second.refreshToken).expect(401);
    } finally {
      await t.close();
    }
  });

  it('grace: owner and thief cannot take turns with the parent and its children', async () => {
    const clock = new FakeClock();
    const t = await createTestApp({ clock, env: { REFRESH_REUSE_GRACE: '10s' } });
    try {
      const parent = await loginBearer(t, await registerUser(t));
      // The owner rotates; the thief, who copied the owner's User-Agent too (a bearer client's is just a
      // header), presents the parent within the window and gets a sibling.
      const owners = bearerFrom(await refreshBearer(t, parent.refreshToken).expect(200));
      clock.advance(2_000);
      const thiefs = bearerFrom(await refreshBearer(t, parent.refreshToken).expect(200));
      // The owner's token was superseded by that retry: presenting it is reuse, and ends everything.
      clock.advance(2_000);
      await refreshBearer(t, owners.refreshToken).expect(401);
      await refreshBearer(t, thiefs.refreshToken).expect(401);
      await t.http().get('/api/users/me').set(thiefs.headers).expect(401);
      const [reuse] = await t.auditEvents({ type: 'refresh_token_reuse' });
      expect(reuse.reason).toBe('superseded_refresh_token_presented');
    } finally {
      await t.close();
    }
  });

  it('grace: a third presentation of the same token within the window is reuse and ends the session', async () => {
    const clock = new FakeClock();
    const t = await createTestApp({ clock, env: { REFRESH_REUSE_GRACE: '10s' } });
    try {
      const user = await registerUser(t);
      const first = await loginBearer(t, user);
      await refreshBearer(t, first.refreshToken).expect(200);
      clock.advance(2_000);
      const retried = bearerFrom(await refreshBearer(t, first.refreshToken).expect(200));
      // Still within the window, one after the other: the one retry is taken.
      clock.advance(2_000);
      await refreshBearer(t, first.refreshToken).expect(401);
      const [reuse] = await t.auditEvents({ type: 'refresh_token_reuse', userId: user.id });
      expect(reuse.reason).toBe('spent_refresh_token_presented');
      await refreshBearer(t, retried.refreshToken).expect(401);
      await t.http().get('/api/users/me').set(retried.headers).expect(401);
    } finally {
      await t.close();
    }
  });

  it('grace: past the window the parent is reuse', async () => {
    const clock = new FakeClock();
    const t = await createTestApp({ clock, env: { REFRESH_REUSE_GRACE: '10s' } });
    try {
      const first = await loginBearer(t, await registerUser(t));
      const second = bearerFrom(await refreshBearer(t, first.refreshToken).expect(200));
      clock.advance(11_000);
      await refreshBearer(t, first.refreshToken).expect(401);
      await refreshBearer(t, second.refreshToken).expect(401);
    } finally {
      await t.close();
    }
  });

  it('grace: concurrent refreshes yield only grace-allowed successes and never a 5xx', async () => {
    const t = await createTestApp({ env: { REFRESH_REUSE_GRACE: '10s' } });
    try {
      const session = await loginBearer(t, await registerUser(t));
      await expectGraceRaceConsistent(t, session.refreshToken);
    } finally {
      await t.close();
    }
  });

  it('purge removes ended sessions and their refresh tokens, and keeps live ones', async () => {
    const clock = new FakeClock();
    const t = await createTestApp({ clock, env: { REFRESH_TOKEN_TTL: '1h', SESSION_MAX_AGE: '1d' } });
    try {
      const user = await registerUser(t);
      const old = await loginBearer(t, user, 'old');
      clock.advance(2 * 60 * 60 * 1000);
      const live = await loginBearer(t, user, 'live');
      const purged = await t.app.get(SessionsService).purgeExpired();
      expect(purged).toBe(1);
      const sessions = await t.dataSource.getRepository(Session).find();
      expect(sessions.map((session) => session.createdUserAgent)).toEqual(['live']);
      expect(await t.dataSource.getRepository(RefreshToken).count()).toBe(1);
      await refreshBearer(t, old.refreshToken).expect(401);
      await refreshBearer(t, live.refreshToken, 'live').expect(200);
    } finally {
      await t.close();
    }
  });

  it('purge also removes the expired, spent tokens of a session that lives on', async () => {
    const clock = new FakeClock();
    const t = await createTestApp({ clock, env: { REFRESH_TOKEN_TTL: '1h', SESSION_MAX_AGE: '1d' } });
    try {
      const first = await loginBearer(t, await registerUser(t));
      clock.advance(50 * 60 * 1000);
      const second = bearerFrom(await refreshBearer(t, first.refreshToken).expect(200));
      clock.advance(15 * 60 * 1000);
      expect(await t.app.get(SessionsService).purgeExpired()).toBe(0);
      const left = await t.dataSource.getRepository(RefreshToken).find();
      expect(left).toHaveLength(1);
      expect(left[0].usedAt).toBeNull();
      await refreshBearer(t, second.refreshToken).expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('revocation survives a restart', () => {
  const file = () => `/tmp/warden-restart-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.sqlite`;

  it('keeps denylisted tokens and revoked sessions after the app is re-created, each for its own reason', async () => {
    const env = { DATABASE_URL: `sqlite:${file()}` };
    let t = await createTestApp({ env });
    const loggedOut = await loginBearer(t, await registerUser(t));
    const revokedUser = await registerUser(t);
    const revokedSession = await loginBearer(t, revokedUser);
    const survivor = await loginBearer(t, await registerUser(t));
    await t.http().post('/api/auth/logout').set(loggedOut.headers).send({}).expect(204);
    const [{ id: sid }] = bodyOf<SessionRow[]>(await t.http().get('/api/auth/sessions').set(revokedSession.headers));
    await t.http().delete(`/api/auth/sessions/${sid}`).set(revokedSession.headers).expect(204);
    await t.close();

    t = await createTestApp({ env });
    try {
      await t.http().get('/api/users/me').set(loggedOut.headers).expect(401);
      expect((await t.auditEvents({ type: 'access_token_rejected' })).at(-1)?.reason).toBe('revoked');
      await t.http().get('/api/users/me').set(revokedSession.headers).expect(401);
      expect(await lastRejection(t, revokedUser.id)).toBe('session_revoked');
      await t.http().get('/api/users/me').set(survivor.headers).expect(200);
    } finally {
      await t.close();
      rmSync(env.DATABASE_URL.slice('sqlite:'.length), { force: true });
    }
  });

  it('keeps the logout-all cut-off: tokens issued before it die even where no session revocation reaches them', async () => {
    const env = { DATABASE_URL: `sqlite:${file()}` };
    const clock = new FakeClock();
    let t = await createTestApp({ env, clock });
    const user = await registerUser(t);
    const before = await loginBearer(t, user);
    clock.advance(1000);
    const caller = await loginBearer(t, user, 'caller');
    await t.http().post('/api/auth/logout-all').set(caller.headers).expect(204);
    await t.close();
    // Take away everything but the user-wide cut-off: the sessions look alive and hold no revocation.
    const db = new Database(env.DATABASE_URL.slice('sqlite:'.length));
    db.prepare("DELETE FROM revocations WHERE kind = 'session'").run();
    db.prepare('UPDATE sessions SET revoked_at = NULL, revoked_reason = NULL').run();
    db.close();

    clock.advance(1000);
    t = await createTestApp({ env, clock });
    try {
      await t.http().get('/api/users/me').set(before.headers).expect(401);
      expect(await lastRejection(t, user.id)).toBe('user_tokens_revoked');
      const after = await loginBearer(t, user, 'after');
      await t.http().get('/api/users/me').set(after.headers).expect(200);
    } finally {
      await t.close();
      rmSync(env.DATABASE_URL.slice('sqlite:'.length), { force: true });
    }
  });
});
