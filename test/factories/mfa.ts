import * as OTPAuth from 'otpauth';
import type { Response } from 'supertest';
import type { TestApp } from '../helpers/test-app';
import { rememberSecrets } from '../helpers/secret-leaks';
import { bearerFrom, type BearerSession, TEST_USER_AGENT, type TestUser } from './users';

/** An authenticator app: an independent TOTP implementation (otpauth) reading Warden's otpauth:// URI. */
export interface AuthenticatorApp {
  totp: OTPAuth.TOTP;
  /** The code the app shows at the app's (fake) current time, `steps` periods away. */
  code: (steps?: number) => string;
}

export async function enrolTotp(
  t: TestApp,
  session: { headers: Record<string, string> },
): Promise<{ app: AuthenticatorApp; recoveryCodes: string[] }> {
  const started = await t.http().post('/api/auth/mfa/totp').set(session.headers).expect(201);
  const { otpauthUri } = started.body as { otpauthUri: string };
  const totp = OTPAuth.URI.parse(otpauthUri) as OTPAuth.TOTP;
  rememberSecrets(totp.secret.base32);
  const app: AuthenticatorApp = {
    totp,
    code: (steps = 0) => totp.generate({ timestamp: t.clock.now().getTime() + steps * totp.period * 1000 }),
  };
  const confirmed = await t
    .http()
    .post('/api/auth/mfa/totp/confirm')
    .set(session.headers)
    .send({ code: app.code() })
    .expect(200);
  // The confirming code's step is spent: the next login needs the next code.
  t.clock.advance(totp.period * 1000);
  return { app, recoveryCodes: (confirmed.body as { recoveryCodes: string[] }).recoveryCodes };
}

export interface PasswordStep {
  challenge: string;
  methods: string[];
  response: Response;
}

/** The first step of a login for an account with a second factor. */
export async function passwordStep(
  t: TestApp,
  user: TestUser,
  transport: 'bearer' | 'cookie' = 'bearer',
  userAgent = TEST_USER_AGENT,
): Promise<PasswordStep> {
  const response = await t
    .http()
    .post('/api/auth/login')
    .set('User-Agent', userAgent)
    .send({ email: user.email, password: user.password, transport })
    .expect(200);
  const body = response.body as { secondFactorRequired: boolean; challenge: string; methods: string[] };
  if (!body.secondFactorRequired) throw new Error('expected a second-factor challenge');
  rememberSecrets(body.challenge);
  return { challenge: body.challenge, methods: body.methods, response };
}

/** Both steps, bearer transport, with a TOTP code. */
export async function loginBearerWithTotp(t: TestApp, user: TestUser, app: AuthenticatorApp): Promise<BearerSession> {
  const { challenge } = await passwordStep(t, user);
  const response = await t
    .http()
    .post('/api/auth/login/second-factor')
    .set('User-Agent', TEST_USER_AGENT)
    .send({ challenge, code: app.code() })
    .expect(200);
  t.clock.advance(app.totp.period * 1000);
  return bearerFrom(response);
}
