import { randomBytes } from 'node:crypto';
import { FingerprintService } from './fingerprint.service';

describe('FingerprintService', () => {
  const secret = randomBytes(32);
  const service = new FingerprintService({ FINGERPRINT_SECRET: secret } as never);

  it('is deterministic for the same factors and differs when any factor changes', () => {
    const base = { transport: 'bearer', ip: '203.0.113.7', userAgent: 'UA/1' } as const;
    expect(service.bind(base)).toBe(service.bind({ ...base }));
    expect(service.bind(base)).not.toBe(service.bind({ ...base, ip: '203.0.113.8' }));
    expect(service.bind(base)).not.toBe(service.bind({ ...base, userAgent: 'UA/2' }));
  });

  it('binds a browser to its User-Agent as well as its fingerprint cookie', () => {
    const base = { transport: 'cookie', fingerprintCookie: 'cookie-value', userAgent: 'UA/1' } as const;
    expect(service.matches(service.bind(base), base)).toBe(true);
    expect(service.bind(base)).not.toBe(service.bind({ ...base, userAgent: 'UA/2' }));
    expect(service.bind(base)).not.toBe(service.bind({ ...base, fingerprintCookie: 'other-value' }));
  });

  it('joins factors unambiguously: moving a separator between factors changes the hash', () => {
    const a = service.bind({ transport: 'bearer', ip: '1.2.3.4|x', userAgent: 'y' });
    const b = service.bind({ transport: 'bearer', ip: '1.2.3.4', userAgent: 'x|y' });
    const c = service.bind({ transport: 'bearer', ip: '1.2.3.4","x', userAgent: 'y' });
    const d = service.bind({ transport: 'bearer', ip: '1.2.3.4', userAgent: 'x","y' });
    expect(new Set([a, b, c, d]).size).toBe(4);
  });

  it('never matches a cookie binding with a bearer binding of the same strings', () => {
    const cookie = service.bind({ transport: 'cookie', fingerprintCookie: '1.2.3.4', userAgent: 'UA' });
    expect(service.matches(cookie, { transport: 'bearer', ip: '1.2.3.4', userAgent: 'UA' })).toBe(false);
  });

  it('depends on the secret', () => {
    const other = new FingerprintService({ FINGERPRINT_SECRET: randomBytes(32) } as never);
    const factors = { transport: 'bearer', ip: '::1', userAgent: 'UA' } as const;
    expect(other.bind(factors)).not.toBe(service.bind(factors));
  });

  it.each([[undefined], [42], [''], ['short'], [{}]])('rejects a malformed claim %p', (claim) => {
    expect(service.matches(claim, { transport: 'bearer', ip: '::1', userAgent: 'UA' })).toBe(false);
  });

  it('makes 256-bit random cookie values', () => {
    const value = service.newCookieValue();
    expect(Buffer.from(value, 'base64url')).toHaveLength(32);
    expect(value).not.toBe(service.newCookieValue());
  });
});
