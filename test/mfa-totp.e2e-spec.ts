import { IsNull } from 'typeorm';
import { RecoveryCode } from '../src/mfa/entities/recovery-code.entity';
import { Session } from '../src/sessions/entities/session.entity';
import { type BearerGrant, bodyOf, type CookieGrant, messageOf, type SecondFactorRequired } from './helpers/api';
import { setCookies, cookieHeader } from './helpers/cookies';
import { decodeJwt } from './helpers/jwt';
import { postgres } from './helpers/databases';
import { createTestApp, TestApp } from './helpers/test-app';
import { enrolTotp, loginBearerWithTotp, passwordStep, type AuthenticatorApp } from './factories/mfa';
import { bearerFrom, loginBearer, registerUser, TEST_USER_AGENT, type TestUser } from './factories/users';

const AAL2 = 'http://idmanagement.gov/ns/assurance/aal/2';

describe('TOTP second factor (RFC 6238), codes from an independent implementation (otpauth)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function enrolledUser(): Promise<{ user: TestUser; app: AuthenticatorApp; recoveryCodes: string[] }> {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    return { user, ...(await enrolTotp(t, session)) };
  }

  const secondFactor = (body: Record<string, unknown>, userAgent = TEST_USER_AGENT) =>
    t.http().post('/api/auth/login/second-factor').set('User-Agent', userAgent).send(body);

  describe('enrolment', () => {
    it('hands out an otpauth:// URI for the QR code, needs a first code, then shows 10 recovery codes once', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const started = await t.http().post('/api/auth/mfa/totp').set(session.headers).expect(201);
      expect(bodyOf<{ otpauthUri: string }>(started).otpauthUri).toMatch(
        /^otpauth:\/\/totp\/Warden:.+\?secret=[A-Z2-7]+&issuer=Warden/,
      );
      // Not confirmed yet: the password alone still signs in.
      const before = await t
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: user.password, transport: 'bearer' })
        .expect(200);
      expect(bodyOf<BearerGrant>(before).accessToken).toEqual(expect.any(String));
      await t.http().post('/api/auth/mfa/totp/confirm').set(session.headers).send({ code: '000000' }).expect(400);

      const { recoveryCodes } = await enrolTotp(t, session);
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);
      const status = await t.http().get('/api/auth/mfa').set(session.headers).expect(200);
      expect(status.body).toEqual({ totp: true, passkeys: [], recoveryCodesRemaining: 10 });
      // Stored hashed: no code appears in the table.
      // Repositories, not raw SQL: the same test runs on SQLite and PostgreSQL (different placeholders).
      const rows = await t.dataSource.getRepository(RecoveryCode).findBy({ userId: user.id });
      expect(rows).toHaveLength(10);
      const stored = rows.map((row) => row.codeHash).join(' ');
      for (const code of recoveryCodes) {
        expect(stored).not.toContain(code);
        expect(stored).not.toContain(code.replace(/-/g, ''));
      }
      // A second enrolment while one is active is refused.
      await t.http().post('/api/auth/mfa/totp').set(session.headers).expect(409);
    });

    it.each([['12345'], ['1234567'], ['abcdef'], ['']])('answers 400 for the malformed code %p', async (code) => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      await t.http().post('/api/auth/mfa/totp').set(session.headers).expect(201);
      const response = await t.http().post('/api/auth/mfa/totp/confirm').set(session.headers).send({ code });
      expect(response.status).toBe(400);
    });
  });

  describe('login in two steps', () => {
    it('the password step yields no session and no token, only a challenge', async () => {
      const { user } = await enrolledUser();
      const bearer = await passwordStep(t, user);
      expect(Object.keys(bodyOf<SecondFactorRequired>(bearer.response)).sort()).toEqual([
        'challenge',
        'expiresAt',
        'methods',
        'secondFactorRequired',
      ]);
      expect(bearer.methods).toEqual(['totp', 'recovery_code']);
      expect(bearer.response.headers['set-cookie']).toBeUndefined();
      const browser = await passwordStep(t, user, 'cookie');
      // Only the fingerprint cookie the challenge is bound to: no access or refresh cookie.
      expect(Object.keys(setCookies(browser.response))).toEqual(['__Host-fgp']);
      const live = await t.dataSource.getRepository(Session).countBy({ userId: user.id, revokedAt: IsNull() });
      expect(live).toBe(1); // the enrolling session only
    });

    it('completes with the current code; the access token says amr pwd+otp+mfa, acr AAL2 and auth_time', async () => {
      const { user, app } = await enrolledUser();
      const { challenge } = await passwordStep(t, user);
      const response = await secondFactor({ challenge, code: app.code() }).expect(200);
      const session = bearerFrom(response);
      const { payload } = decodeJwt(session.accessToken);
      expect(payload).toMatchObject({ sub: user.id, amr: ['pwd', 'otp', 'mfa'], acr: AAL2 });
      expect(payload.auth_time).toBe(t.clock.nowSeconds());
      await t.http().get('/api/users/me').set(session.headers).expect(200);
      // A refresh keeps how and when the user authenticated.
      t.clock.advance(60_000);
      const refreshed = await t
        .http()
        .post('/api/auth/refresh')
        .set('User-Agent', TEST_USER_AGENT)
        .send({ transport: 'bearer', refreshToken: session.refreshToken })
        .expect(200);
      const after = decodeJwt(bodyOf<BearerGrant>(refreshed).accessToken).payload;
      expect(after).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: AAL2, auth_time: payload.auth_time });
      const events = await t.auditEvents({ userId: user.id, type: 'login' });
      expect(events.at(-1)?.metadata).toMatchObject({ amr: ['pwd', 'otp', 'mfa'] });
    });

    it('works for browsers: the session is bound to the fingerprint cookie of the password step', async () => {
      const { user, app } = await enrolledUser();
      const first = await passwordStep(t, user, 'cookie');
      const fingerprint = setCookies(first.response)['__Host-fgp'].value;
      const response = await t
        .http()
        .post('/api/auth/login/second-factor')
        .set('User-Agent', TEST_USER_AGENT)
        .set('Cookie', cookieHeader({ '__Host-fgp': fingerprint }))
        .send({ challenge: first.challenge, code: app.code() })
        .expect(200);
      const cookies = setCookies(response);
      expect(cookies['__Host-fgp'].value).toBe(fingerprint);
      expect(bodyOf<CookieGrant>(response).csrfToken).toEqual(expect.any(String));
      await t
        .http()
        .get('/api/users/me')
        .set('User-Agent', TEST_USER_AGENT)
        .set('Cookie', cookieHeader({ '__Host-access': cookies['__Host-access'].value, '__Host-fgp': fingerprint }))
        .expect(200);
    });

    it('refuses a code already used (replay), even within its 30 seconds', async () => {
      const { user, app } = await enrolledUser();
      const code = app.code();
      const first = await passwordStep(t, user);
      await secondFactor({ challenge: first.challenge, code }).expect(200);
      const second = await passwordStep(t, user);
      const replay = await secondFactor({ challenge: second.challenge, code }).expect(401);
      expect(replay.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'The second factor was not accepted',
      });
      // An earlier step's code is no better once a later one was used.
      await secondFactor({ challenge: second.challenge, code: app.code(-1) }).expect(401);
      const failures = await t.auditEvents({ userId: user.id, type: 'second_factor_failed' });
      expect(failures.map((event) => event.reason)).toEqual(['bad_totp', 'bad_totp']);
      // The next period's code works.
      t.clock.advance(30_000);
      await secondFactor({ challenge: second.challenge, code: app.code() }).expect(200);
    });

    it('refuses two concurrent uses of one code: exactly one login succeeds', async () => {
      const { user, app } = await enrolledUser();
      const [a, b] = [await passwordStep(t, user), await passwordStep(t, user)];
      const code = app.code();
      const statuses = await Promise.all([
        secondFactor({ challenge: a.challenge, code }),
        secondFactor({ challenge: b.challenge, code }),
      ]).then((responses) => responses.map((response) => response.status).sort());
      expect(statuses).toEqual([200, 401]);
    });

    it('refuses a challenge used twice', async () => {
      const { user, app } = await enrolledUser();
      const { challenge } = await passwordStep(t, user);
      await secondFactor({ challenge, code: app.code() }).expect(200);
      t.clock.advance(30_000);
      const reuse = await secondFactor({ challenge, code: app.code() }).expect(401);
      expect(messageOf(reuse)).toBe('Invalid or expired login challenge; sign in again');
      const refused = await t.auditEvents({ type: 'login_challenge_refused' });
      expect(refused.at(-1)?.reason).toBe('consumed');
    });

    it('refuses a challenge presented by another client (bearer: other User-Agent; browser: other or no fingerprint cookie)', async () => {
      const { user, app } = await enrolledUser();
      const bearer = await passwordStep(t, user);
      await secondFactor({ challenge: bearer.challenge, code: app.code() }, 'OtherAgent/2.0').expect(401);
      expect((await t.auditEvents({ type: 'login_challenge_refused' })).at(-1)?.reason).toBe('other_client');

      const browser = await passwordStep(t, user, 'cookie');
      await secondFactor({ challenge: browser.challenge, code: app.code() }).expect(401);
      await t
        .http()
        .post('/api/auth/login/second-factor')
        .set('User-Agent', TEST_USER_AGENT)
        .set('Cookie', cookieHeader({ '__Host-fgp': 'A'.repeat(43) }))
        .send({ challenge: browser.challenge, code: app.code() })
        .expect(401);
      // The rightful client still completes: the attempts from elsewhere spent nothing.
      const fingerprint = setCookies(browser.response)['__Host-fgp'].value;
      await t
        .http()
        .post('/api/auth/login/second-factor')
        .set('User-Agent', TEST_USER_AGENT)
        .set('Cookie', cookieHeader({ '__Host-fgp': fingerprint }))
        .send({ challenge: browser.challenge, code: app.code() })
        .expect(200);
    });

    it('refuses an expired challenge (five minutes)', async () => {
      const { user, app } = await enrolledUser();
      const { challenge } = await passwordStep(t, user);
      t.clock.advance(301_000);
      await secondFactor({ challenge, code: app.code() }).expect(401);
      expect((await t.auditEvents({ type: 'login_challenge_refused' })).at(-1)?.reason).toBe('expired');
    });

    it('rate-limits guessing: five wrong codes kill the challenge, and wrong codes count toward the account lockout', async () => {
      const { user, app } = await enrolledUser();
      const { challenge } = await passwordStep(t, user);
      for (let i = 0; i < 5; i++) await secondFactor({ challenge, code: '000000' }).expect(401);
      await secondFactor({ challenge, code: app.code() }).expect(401);
      // Another five wrong codes on new challenges reach LOGIN_MAX_FAILURES_PER_ACCOUNT_IP (10): the right
      // password keeps yielding challenges, but no code is checked any more, not even the right one.
      for (let i = 0; i < 5; i++) {
        const next = await passwordStep(t, user);
        await secondFactor({ challenge: next.challenge, code: '000000' }).expect(401);
      }
      const locked = await passwordStep(t, user);
      const response = await secondFactor({ challenge: locked.challenge, code: app.code() }).expect(429);
      expect(response.headers['retry-after']).toEqual(expect.any(String));
      const refusals = await t.auditEvents({ userId: user.id, type: 'second_factor_failed', reason: 'locked_out' });
      expect(refusals.length).toBeGreaterThan(0);
    });

    it('a password change between the steps kills the challenge', async () => {
      const { user, app } = await enrolledUser();
      const session = await loginBearerWithTotp(t, user, app);
      const { challenge } = await passwordStep(t, user);
      await t
        .http()
        .post('/api/users/me/password')
        .set(session.headers)
        .send({ currentPassword: user.password, newPassword: 'another-strong-passphrase-7' })
        .expect(200);
      await secondFactor({ challenge, code: app.code() }).expect(401);
    });

    it.each([
      ['no proof', {}],
      ['two proofs', { code: '123456', recoveryCode: 'AAAA-AAAA-AAAA-AAAA' }],
      ['a malformed challenge', { challenge: 'short', code: '123456' }],
      ['a non-object passkey', { passkey: 'x' }],
    ])('answers 400 for %s', async (_case, body) => {
      const { user } = await enrolledUser();
      const { challenge } = await passwordStep(t, user);
      const response = await secondFactor({ challenge, ...body });
      expect(response.status).toBe(400);
    });
  });

  describe('recovery codes', () => {
    it('each signs in once, in any case and with or without dashes; then it is spent', async () => {
      const { user, recoveryCodes } = await enrolledUser();
      const [code] = recoveryCodes;
      const first = await passwordStep(t, user);
      const response = await secondFactor({
        challenge: first.challenge,
        recoveryCode: code.toLowerCase().replace(/-/g, ''),
      }).expect(200);
      expect(decodeJwt(bodyOf<BearerGrant>(response).accessToken).payload.amr).toEqual(['pwd', 'otp', 'mfa']);
      const second = await passwordStep(t, user);
      await secondFactor({ challenge: second.challenge, recoveryCode: code }).expect(401);
      expect((await t.auditEvents({ userId: user.id, type: 'second_factor_failed' })).at(-1)?.reason).toBe(
        'bad_recovery_code',
      );
    });

    it('regenerating replaces every earlier code', async () => {
      const { user, app, recoveryCodes } = await enrolledUser();
      const session = await loginBearerWithTotp(t, user, app);
      const fresh = bodyOf<{ recoveryCodes: string[] }>(
        await t.http().post('/api/auth/mfa/recovery-codes').set(session.headers).expect(200),
      );
      expect(fresh.recoveryCodes).toHaveLength(10);
      const { challenge } = await passwordStep(t, user);
      await secondFactor({ challenge, recoveryCode: recoveryCodes[1] }).expect(401);
      await secondFactor({ challenge, recoveryCode: fresh.recoveryCodes[0] }).expect(200);
    });
  });

  it('removing the app (with a recent login) makes the password enough again, and drops the recovery codes', async () => {
    const { user, app } = await enrolledUser();
    const session = await loginBearerWithTotp(t, user, app);
    await t.http().delete('/api/auth/mfa/totp').set(session.headers).expect(204);
    const status = await t.http().get('/api/auth/mfa').set(session.headers).expect(200);
    expect(status.body).toEqual({ totp: false, passkeys: [], recoveryCodesRemaining: 0 });
    await loginBearer(t, user);
    expect((await t.auditEvents({ userId: user.id, type: 'totp_removed' })).length).toBe(1);
  });
});

describe('TOTP second factor on PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await postgres.start();
  });
  afterAll(() => t?.close());

  it('enrols, signs in in two steps, spends a code and a challenge once under concurrency, and uses a recovery code once', async () => {
    const user = await registerUser(t);
    const { app, recoveryCodes } = await enrolTotp(t, await loginBearer(t, user));
    const challenges = await Promise.all(Array.from({ length: 5 }, () => passwordStep(t, user)));
    const code = app.code();
    const send = (body: Record<string, unknown>) =>
      t.http().post('/api/auth/login/second-factor').set('User-Agent', TEST_USER_AGENT).send(body);
    const statuses = (await Promise.all(challenges.map(({ challenge }) => send({ challenge, code })))).map(
      (response) => response.status,
    );
    expect(statuses.sort()).toEqual([200, 401, 401, 401, 401]);
    const [one] = challenges;
    const twice = await Promise.all([
      send({ challenge: one.challenge, recoveryCode: recoveryCodes[0] }),
      send({ challenge: one.challenge, recoveryCode: recoveryCodes[1] }),
    ]);
    // The first challenge may have been the one that won above; either way no challenge is spent twice.
    expect(twice.filter((response) => response.status === 200).length).toBeLessThanOrEqual(1);
    const fresh = await passwordStep(t, user);
    const races = await Promise.all([
      send({ challenge: fresh.challenge, recoveryCode: recoveryCodes[2] }),
      send({ challenge: (await passwordStep(t, user)).challenge, recoveryCode: recoveryCodes[2] }),
    ]);
    expect(races.map((response) => response.status).sort()).toEqual([200, 401]);
  });
});
