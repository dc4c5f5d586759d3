import * as OTPAuth from 'otpauth';
import { base32, hotp, matchingTotpStep, newTotpSecret, otpauthUri, totpStep } from './totp';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890", 8-digit codes.
const RFC_SECRET = Buffer.from('12345678901234567890');
const RFC_VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('matches the RFC vector at T=%i', (time, code) => {
    expect(hotp(RFC_SECRET, totpStep(time), 8)).toBe(code);
  });

  it('agrees with an independent implementation (otpauth), through the otpauth:// URI', () => {
    const secret = newTotpSecret();
    const parsed = OTPAuth.URI.parse(otpauthUri(secret, 'Warden', 'ada@example.test')) as OTPAuth.TOTP;
    expect(parsed.issuer).toBe('Warden');
    expect(parsed.label).toBe('ada@example.test');
    expect(parsed.secret.base32).toBe(base32(secret));
    const now = 1_800_000_000;
    expect(matchingTotpStep(secret, parsed.generate({ timestamp: now * 1000 }), now)).toBe(totpStep(now));
  });

  it('accepts one step of drift either side and nothing further', () => {
    const secret = newTotpSecret();
    const now = 1_800_000_015;
    const step = totpStep(now);
    expect(matchingTotpStep(secret, hotp(secret, step - 1), now)).toBe(step - 1);
    expect(matchingTotpStep(secret, hotp(secret, step + 1), now)).toBe(step + 1);
    expect(matchingTotpStep(secret, hotp(secret, step - 2), now)).toBeNull();
    expect(matchingTotpStep(secret, hotp(secret, step + 2), now)).toBeNull();
  });

  it.each(['', '12345', '1234567', 'abcdef', ' 12345'])('refuses the malformed code %p', (code) => {
    expect(matchingTotpStep(newTotpSecret(), code, 1_800_000_000)).toBeNull();
  });
});
