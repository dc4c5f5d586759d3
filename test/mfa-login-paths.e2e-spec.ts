import { User } from '../src/users/entities/user.entity';
import { bodyOf, messageOf, type PasskeyCreation, type PasskeyRequest } from './helpers/api';
import { setCookies, cookieHeader } from './helpers/cookies';
import { dpopClient, dpopGet, dpopSessionFrom } from './helpers/dpop';
import { decodeJwt } from './helpers/jwt';
import { mailedToken } from './helpers/outbox';
import { rememberSecrets } from './helpers/secret-leaks';
import { SoftwareAuthenticator } from './helpers/software-authenticator';
import { createTestApp, TestApp } from './helpers/test-app';
import { type AuthenticatorApp, enrolTotp, passwordStep } from './factories/mfa';
import { loginBearer, registerUser, TEST_USER_AGENT, type TestUser } from './factories/users';

const ORIGIN = 'https://warden.example.test';
const RP_ID = 'warden.example.test';
const NEW_PASSWORD = 'lantern-orchard-heron-58';

/**
 * A second step and a passkey sign-in end in the same place as a password login (LoginSessionService.start):
 * each keeps the password login's refusals, its DPoP binding, its DBSC offer and the end of a replaced session.
 */
describe('every login path keeps the login defenses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { WEBAUTHN_RP_ID: RP_ID, WEBAUTHN_ORIGINS: ORIGIN, DBSC_COOKIE_TTL: '600s' } });
  });
  afterAll(() => t.close());
  rememberSecrets(NEW_PASSWORD);

  async function totpUser(): Promise<{ user: TestUser; app: AuthenticatorApp }> {
    const user = await registerUser(t);
    return { user, ...(await enrolTotp(t, await loginBearer(t, user))) };
  }

  const secondStep = () => t.http().post('/api/auth/login/second-factor').set('User-Agent', TEST_USER_AGENT);

  it('a password reset does not bypass the second factor: the next login still asks for it', async () => {
    const { user } = await totpUser();
    await t.http().post('/api/auth/password-reset').send({ email: user.email }).expect(202);
    const token = await mailedToken(t, user.email, 'password_reset');
    await t.http().post('/api/auth/password-reset/confirm').send({ token, newPassword: NEW_PASSWORD }).expect(204);
    const step = await passwordStep(t, { ...user, password: NEW_PASSWORD });
    expect(step.response.body).not.toHaveProperty('accessToken');
    expect(step.methods).toContain('totp');
  });

  it('a browser second step gets the DBSC registration offer and ends the session its refresh cookie names', async () => {
    const { user, app } = await totpUser();
    const first = await passwordStep(t, user, 'cookie');
    const firstCookies = setCookies(first.response);
    const firstDone = await secondStep()
      .set('Cookie', cookieHeader({ '__Host-fgp': firstCookies['__Host-fgp'].value }))
      .send({ challenge: first.challenge, code: app.code() })
      .expect(200);
    expect(firstDone.headers['secure-session-registration']).toMatch(/^\(ES256/);
    const old = setCookies(firstDone);
    t.clock.advance(app.totp.period * 1000);

    const second = await passwordStep(t, user, 'cookie');
    const fgp = setCookies(second.response)['__Host-fgp'].value;
    await secondStep()
      .set('Cookie', cookieHeader({ '__Host-fgp': fgp, '__Secure-refresh': old['__Secure-refresh'].value }))
      .send({ challenge: second.challenge, code: app.code() })
      .expect(200);
    const ended = await t.auditEvents({ type: 'session_revoked', userId: user.id });
    expect(ended.map((event) => event.reason)).toEqual(['replaced_by_login']);
  });

  it('a bearer second step with a DPoP proof binds the session to the key; a browser one is refused', async () => {
    const { user, app } = await totpUser();
    const client = await dpopClient();
    const url = `${t.baseUrl}/api/auth/login/second-factor`;
    const { challenge } = await passwordStep(t, user);
    const done = await secondStep()
      .set('DPoP', await client.proof('POST', url))
      .send({ challenge, code: app.code() })
      .expect(200);
    const session = dpopSessionFrom(done, client);
    expect(decodeJwt(session.accessToken).payload).toMatchObject({
      cnf: { jkt: client.jkt },
      amr: ['pwd', 'otp', 'mfa'],
    });
    expect((await dpopGet(t, '/api/auth/principal', session)).status).toBe(200);
    t.clock.advance(app.totp.period * 1000);

    const browser = await passwordStep(t, user, 'cookie');
    const refused = await secondStep()
      .set('Cookie', cookieHeader({ '__Host-fgp': setCookies(browser.response)['__Host-fgp'].value }))
      .set('DPoP', await client.proof('POST', url))
      .send({ challenge: browser.challenge, code: app.code() })
      .expect(400);
    expect(messageOf(refused)).toMatch(/DPoP binds bearer tokens/);
  });

  it('a passkey sign-in is refused for a disabled account and, with UNVERIFIED_LOGIN=refuse, an unverified one', async () => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
    const begun = bodyOf<PasskeyCreation>(
      await t.http().post('/api/auth/mfa/passkeys/options').set(session.headers).expect(200),
    );
    await t
      .http()
      .post('/api/auth/mfa/passkeys')
      .set(session.headers)
      .send({ challenge: begun.challenge, response: authenticator.register(begun.options), name: 'Laptop' })
      .expect(201);
    const signIn = async () => {
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
        .send({ challenge: options.challenge, passkey: authenticator.assert(options.options) });
    };
    const users = t.dataSource.getRepository(User);

    await users.update({ id: user.id }, { emailVerifiedAt: null });
    const unverified = await signIn();
    expect(unverified.status).toBe(403);
    expect(messageOf(unverified)).toMatch(/Confirm your email address/);

    await users.update({ id: user.id }, { emailVerifiedAt: new Date(), disabledAt: new Date() });
    expect((await signIn()).status).toBe(401);

    const refusals = await t.auditEvents({ type: 'login_failed', userId: user.id });
    expect(refusals.map((event) => event.reason).sort()).toEqual(['account_disabled', 'email_unverified']);
  });
});
