import { randomBytes } from 'node:crypto';
import { generateDevelopmentSecret } from './development-secrets';
import { decodeSecret, generateSecret } from './secrets';

/** decodeSecret judges every secret setting; the secrets slice's use of it is in secret-settings.spec.ts. */
describe('decodeSecret', () => {
  it('accepts generated secrets in base64url and base64, and development secrets with their marker', () => {
    expect(decodeSecret(generateSecret())).toHaveProperty('bytes');
    expect(decodeSecret(randomBytes(48).toString('base64'))).toHaveProperty('bytes');
    expect(decodeSecret(generateDevelopmentSecret())).toHaveProperty('bytes');
  });

  it('never refuses a real random secret (the typed-words heuristic is calibrated below 1e-9)', () => {
    for (let i = 0; i < 1000; i += 1) {
      for (const value of [generateSecret(), randomBytes(32).toString('base64'), generateDevelopmentSecret()]) {
        expect(decodeSecret(value)).toHaveProperty('bytes');
      }
    }
  });

  it.each([
    ['a short secret', randomBytes(31).toString('base64url'), /248 bits/],
    ['a placeholder', 'changeme', /bits|base64/],
    ['a repeated character', 'A'.repeat(64), /repetitive/],
    ['a non-base64 string', 'this is not base64 at all!', /base64/],
    ['CamelCase words that decode to 32 bytes', 'ThisIsMyVerySecretProductionKeyForWardenApp', /typed words/],
    ['more CamelCase words', 'ProductionFingerprintSecretForTheWardenApps', /typed words/],
    ['lowercase words', 'correcthorsebatterystaplecorrecthorsebattery', /typed words/],
    ['UPPERCASE-free prose', 'thisisnotagoodsecretbutitislongenoughtopass', /typed words/],
    ['a base64-encoded passphrase', Buffer.from('correct horse battery staple, twice!').toString('base64'), /typed/],
  ])('refuses %s', (_case, value, message) => {
    const decoded = decodeSecret(value);
    expect(decoded).toHaveProperty('problem');
    expect((decoded as { problem: string }).problem).toMatch(message);
  });
});
