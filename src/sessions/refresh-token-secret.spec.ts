import { hashRefreshToken, newRefreshToken } from './refresh-token-secret';

describe('refresh token secrets (ASVS 5.0 7.2.3)', () => {
  it('are 256 bits from the CSPRNG, base64url, and never repeat', () => {
    const tokens = Array.from({ length: 1000 }, newRefreshToken);
    for (const token of tokens) expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('are stored only as their SHA-256', () => {
    const token = newRefreshToken();
    expect(hashRefreshToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(token)).not.toContain(token);
  });
});
