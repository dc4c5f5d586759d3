import { parseExternalIssuers } from './external-issuer-settings';

describe('EXTERNAL_ISSUERS', () => {
  const valid = {
    issuer: 'https://idp.example.com/realms/main',
    audience: 'warden-api',
    algorithms: ['RS256'],
    rolesClaim: 'realm_access.roles',
    roles: { 'warden-admin': 'admin' },
  };
  function parse(value: unknown, production = true) {
    const problems: string[] = [];
    const raw = typeof value === 'string' ? value : JSON.stringify(value);
    const issuers = parseExternalIssuers(raw, { ownIssuer: 'https://auth.example.com', production }, problems);
    return { issuers, problems };
  }

  it('is empty by default: Warden trusts only itself', () => {
    expect(parseExternalIssuers(undefined, { ownIssuer: 'x', production: true }, [])).toEqual([]);
    expect(parseExternalIssuers(' ', { ownIssuer: 'x', production: true }, [])).toEqual([]);
  });

  it('reads an issuer with its defaults', () => {
    expect(parse([valid])).toEqual({
      issuers: [{ ...valid, jwksUri: null, tokenType: 'at+jwt' }],
      problems: [],
    });
  });

  it.each([
    ['not JSON', '[{issuer:', /must be a JSON array/],
    ['not an array', { issuer: valid.issuer }, /must be a JSON array/],
    ['an HMAC algorithm', [{ ...valid, algorithms: ['HS256'] }], /algorithms must be a non-empty list/],
    ['alg none', [{ ...valid, algorithms: ['none'] }], /algorithms must be a non-empty list/],
    ['no algorithm', [{ ...valid, algorithms: [] }], /algorithms must be a non-empty list/],
    ['no audience', [{ ...valid, audience: undefined }], /audience must be a non-empty string/],
    [
      'plain http in production',
      [{ ...valid, issuer: 'http://idp.example.com' }],
      /issuer must be an absolute https URL/,
    ],
    ['a relative JWKS URL', [{ ...valid, jwksUri: '/certs' }], /jwksUri must be an absolute https URL/],
    ["Warden's own issuer", [{ ...valid, issuer: 'https://auth.example.com' }], /Warden's own JWT_ISSUER/],
    ['the same issuer twice', [valid, valid], /listed twice/],
    ['a misspelt field', [{ ...valid, audiences: ['x'] }], /audiences is not a known field/],
    ['a role Warden does not have', [{ ...valid, roles: { root: 'superuser' } }], /roles must map/],
    ['roles without rolesClaim', [{ ...valid, rolesClaim: undefined }], /roles needs rolesClaim/],
  ])('refuses %s, naming the setting', (_case, value, message) => {
    const { problems } = parse(value);
    expect(problems).toEqual([expect.stringMatching(message)]);
    expect(problems[0]).toMatch(/^EXTERNAL_ISSUERS/);
  });

  it('accepts plain http outside production (a local provider)', () => {
    expect(parse([{ ...valid, issuer: 'http://127.0.0.1:8080' }], false).problems).toEqual([]);
  });
});
