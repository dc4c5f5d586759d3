import { refreshBearer, refreshCookie } from './factories/sessions';
import { bearerFrom, CookieSession, loginBearer, loginCookie, registerUser, TestUser } from './factories/users';
import { cookieHeader, setCookies } from './helpers/cookies';
import { rawRequest } from './helpers/raw-request';
import { createTestApp, TestApp } from './helpers/test-app';

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const FIREFOX_LINUX_UPDATED = 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0';
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

/**
 * A session is bound to the device it began on for its whole life: a browser's refresh cookie works only
 * with the `__Host-fgp` cookie of its login, and every refresh token only from its User-Agent family.
 * Each attack below has the refresh token and something less than the victim's device.
 */
describe('refresh tokens are bound to their device', () => {
  let t: TestApp;
  let user: TestUser;
  let victim: CookieSession;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    user = await registerUser(t);
    victim = await loginCookie(t, user, FIREFOX_LINUX);
  });

  /** A browser that holds only what the attacker has: these cookies, this User-Agent. */
  const browser = (cookies: Record<string, string | undefined>, userAgent = FIREFOX_LINUX) => ({
    csrf: () => t.http().get('/api/auth/csrf').set('User-Agent', userAgent).set('Cookie', cookieHeader(cookies)),
    refresh: (csrfToken: string) =>
      t
        .http()
        .post('/api/auth/refresh')
        .set('User-Agent', userAgent)
        .set('Cookie', cookieHeader(cookies))
        .set('X-CSRF-Token', csrfToken),
  });

  async function lastEvent(type: string) {
    return (await t.auditEvents({ type, userId: user.id })).at(-1);
  }

  /** The victim's session is untouched: nothing was spent, the owner refreshes as before. */
  async function expectVictimUnharmed() {
    await refreshCookie(t, victim).expect(200);
  }

  it('baseline: the victim’s own browser gets a CSRF token and refreshes', async () => {
    const own = browser({ '__Secure-refresh': victim.refresh, '__Host-fgp': victim.fingerprint });
    const { csrfToken } = (await own.csrf().expect(200)).body as { csrfToken: string };
    await own.refresh(csrfToken).expect(200);
  });

  it('a lifted refresh cookie alone gets no CSRF token and no refresh, and no fingerprint cookie is minted', async () => {
    const thief = browser({ '__Secure-refresh': victim.refresh });
    await thief.csrf().expect(401);
    expect(await lastEvent('csrf_rejected')).toMatchObject({
      reason: 'fingerprint_missing',
      metadata: expect.objectContaining({ path: '/api/auth/csrf', fingerprintCookie: 'missing' }),
    });
    // Even with a CSRF token leaked some other way, the refresh is refused before anything is spent.
    const response = await thief.refresh(victim.csrfToken).expect(401);
    expect(await lastEvent('refresh_failed')).toMatchObject({ reason: 'fingerprint_missing', success: false });
    const cookies = setCookies(response);
    expect(cookies['__Host-fgp']?.value ?? '').toBe('');
    expect(cookies['__Host-access']?.value ?? '').toBe('');
    expect(await t.auditEvents({ type: 'refresh', userId: user.id })).toEqual([]);
    await expectVictimUnharmed();
  });

  it('a lifted refresh cookie with a forged fingerprint cookie is refused as a mismatch', async () => {
    const thief = browser({ '__Secure-refresh': victim.refresh, '__Host-fgp': 'attacker-chosen-value' });
    await thief.csrf().expect(401);
    expect(await lastEvent('csrf_rejected')).toMatchObject({ reason: 'fingerprint_mismatch' });
    await thief.refresh(victim.csrfToken).expect(401);
    expect(await lastEvent('refresh_failed')).toMatchObject({ reason: 'fingerprint_mismatch' });
    await expectVictimUnharmed();
  });

  it('both cookies from another browser family are refused; a browser update is not', async () => {
    const cookies = { '__Secure-refresh': victim.refresh, '__Host-fgp': victim.fingerprint };
    await browser(cookies, CHROME_WINDOWS).csrf().expect(401);
    await browser(cookies, CHROME_WINDOWS).refresh(victim.csrfToken).expect(401);
    expect(await lastEvent('refresh_failed')).toMatchObject({
      reason: 'user_agent_mismatch',
      metadata: expect.objectContaining({
        userAgentFamily: 'Chrome on Windows',
        sessionUserAgentFamily: 'Firefox on Linux',
      }),
    });
    await browser(cookies, FIREFOX_LINUX_UPDATED).refresh(victim.csrfToken).expect(200);
  });

  describe('a refresh cookie planted from a sibling subdomain', () => {
    // `__Secure-refresh` (not `__Host-`: it needs Path=/api/auth) can be set by evil.example.com with
    // Domain=example.com. The attacker plants the refresh cookie of their own session, hoping the victim's
    // browser signs into the attacker's account (and types secrets into it). `__Host-fgp` cannot be
    // planted that way, so the victim's browser sends its own fingerprint cookie, or none.
    let attacker: TestUser;
    let attackers: CookieSession;
    beforeEach(async () => {
      attacker = await registerUser(t);
      attackers = await loginCookie(t, attacker, FIREFOX_LINUX);
    });

    it('is useless beside the victim’s own fingerprint cookie', async () => {
      const planted = browser({ '__Secure-refresh': attackers.refresh, '__Host-fgp': victim.fingerprint });
      await planted.csrf().expect(401);
      const response = await planted.refresh(attackers.csrfToken).expect(401);
      expect(setCookies(response)['__Secure-refresh']?.value ?? '').toBe('');
      const refused = await t.auditEvents({ type: 'refresh_failed', userId: attacker.id });
      expect(refused.map((event) => event.reason)).toEqual(['fingerprint_mismatch']);
    });

    it('is useless in a browser with no fingerprint cookie', async () => {
      const planted = browser({ '__Secure-refresh': attackers.refresh });
      await planted.csrf().expect(401);
      await planted.refresh(attackers.csrfToken).expect(401);
    });

    it('works only in the attacker’s own browser, with the attacker’s fingerprint cookie', async () => {
      const own = browser({ '__Secure-refresh': attackers.refresh, '__Host-fgp': attackers.fingerprint });
      await own.refresh(attackers.csrfToken).expect(200);
    });
  });

  it('feeds the fingerprint-mismatch rule: tries from 3 sources end the session with one alert', async () => {
    for (const userAgent of [CHROME_WINDOWS, 'curl/8.5.0', 'python-requests/2.32']) {
      await browser({ '__Secure-refresh': victim.refresh }, userAgent).csrf().expect(401);
    }
    expect(await lastEvent('session_revoked')).toMatchObject({ reason: 'fingerprint_mismatch' });
    const alerts = await t.auditEvents({ type: 'alert_raised', userId: user.id, reason: 'fingerprint_mismatch' });
    expect(alerts).toHaveLength(1);
    await refreshCookie(t, victim).expect(401);
    expect(await lastEvent('refresh_failed')).toMatchObject({ reason: 'session_ended' });
  });
});

describe('bearer refresh tokens are bound to their User-Agent family, not their address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('refuses a refresh from another User-Agent family and spends nothing', async () => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user, FIREFOX_LINUX);
    await refreshBearer(t, session.refreshToken, CHROME_WINDOWS).expect(401);
    expect((await t.auditEvents({ type: 'refresh_failed', userId: user.id })).at(-1)).toMatchObject({
      reason: 'user_agent_mismatch',
      ip: '127.0.0.1',
    });
    await refreshBearer(t, session.refreshToken, FIREFOX_LINUX_UPDATED).expect(200);
  });

  it('allows a refresh from a new address and records where it came from', async () => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user, FIREFOX_LINUX);
    const moved = await rawRequest(t, '/api/auth/refresh', {
      from: '127.0.5.9',
      headers: { 'User-Agent': FIREFOX_LINUX },
      body: { transport: 'bearer', refreshToken: session.refreshToken },
    });
    expect(moved.status).toBe(200);
    const [refresh] = await t.auditEvents({ type: 'refresh', userId: user.id });
    expect(refresh).toMatchObject({ ip: '127.0.5.9', metadata: { previousIp: '127.0.0.1' } });
  });

  it('grants the REFRESH_REUSE_GRACE retry only to the same User-Agent family: from another it is reuse', async () => {
    const graceful = await createTestApp({ env: { REFRESH_REUSE_GRACE: '30s' } });
    try {
      const user = await registerUser(graceful);
      const parent = await loginBearer(graceful, user, FIREFOX_LINUX);
      const child = bearerFrom(await refreshBearer(graceful, parent.refreshToken, FIREFOX_LINUX).expect(200));
      await refreshBearer(graceful, parent.refreshToken, CHROME_WINDOWS).expect(401);
      const [reuse] = await graceful.auditEvents({ type: 'refresh_token_reuse', userId: user.id });
      expect(reuse).toMatchObject({ reason: 'spent_refresh_token_presented' });
      await refreshBearer(graceful, child.refreshToken, FIREFOX_LINUX).expect(401);
    } finally {
      await graceful.close();
    }
  });
});
