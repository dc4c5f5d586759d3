import { generateKeyPairSync } from 'node:crypto';
import {
  bodyOf,
  messageOf,
  type Passkey,
  type PasskeyCreation,
  type PasskeyRequest,
  type PublicKeyCredentialRequestOptionsJSON,
  type BearerStepUp,
} from './helpers/api';
import { decodeJwt } from './helpers/jwt';
import { SoftwareAuthenticator } from './helpers/software-authenticator';
import { postgres } from './helpers/databases';
import { createTestApp, TestApp } from './helpers/test-app';
import { passwordStep } from './factories/mfa';
import {
  adminSession,
  bearerFrom,
  type BearerSession,
  loginBearer,
  registerUser,
  TEST_USER_AGENT,
  type TestUser,
} from './factories/users';

const ORIGIN = 'https://warden.example.test';
const RP_ID = 'warden.example.test';
const AAL2 = 'http://idmanagement.gov/ns/assurance/aal/2';

describe('passkeys (WebAuthn), with a software authenticator', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { WEBAUTHN_RP_ID: RP_ID, WEBAUTHN_ORIGINS: ORIGIN } });
  });
  afterAll(() => t.close());

  async function registerPasskey(
    session: BearerSession,
    authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID),
    name = 'Laptop',
  ): Promise<{ authenticator: SoftwareAuthenticator; body: Passkey }> {
    const begun = await creationOptions(session);
    const response = authenticator.register(begun.options);
    const registered = await t
      .http()
      .post('/api/auth/mfa/passkeys')
      .set(session.headers)
      .send({ challenge: begun.challenge, response, name })
      .expect(201);
    return { authenticator, body: bodyOf<Passkey>(registered) };
  }

  async function userWithPasskey(): Promise<{
    user: TestUser;
    session: BearerSession;
    authenticator: SoftwareAuthenticator;
  }> {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    const { authenticator } = await registerPasskey(session);
    return { user, session, authenticator };
  }

  const creationOptions = async (session: BearerSession) =>
    bodyOf<PasskeyCreation>(await t.http().post('/api/auth/mfa/passkeys/options').set(session.headers).expect(200));
  const passkeyOptions = async (userAgent = TEST_USER_AGENT) =>
    bodyOf<PasskeyRequest>(
      await t
        .http()
        .post('/api/auth/passkey/options')
        .set('User-Agent', userAgent)
        .send({ transport: 'bearer' })
        .expect(200),
    );
  const passkeyLogin = (body: Record<string, unknown>, userAgent = TEST_USER_AGENT) =>
    t.http().post('/api/auth/passkey/login').set('User-Agent', userAgent).send(body);

  describe('register, list, rename, remove', () => {
    it('registers a discoverable passkey, shows recovery codes with the first factor, and lists it', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const begun = await creationOptions(session);
      expect(begun.options).toMatchObject({
        rp: { id: RP_ID, name: 'Warden' },
        user: { name: user.email },
        attestation: 'none',
        authenticatorSelection: { residentKey: 'required' },
      });
      const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
      const registered = await t
        .http()
        .post('/api/auth/mfa/passkeys')
        .set(session.headers)
        .send({ challenge: begun.challenge, response: authenticator.register(begun.options), name: 'Laptop' })
        .expect(201);
      expect(registered.body).toMatchObject({ id: authenticator.id, name: 'Laptop', lastUsedAt: null });
      expect(bodyOf<Passkey>(registered).recoveryCodes).toHaveLength(10);
      const list = await t.http().get('/api/auth/mfa/passkeys').set(session.headers).expect(200);
      expect(list.body).toEqual([
        { id: authenticator.id, name: 'Laptop', createdAt: expect.any(String), lastUsedAt: null },
      ]);
      // The next ceremony excludes it, so the same authenticator is not registered twice.
      const again = await creationOptions(session);
      expect(again.options.excludeCredentials).toEqual([expect.objectContaining({ id: authenticator.id })]);
      // A second passkey does not replace the recovery codes the user saved.
      const second = await registerPasskey(session, undefined, 'Phone');
      expect(second.body.recoveryCodes).toBeUndefined();
      expect((await t.auditEvents({ userId: user.id, type: 'passkey_registered' })).length).toBe(2);
    });

    it("refuses a registration from another origin, a reused challenge, and another session's challenge", async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const other = await loginBearer(t, user, 'OtherDevice/1.0');
      const begun = await creationOptions(session);
      const phished = new SoftwareAuthenticator('https://warden-login.example.com', RP_ID);
      const wrongOrigin = await t
        .http()
        .post('/api/auth/mfa/passkeys')
        .set(session.headers)
        .send({ challenge: begun.challenge, response: phished.register(begun.options), name: 'x' })
        .expect(400);
      expect(messageOf(wrongOrigin)).toMatch(/origin/i);
      // That attempt spent the challenge.
      const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
      await t
        .http()
        .post('/api/auth/mfa/passkeys')
        .set(session.headers)
        .send({ challenge: begun.challenge, response: authenticator.register(begun.options), name: 'x' })
        .expect(400);
      const fresh = await creationOptions(session);
      await t
        .http()
        .post('/api/auth/mfa/passkeys')
        .set(other.headers)
        .send({ challenge: fresh.challenge, response: authenticator.register(fresh.options), name: 'x' })
        .expect(400);
      const list = await t.http().get('/api/auth/mfa/passkeys').set(session.headers).expect(200);
      expect(list.body).toEqual([]);
    });

    it("renames and removes only the caller's own passkeys", async () => {
      const { session, authenticator } = await userWithPasskey();
      const stranger = await loginBearer(t, await registerUser(t));
      const path = `/api/auth/mfa/passkeys/${authenticator.id}`;
      await t.http().patch(path).set(stranger.headers).send({ name: 'Mine now' }).expect(404);
      await t.http().delete(path).set(stranger.headers).expect(404);
      const renamed = await t.http().patch(path).set(session.headers).send({ name: 'Work laptop' }).expect(200);
      expect(bodyOf<Passkey>(renamed).name).toBe('Work laptop');
      await t.http().patch(path).set(session.headers).send({ name: '' }).expect(400);
      await t.http().patch(path).set(session.headers).send({ name: 'a\u0000b' }).expect(400);
      await t.http().delete(path).set(session.headers).expect(204);
      const status = await t.http().get('/api/auth/mfa').set(session.headers).expect(200);
      expect(status.body).toEqual({ totp: false, passkeys: [], recoveryCodesRemaining: 0 });
    });
  });

  describe('as the second factor', () => {
    it('the password step offers it; the assertion completes the login with amr pwd+hwk+mfa', async () => {
      const { user, authenticator } = await userWithPasskey();
      const { challenge, methods } = await passwordStep(t, user);
      expect(methods).toEqual(['passkey', 'recovery_code']);
      const options = await t
        .http()
        .post('/api/auth/login/second-factor/passkey-options')
        .set('User-Agent', TEST_USER_AGENT)
        .send({ challenge })
        .expect(200);
      const requestOptions = bodyOf<PublicKeyCredentialRequestOptionsJSON>(options);
      expect(requestOptions.allowCredentials).toEqual([expect.objectContaining({ id: authenticator.id })]);
      const response = await t
        .http()
        .post('/api/auth/login/second-factor')
        .set('User-Agent', TEST_USER_AGENT)
        .send({ challenge, passkey: authenticator.assert(requestOptions) })
        .expect(200);
      expect(decodeJwt(bearerFrom(response).accessToken).payload).toMatchObject({
        sub: user.id,
        amr: ['pwd', 'hwk', 'mfa'],
        acr: AAL2,
      });
    });

    it("refuses another user's passkey, and an assertion without passkey options", async () => {
      const { user } = await userWithPasskey();
      const { authenticator: strangers } = await userWithPasskey();
      const { challenge } = await passwordStep(t, user);
      await t
        .http()
        .post('/api/auth/login/second-factor')
        .set('User-Agent', TEST_USER_AGENT)
        .send({ challenge, passkey: strangers.assert({ challenge: 'AAAA' }) })
        .expect(401);
      const options = await t
        .http()
        .post('/api/auth/login/second-factor/passkey-options')
        .set('User-Agent', TEST_USER_AGENT)
        .send({ challenge })
        .expect(200);
      await t
        .http()
        .post('/api/auth/login/second-factor')
        .set('User-Agent', TEST_USER_AGENT)
        .send({ challenge, passkey: strangers.assert({ challenge: bodyOf<{ challenge: string }>(options).challenge }) })
        .expect(401);
    });
  });

  describe('as the first factor (passkey sign-in)', () => {
    it('signs in without email or password; user verification is required; amr hwk+mfa', async () => {
      const { user, authenticator } = await userWithPasskey();
      const begun = await passkeyOptions();
      expect(begun.options.userVerification).toBe('required');
      expect(begun.options.allowCredentials ?? []).toEqual([]);
      const response = await passkeyLogin({
        challenge: begun.challenge,
        passkey: authenticator.assert(begun.options),
      }).expect(200);
      const session = bearerFrom(response);
      expect(decodeJwt(session.accessToken).payload).toMatchObject({ sub: user.id, amr: ['hwk', 'mfa'], acr: AAL2 });
      await t.http().get('/api/users/me').set(session.headers).expect(200);
      const list = await t.http().get('/api/auth/mfa/passkeys').set(session.headers).expect(200);
      expect(bodyOf<Passkey[]>(list)[0].lastUsedAt).toEqual(expect.any(String));
    });

    it('refuses an authenticator that did not verify the user', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const { authenticator } = await registerPasskey(session, new SoftwareAuthenticator(ORIGIN, RP_ID, false));
      const begun = await passkeyOptions();
      await passkeyLogin({ challenge: begun.challenge, passkey: authenticator.assert(begun.options) }).expect(401);
    });

    it.each([
      [
        'signed with another key',
        (a: SoftwareAuthenticator, o: { challenge: string }) =>
          a.assert(o, { signWith: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }),
      ],
      [
        'from a phishing origin',
        (a: SoftwareAuthenticator, o: { challenge: string }) =>
          a.assert(o, { origin: 'https://warden-login.example.com' }),
      ],
      ['answering another challenge', (a: SoftwareAuthenticator) => a.assert({ challenge: 'b3RoZXItY2hhbGxlbmdl' })],
      [
        'with a counter that went backwards (a cloned authenticator)',
        (a: SoftwareAuthenticator, o: { challenge: string }) => a.assert(o, { signCount: 0 }),
      ],
    ])('refuses an assertion %s', async (_case, forge) => {
      const { authenticator } = await userWithPasskey();
      // One good sign-in first, so the stored counter is above zero.
      const first = await passkeyOptions();
      await passkeyLogin({ challenge: first.challenge, passkey: authenticator.assert(first.options) }).expect(200);
      const begun = await passkeyOptions();
      await passkeyLogin({ challenge: begun.challenge, passkey: forge(authenticator, begun.options) }).expect(401);
      expect((await t.auditEvents({ type: 'login_failed', reason: 'bad_passkey' })).length).toBeGreaterThan(0);
    });

    it('refuses a challenge used twice, a replayed assertion, and a challenge from another client', async () => {
      const { authenticator } = await userWithPasskey();
      const begun = await passkeyOptions();
      const assertion = authenticator.assert(begun.options);
      await passkeyLogin({ challenge: begun.challenge, passkey: assertion }).expect(200);
      await passkeyLogin({ challenge: begun.challenge, passkey: assertion }).expect(401);
      const next = await passkeyOptions();
      await passkeyLogin({ challenge: next.challenge, passkey: assertion }).expect(401);
      const elsewhere = await passkeyOptions();
      await passkeyLogin(
        { challenge: elsewhere.challenge, passkey: authenticator.assert(elsewhere.options) },
        'OtherAgent/2.0',
      ).expect(401);
      expect((await t.auditEvents({ type: 'login_challenge_refused' })).at(-1)?.reason).toBe('other_client');
    });

    it('refuses a disabled account, as the password login does (ASVS 6.3.4: one rule on every pathway)', async () => {
      const { user, authenticator } = await userWithPasskey();
      const admin = await adminSession(t);
      await t.http().post(`/api/admin/users/${user.id}/disable`).set(admin.session.headers).expect(201);
      const begun = await passkeyOptions();
      const refused = await passkeyLogin({
        challenge: begun.challenge,
        passkey: authenticator.assert(begun.options),
      }).expect(401);
      expect(messageOf(refused)).toBe('This account is disabled; contact an administrator');
      expect((await t.auditEvents({ userId: user.id, reason: 'account_disabled' })).length).toBeGreaterThan(0);
    });

    it.each([
      ['no passkey', { challenge: 'A'.repeat(43) }],
      ['a malformed challenge', { challenge: 'nope', passkey: {} }],
      ['a passkey that is not an object', { challenge: 'A'.repeat(43), passkey: 'x' }],
    ])('answers 400 for %s', async (_case, body) => {
      const response = await passkeyLogin(body);
      expect(response.status).toBe(400);
    });

    it('answers 401, never 5xx, for a garbage assertion', async () => {
      const begun = await passkeyOptions();
      const response = await passkeyLogin({
        challenge: begun.challenge,
        passkey: { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: '!!' } },
      });
      expect(response.status).toBe(401);
    });
  });

  it('steps up with a passkey', async () => {
    const { user, authenticator } = await userWithPasskey();
    const session = bearerFrom(
      await (async () => {
        const begun = await passkeyOptions();
        return passkeyLogin({ challenge: begun.challenge, passkey: authenticator.assert(begun.options) });
      })(),
    );
    t.clock.advance(11 * 60_000);
    await t.http().post('/api/auth/logout-all').set(session.headers).expect(401);
    const options = bodyOf<PasskeyRequest>(
      await t.http().post('/api/auth/step-up/passkey-options').set(session.headers).expect(200),
    );
    const stepped = await t
      .http()
      .post('/api/auth/step-up')
      .set(session.headers)
      .send({ challenge: options.challenge, passkey: authenticator.assert(options.options) })
      .expect(200);
    expect(decodeJwt(bodyOf<BearerStepUp>(stepped).accessToken).payload).toMatchObject({
      sub: user.id,
      auth_time: t.clock.nowSeconds(),
    });
    // The step-up challenge is single-use.
    await t
      .http()
      .post('/api/auth/step-up')
      .set(session.headers)
      .send({ challenge: options.challenge, passkey: authenticator.assert(options.options) })
      .expect(401);
  });
});

describe('passkeys on PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await postgres.start({ env: { WEBAUTHN_RP_ID: RP_ID, WEBAUTHN_ORIGINS: ORIGIN } });
  });
  afterAll(() => t?.close());

  it('registers a passkey and signs in with it; a cloned counter is refused', async () => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    const begun = bodyOf<PasskeyCreation>(
      await t.http().post('/api/auth/mfa/passkeys/options').set(session.headers).expect(200),
    );
    const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
    await t
      .http()
      .post('/api/auth/mfa/passkeys')
      .set(session.headers)
      .send({ challenge: begun.challenge, response: authenticator.register(begun.options), name: 'Key' })
      .expect(201);
    const signIn = async (overrides: { signCount?: number } = {}) => {
      const options = bodyOf<PasskeyRequest>(
        await t
          .http()
          .post('/api/auth/passkey/options')
          .set('User-Agent', TEST_USER_AGENT)
          .send({ transport: 'bearer' })
          .expect(200),
      );
      return t
        .http()
        .post('/api/auth/passkey/login')
        .set('User-Agent', TEST_USER_AGENT)
        .send({ challenge: options.challenge, passkey: authenticator.assert(options.options, overrides) });
    };
    const response = await signIn();
    expect(response.status).toBe(200);
    // Odd ids (a NUL PostgreSQL would refuse) are a 404 or a 401, never a 5xx.
    const headers = bearerFrom(response).headers;
    await t.http().delete('/api/auth/mfa/passkeys/a%00b').set(headers).expect(404);
    await t.http().patch('/api/auth/mfa/passkeys/a%00b').set(headers).send({ name: 'x' }).expect(404);
    const options = bodyOf<PasskeyRequest>(
      await t.http().post('/api/auth/passkey/options').set('User-Agent', TEST_USER_AGENT).send({}).expect(200),
    );
    await t
      .http()
      .post('/api/auth/passkey/login')
      .set('User-Agent', TEST_USER_AGENT)
      .send({
        challenge: options.challenge,
        passkey: { ...authenticator.assert(options.options), id: 'a\u0000b' },
      })
      .expect(401);
    expect(decodeJwt(bearerFrom(response).accessToken).payload.sub).toBe(user.id);
    expect((await signIn({ signCount: 1 })).status).toBe(401);
  });
});
