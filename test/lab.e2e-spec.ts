import { loginBearer, loginCookie, registerUser } from './factories/users';
import { bodyOf, type LabReplay, type LabSteps } from './helpers/api';
import { createTestApp, TestApp } from './helpers/test-app';

describe('security lab endpoints', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { LAB_ENABLED: 'true' } });
  });
  afterAll(() => t.close());

  it.each([['alg-none'], ['other-user-agent'], ['no-fingerprint-cookie']])(
    'replays the caller token as %s and shows the refusal',
    async (attack) => {
      const session = await loginCookie(t, await registerUser(t));
      const response = await t.http().post('/api/auth/lab/replay').set(session.headers).send({ attack }).expect(200);
      expect(response.body).toMatchObject({
        attack,
        request: { method: 'GET', path: '/api/users/me' },
        response: { status: 401, body: { statusCode: 401 } },
      });
      expect(JSON.stringify(response.body)).not.toContain(session.access);
      expect(JSON.stringify(response.body)).not.toContain(session.fingerprint);
      // The caller's own session is untouched.
      await t.http().get('/api/users/me').set(session.headers).expect(200);
    },
  );

  it('refuses unknown attacks and requests without the CSRF token', async () => {
    const session = await loginCookie(t, await registerUser(t));
    await t.http().post('/api/auth/lab/replay').set(session.headers).send({ attack: 'sql' }).expect(400);
    const { 'X-CSRF-Token': _csrf, ...withoutCsrf } = session.headers;
    await t.http().post('/api/auth/lab/replay').set(withoutCsrf).send({ attack: 'alg-none' }).expect(403);
    await t.http().post('/api/auth/lab/replay').send({ attack: 'alg-none' }).expect(401);
  });

  it('refresh reuse kills the session, and the browser is logged out', async () => {
    const session = await loginCookie(t, await registerUser(t));
    const response = await t.http().post('/api/auth/lab/refresh-reuse').set(session.headers).send({}).expect(200);
    const statuses = bodyOf<LabSteps>(response).steps.map((step) => step.response.status);
    expect(statuses).toEqual([200, 401, 401]);
    expect(JSON.stringify(response.body)).not.toContain(session.refresh);
    await t.http().get('/api/users/me').set(session.headers).expect(401);
    expect(await t.auditEvents({ type: 'refresh_token_reuse' })).toHaveLength(1);
  });

  it('DPoP: a stolen bound token without the key, and a replayed proof, are refused', async () => {
    const user = await registerUser(t);
    const session = await loginCookie(t, user);
    const response = await t
      .http()
      .post('/api/auth/lab/dpop')
      .set(session.headers)
      .send({ password: user.password })
      .expect(200);
    const { steps } = bodyOf<LabSteps>(response);
    expect(steps.map((step) => step.response.status)).toEqual([200, 200, 401, 401, 401]);
    expect(steps[0].response.body).toMatchObject({ tokenType: 'DPoP' });
    expect(JSON.stringify(response.body)).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/);
    const reasons = (await t.auditEvents({ type: 'access_token_rejected', userId: user.id })).map((e) => e.reason);
    expect(reasons).toEqual(['dpop_bound_token_as_bearer', 'dpop_key_mismatch', 'dpop_replayed']);
    // The demo session logged out; the caller's own session is untouched.
    expect(await t.auditEvents({ type: 'logout', userId: user.id })).toHaveLength(1);
    await t.http().get('/api/users/me').set(session.headers).expect(200);
  });

  it('the DPoP demo needs the right password', async () => {
    const session = await loginCookie(t, await registerUser(t));
    const response = await t
      .http()
      .post('/api/auth/lab/dpop')
      .set(session.headers)
      .send({ password: 'not-the-password' })
      .expect(200);
    expect(bodyOf<LabSteps>(response).steps.map((step) => step.response.status)).toEqual([401]);
    await t.http().post('/api/auth/lab/dpop').set(session.headers).send({}).expect(400);
  });

  it('forwards only cookie values Warden could have issued, so odd ones are a refusal, never a 500', async () => {
    const session = await loginCookie(t, await registerUser(t));
    for (const odd of ['%E2%82%AC', '%0D%0AX-Injected%3A%201', 'a%3B%20__Host-fgp%3Dx']) {
      const response = await t
        .http()
        .post('/api/auth/lab/refresh-reuse')
        .set({
          ...session.headers,
          Cookie: `__Host-access=${session.access}; __Host-fgp=${session.fingerprint}; __Secure-refresh=${odd}`,
        })
        .send({});
      expect(response.status).toBeLessThan(500);
    }
  });

  it('bearer callers cannot use the cookie-based lab', async () => {
    const session = await loginBearer(t, await registerUser(t));
    const response = await t.http().post('/api/auth/lab/replay').set(session.headers).send({ attack: 'alg-none' });
    expect(bodyOf<LabReplay>(response).response.status).toBe(401);
  });
});

it('the lab is 404 unless enabled (and off by default outside development)', async () => {
  const t = await createTestApp();
  try {
    const session = await loginCookie(t, await registerUser(t));
    await t.http().post('/api/auth/lab/replay').set(session.headers).send({ attack: 'alg-none' }).expect(404);
    await t.http().post('/api/auth/lab/refresh-reuse').set(session.headers).send({}).expect(404);
    // For everyone: an anonymous caller learns nothing either (not a 401 that would reveal the route).
    await t.http().post('/api/auth/lab/replay').send({ attack: 'alg-none' }).expect(404);
  } finally {
    await t.close();
  }
});
