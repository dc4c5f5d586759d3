import { BoundCookieService } from './bound-cookie.service';

describe('BoundCookieService', () => {
  const cookies = new BoundCookieService({ FINGERPRINT_SECRET: Buffer.alloc(32, 7) } as never);
  const other = new BoundCookieService({ FINGERPRINT_SECRET: Buffer.alloc(32, 8) } as never);
  const now = 1_800_000_000;
  const value = cookies.issue('session-a', now + 600);

  it('accepts its own cookie for its session until the expiry inside it', () => {
    expect(cookies.failure(value, 'session-a', now)).toBeNull();
    expect(cookies.failure(value, 'session-a', now + 599)).toBeNull();
    expect(cookies.failure(value, 'session-a', now + 600)).toBe('dbsc_cookie_expired');
  });

  it('refuses it for another session, under another secret, or with a moved expiry', () => {
    expect(cookies.failure(value, 'session-b', now)).toBe('dbsc_cookie_invalid');
    expect(other.failure(value, 'session-a', now)).toBe('dbsc_cookie_invalid');
    const [, mac] = value.split('.');
    expect(cookies.failure(`${now + 6000}.${mac}`, 'session-a', now)).toBe('dbsc_cookie_invalid');
  });

  it.each([undefined, ''])('a missing cookie (%p) is missing', (missing) => {
    expect(cookies.failure(missing, 'session-a', now)).toBe('dbsc_cookie_missing');
  });

  it.each(['junk', '1.2', `${now}.${'A'.repeat(44)}`, `-1.${'A'.repeat(43)}`, `${'9'.repeat(13)}.${'A'.repeat(43)}`])(
    'a malformed cookie (%p) is invalid, never an exception',
    (junk) => {
      expect(cookies.failure(junk, 'session-a', now)).toBe('dbsc_cookie_invalid');
    },
  );
});
