import { loginCookie, registerUser } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

/** ASVS 5.0 V3.3 and V3.4: what every response and every cookie carries. */
describe('security headers and cookies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example.test' } });
  });
  afterAll(() => t.close());

  it.each(['/api/health', '/', '/api/no-such-route', '/.well-known/jwks.json'])(
    'sends a strict CSP, nosniff and no-referrer on %s',
    async (path) => {
      const response = await t.http().get(path);
      const csp = response.headers['content-security-policy'];
      for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"]) {
        expect(csp).toContain(directive);
      }
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    },
  );

  it('answers CORS only for the allow-listed origin, never with a wildcard', async () => {
    const allowed = await t.http().get('/api/health').set('Origin', 'https://app.example.test');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.test');
    const other = await t.http().get('/api/health').set('Origin', 'https://evil.example.test');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps every cookie it writes under 4096 bytes, name and value together', async () => {
    const session = await loginCookie(t, await registerUser(t));
    for (const [name, value] of Object.entries({
      '__Host-access': session.access,
      '__Host-fgp': session.fingerprint,
      '__Secure-refresh': session.refresh,
    })) {
      expect(name.length + value.length).toBeLessThan(4096);
    }
  });
});
