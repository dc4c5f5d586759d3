import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { cookieSessionAfter, refreshCookie } from './factories/sessions';
import {
  CookieSession,
  cookieSessionFrom,
  loginBearer,
  registerUser,
  TEST_USER_AGENT,
  TestUser,
} from './factories/users';
import { bodyOf } from './helpers/api';
import { cookieHeader, setCookies } from './helpers/cookies';
import {
  credentialMatchesSetCookie,
  DbscBrowser,
  parseChallengeHeader,
  parseRegistrationHeader,
  RegistrationOffer,
  type SessionConfiguration,
  setCookieLines,
} from './helpers/dbsc-browser';
import { describeOnBothDatabases } from './helpers/databases';
import type { TestApp } from './helpers/test-app';
import { Session } from '../src/sessions/entities/session.entity';

const DBSC_TTL_SECONDS = 600;
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0 Safari/537.36';
const SAFARI_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

/**
 * Device Bound Session Credentials, played by a test browser written from the W3C draft. The attacker in
 * each test holds the victim's cookies (access, fingerprint, refresh, even an old bound cookie) but not
 * the private key, which a real browser keeps in the TPM.
 */
describeOnBothDatabases('Device Bound Session Credentials on %s', (database) => {
  let t: TestApp;
  let user: TestUser;
  let session: CookieSession;
  let offer: RegistrationOffer;
  let browser: DbscBrowser;

  beforeAll(async () => {
    // PostgreSQL: the challenge races run on separate connections, really in parallel.
    t = await database.start({ env: { DBSC_COOKIE_TTL: `${DBSC_TTL_SECONDS}s`, LAB_ENABLED: 'true' } });
  });
  afterAll(() => t?.close());

  /** What the browser sends to every path: its cookies, the bound one once it has it. */
  const jar = () =>
    cookieHeader({
      '__Host-access': session.access,
      '__Host-fgp': session.fingerprint,
      '__Secure-refresh': session.refresh,
      '__Host-dbsc': browser?.boundCookie,
    });

  /** A cookie login as a browser does it: the cookies into the jar, the registration offer read. */
  async function startSession() {
    user = await registerUser(t);
    const login = await t
      .http()
      .post('/api/auth/login')
      .set('User-Agent', TEST_USER_AGENT)
      .send({ email: user.email, password: user.password })
      .expect(200);
    const cookies = setCookies(login);
    session = cookieSessionFrom(
      login.body as { csrfToken: string; accessTokenExpiresAt: string },
      {
        access: cookies['__Host-access'].value,
        fingerprint: cookies['__Host-fgp'].value,
        refresh: cookies['__Secure-refresh'].value,
      },
      TEST_USER_AGENT,
    );
    offer = parseRegistrationHeader(login.headers['secure-session-registration']);
    browser = await DbscBrowser.create(t, jar);
  }

  beforeEach(startSession);

  const principal = () => t.http().get('/api/auth/principal').set('User-Agent', session.userAgent).set('Cookie', jar());

  /** A cookie refresh of the session's tokens, so the browser's access token is one issued after registration. */
  async function refreshTokens() {
    const response = await refreshCookie(t, { ...session, cookie: jar() }).expect(200);
    session = cookieSessionAfter(response, session);
  }

  /** Audit events are ordered by the (fake) clock: one tick apart, "last" is well defined on every database. */
  async function lastRejection() {
    return (await t.auditEvents({ type: 'dbsc_proof_rejected', userId: user.id })).at(-1);
  }

  async function registered() {
    await browser.register(offer).then((response) => expect(response.status).toBe(200));
    await refreshTokens();
  }

  it('a cookie login offers registration: ES256 and RS256, a registration path, a single-use challenge', () => {
    expect(offer).toEqual({
      algorithms: ['ES256', 'RS256'],
      path: '/api/dbsc/register',
      challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('a bearer login offers nothing: DBSC is for browsers', async () => {
    const response = await t
      .http()
      .post('/api/auth/login')
      .send({ email: user.email, password: user.password, transport: 'bearer' });
    expect(response.headers['secure-session-registration']).toBeUndefined();
    await loginBearer(t, user);
  });

  it('registration binds the key and answers the session configuration, its credential equal to its Set-Cookie', async () => {
    const response = await browser.register(offer);
    expect(response.status).toBe(200);
    const body = bodyOf<SessionConfiguration>(response);
    expect(body).toEqual({
      session_identifier: expect.any(String),
      refresh_url: '/api/dbsc/refresh',
      scope: { include_site: false, scope_specification: [] },
      credentials: [
        {
          type: 'cookie',
          name: '__Host-dbsc',
          attributes: `Path=/; Max-Age=${DBSC_TTL_SECONDS}; HttpOnly; SameSite=Strict; Secure`,
        },
      ],
    });
    // Byte for byte: the Set-Cookie line is `name=value; ` followed by exactly the configured attributes.
    expect(credentialMatchesSetCookie(body, setCookieLines(response))).toBe(true);
    const row = await t.dataSource.getRepository(Session).findOneByOrFail({ id: body.session_identifier });
    expect(row.dbscAlg).toBe('ES256');
    expect(JSON.parse(row.dbscKey!)).toEqual(browser.publicJwk);
    expect(await t.auditEvents({ type: 'dbsc_registered', userId: user.id })).toHaveLength(1);
  });

  it('an RS256 key registers too (the draft’s other algorithm), and refreshes under RS256 only', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const proof = await new SignJWT({ jti: offer.challenge })
      .setProtectedHeader({ alg: 'RS256', typ: 'dbsc+jwt', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    const response = await browser.register(offer, proof);
    expect(response.status).toBe(200);
    const row = await t.dataSource
      .getRepository(Session)
      .findOneByOrFail({ id: bodyOf<SessionConfiguration>(response).session_identifier });
    expect(row.dbscAlg).toBe('RS256');
    const first = await browser.askForChallenge().expect(403);
    const { challenge } = parseChallengeHeader(first.headers['secure-session-challenge']);
    // An ES256 proof for an RS256 session: refused for its algorithm, whatever it signs.
    await browser.sendProof(await browser.refreshProof(challenge)).expect(401);
    expect(await lastRejection()).toMatchObject({ reason: 'bad_alg' });
    const next = await browser.askForChallenge().expect(403);
    const rsProof = await new SignJWT({
      jti: parseChallengeHeader(next.headers['secure-session-challenge']).challenge,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'dbsc+jwt' })
      .sign(privateKey);
    await browser.sendProof(rsProof).expect(200);
  });

  it('the test browser refuses a configuration whose credential attributes differ from its Set-Cookie', async () => {
    const response = await browser.register(offer);
    const altered = structuredClone(bodyOf<SessionConfiguration>(response));
    altered.credentials[0].attributes = altered.credentials[0].attributes.replace('SameSite=Strict', 'SameSite=Lax');
    expect(credentialMatchesSetCookie(altered, setCookieLines(response))).toBe(false);
  });

  it('once registered, the session’s access tokens need the bound cookie: the token and fingerprint alone are refused', async () => {
    await registered();
    await principal().expect(200);
    const bound = browser.boundCookie;
    browser.boundCookie = undefined;
    await principal().expect(401);
    expect((await t.auditEvents({ type: 'access_token_rejected', userId: user.id })).at(-1)).toMatchObject({
      reason: 'dbsc_cookie_missing',
    });
    browser.boundCookie = `${bound!.split('.')[0]}.${'A'.repeat(43)}`;
    await principal().expect(401);
    expect((await t.auditEvents({ type: 'access_token_rejected', userId: user.id })).at(-1)).toMatchObject({
      reason: 'dbsc_cookie_invalid',
    });
  });

  it('the access token issued before registration dies with it; the refreshed one needs the bound cookie', async () => {
    await principal().expect(200);
    expect((await browser.register(offer)).status).toBe(200);
    await principal().expect(401);
    expect((await t.auditEvents({ type: 'access_token_rejected', userId: user.id })).at(-1)).toMatchObject({
      reason: 'revoked',
    });
    await refreshTokens();
    await principal().expect(200);
  });

  it('another session’s bound cookie does not fit', async () => {
    await registered();
    const victimsBound = browser.boundCookie;
    await startSession();
    await registered();
    await principal().expect(200);
    browser.boundCookie = victimsBound;
    await principal().expect(401);
    expect((await t.auditEvents({ type: 'access_token_rejected', userId: user.id })).at(-1)).toMatchObject({
      reason: 'dbsc_cookie_invalid',
    });
  });

  it('refresh: 403 with Secure-Session-Challenge naming the session, then a fresh cookie for a valid proof', async () => {
    await registered();
    const sessionId = browser.configuration!.session_identifier;
    const first = await browser.askForChallenge().expect(403);
    const challenge = parseChallengeHeader(first.headers['secure-session-challenge']);
    expect(challenge).toEqual({ challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), id: sessionId });
    const before = browser.boundCookie;
    t.clock.advance(1000);
    const second = await browser.sendProof(await browser.refreshProof(challenge.challenge)).expect(200);
    const configuration = bodyOf<SessionConfiguration>(second);
    expect(credentialMatchesSetCookie(configuration, setCookieLines(second))).toBe(true);
    expect(configuration.session_identifier).toBe(sessionId);
    const line = setCookieLines(second).find((l) => l.startsWith('__Host-dbsc='))!;
    expect(line).not.toContain(before);
  });

  it('a bound cookie past its short life is refused until the browser refreshes it with its key', async () => {
    await registered();
    t.clock.advance((DBSC_TTL_SECONDS + 1) * 1000);
    await principal().expect(401);
    expect((await t.auditEvents({ type: 'access_token_rejected', userId: user.id })).at(-1)).toMatchObject({
      reason: 'dbsc_cookie_expired',
    });
    expect((await browser.refresh()).status).toBe(200);
    await principal().expect(200);
  });

  it('a proof signed with another key is refused (bad signature), and one naming another key is a key mismatch', async () => {
    await registered();
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const first = await browser.askForChallenge().expect(403);
    const { challenge } = parseChallengeHeader(first.headers['secure-session-challenge']);
    await browser.sendProof(await browser.refreshProof(challenge, { key: privateKey })).expect(401);
    expect(await lastRejection()).toMatchObject({
      reason: 'bad_signature',
      sessionId: browser.configuration!.session_identifier,
    });

    t.clock.advance(1);
    const again = await browser.askForChallenge().expect(403);
    const next = parseChallengeHeader(again.headers['secure-session-challenge']).challenge;
    const proof = await browser.refreshProof(next, { key: privateKey, header: { jwk: await exportJWK(publicKey) } });
    const response = await browser.sendProof(proof).expect(401);
    expect(setCookieLines(response).some((l) => l.startsWith('__Host-dbsc='))).toBe(false);
    expect(await lastRejection()).toMatchObject({ reason: 'key_mismatch' });
  });

  it('a challenge works once: the replay is refused', async () => {
    await registered();
    const first = await browser.askForChallenge().expect(403);
    const { challenge } = parseChallengeHeader(first.headers['secure-session-challenge']);
    const proof = await browser.refreshProof(challenge);
    await browser.sendProof(proof).expect(200);
    await browser.sendProof(proof).expect(401);
    expect(await lastRejection()).toMatchObject({ reason: 'challenge_unknown' });
    // Two proofs of one challenge at the same moment: exactly one cookie.
    const next = await browser.askForChallenge().expect(403);
    const raced = await browser.refreshProof(parseChallengeHeader(next.headers['secure-session-challenge']).challenge);
    const statuses = (await Promise.all([browser.sendProof(raced), browser.sendProof(raced)])).map((r) => r.status);
    expect(statuses.sort()).toEqual([200, 401]);
  });

  it('an expired challenge is refused', async () => {
    await registered();
    const first = await browser.askForChallenge().expect(403);
    const { challenge } = parseChallengeHeader(first.headers['secure-session-challenge']);
    t.clock.advance(5 * 60_000 + 1);
    await browser.sendProof(await browser.refreshProof(challenge)).expect(401);
    expect(await lastRejection()).toMatchObject({ reason: 'challenge_expired' });
  });

  it('the registration challenge is single-use and expires too', async () => {
    await browser.register(offer).then((r) => expect(r.status).toBe(200));
    const thief = await DbscBrowser.create(t, jar);
    t.clock.advance(1);
    expect((await thief.register(offer)).status).toBe(400);
    expect(await lastRejection()).toBeUndefined(); // unknown challenge: no session to name
    expect((await t.auditEvents({ type: 'dbsc_proof_rejected' })).at(-1)).toMatchObject({
      reason: 'challenge_unknown',
    });
  });

  it('a registration proof must be self-signed dbsc+jwt with an allowed algorithm and a public jwk', async () => {
    // Session-less refusals share one audit row per source and reason: count them, not rows.
    const refusals = async (reason: string) =>
      (await t.auditEvents({ type: 'dbsc_proof_rejected', reason })).reduce((sum, event) => sum + event.count, 0);
    const reasons = ['bad_typ', 'bad_signature', 'bad_signature', 'missing_jwk', 'bad_alg', 'malformed'];
    const attempt = async (proof: string) => {
      const reason = reasons.shift()!;
      const before = await refusals(reason);
      expect((await browser.register(offer, proof)).status).toBe(400);
      expect({ reason, count: await refusals(reason) }).toEqual({ reason, count: before + 1 });
    };
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    await attempt(await browser.registrationProof(offer.challenge, { header: { typ: 'JWT' } }));
    await attempt(await browser.registrationProof(offer.challenge, { key: privateKey }));
    await attempt(await browser.registrationProof(offer.challenge, { header: { jwk: await exportJWK(privateKey) } }));
    await attempt(
      await new SignJWT({ jti: offer.challenge })
        .setProtectedHeader({ alg: 'ES256', typ: 'dbsc+jwt' })
        .sign(browser.privateKey),
    );
    await attempt(
      await new SignJWT({ jti: offer.challenge })
        .setProtectedHeader({ alg: 'HS256', typ: 'dbsc+jwt', jwk: browser.publicJwk })
        .sign(new TextEncoder().encode('a-shared-secret-is-not-possession!')),
    );
    await attempt('not-a-jwt');
    expect(reasons).toEqual([]);
    // None of it spent the challenge: the real browser still registers.
    expect((await browser.register(offer)).status).toBe(200);
  });

  it('proof failures count like fingerprint mismatches: enough of them from elsewhere end the session', async () => {
    await registered();
    const { privateKey } = await generateKeyPair('ES256');
    // Three different devices (User-Agent family), as the fingerprint-mismatch rule counts them.
    for (const userAgent of [FIREFOX_LINUX, CHROME_WINDOWS, SAFARI_MAC]) {
      const first = await browser.askForChallenge().expect(403);
      const { challenge } = parseChallengeHeader(first.headers['secure-session-challenge']);
      await browser
        .sendProof(await browser.refreshProof(challenge, { key: privateKey }))
        .set('User-Agent', userAgent)
        .expect(401);
    }
    expect(await t.auditEvents({ type: 'session_revoked', userId: user.id })).toEqual([
      expect.objectContaining({ reason: 'fingerprint_mismatch' }),
    ]);
    await principal().expect(401);
  });

  it('the security lab shows a registered session’s key and its bound cookie’s expiry, never the cookie', async () => {
    const lab = () => t.http().get('/api/auth/lab/dbsc').set('User-Agent', session.userAgent).set('Cookie', jar());
    expect((await lab().expect(200)).body).toEqual({ enabled: true, registered: false });
    await registered();
    const body: unknown = (await lab().expect(200)).body;
    expect(body).toEqual({
      enabled: true,
      registered: true,
      algorithm: 'ES256',
      publicKey: browser.publicJwk,
      thumbprint: await calculateJwkThumbprint(browser.publicJwk),
      boundCookie: {
        name: '__Host-dbsc',
        expiresAt: new Date((t.clock.nowSeconds() + DBSC_TTL_SECONDS) * 1000).toISOString(),
        lifetimeSeconds: DBSC_TTL_SECONDS,
      },
    });
    expect(JSON.stringify(body)).not.toContain(browser.boundCookie!.split('.')[1]);
  });

  it('a session whose browser never registers keeps today’s fingerprint binding and works as before', async () => {
    await principal().expect(200);
    await refreshTokens();
    await principal().expect(200);
    await t.http().post('/api/dbsc/refresh').set('Sec-Secure-Session-Id', '"not-a-session"').expect(401);
  });
});
