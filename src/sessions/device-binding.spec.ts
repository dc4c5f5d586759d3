import { bindingFailure, deviceBinding, hashFingerprintCookie } from './device-binding';

describe('device binding', () => {
  const userAgent = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
  const client = { ip: '203.0.113.7', userAgent };

  it('binds a browser session to its fingerprint cookie and User-Agent family', () => {
    const session = { transport: 'cookie' as const, ...deviceBinding('cookie', client, 'cookie-value') };
    expect(session).toMatchObject({
      fingerprintHash: hashFingerprintCookie('cookie-value'),
      userAgentFamily: 'Firefox on Linux',
    });
    expect(bindingFailure(session, { userAgent, fingerprintCookie: 'cookie-value' })).toBeNull();
    expect(bindingFailure(session, { userAgent })).toBe('fingerprint_missing');
    expect(bindingFailure(session, { userAgent, fingerprintCookie: 'other' })).toBe('fingerprint_mismatch');
    expect(bindingFailure(session, { userAgent: 'curl/8.5.0', fingerprintCookie: 'cookie-value' })).toBe(
      'user_agent_mismatch',
    );
  });

  it('binds a bearer session to its User-Agent family only', () => {
    const session = { transport: 'bearer' as const, ...deviceBinding('bearer', client) };
    expect(session.fingerprintHash).toBeNull();
    expect(bindingFailure(session, { userAgent })).toBeNull();
    expect(bindingFailure(session, { userAgent: 'curl/8.5.0' })).toBe('user_agent_mismatch');
  });

  it('matches nothing for a session stored without a binding', () => {
    const legacy = { transport: 'cookie' as const, fingerprintHash: null, userAgentFamily: null, dpopJkt: null };
    expect(bindingFailure(legacy, { userAgent, fingerprintCookie: 'anything' })).toBe('fingerprint_mismatch');
    expect(bindingFailure({ ...legacy, transport: 'bearer' }, { userAgent })).toBe('user_agent_mismatch');
  });

  it('binds a DPoP session to its key: a refresh needs a proof by that key, an unbound one takes none', () => {
    const bound = { transport: 'bearer' as const, ...deviceBinding('bearer', client, undefined, 'key-a') };
    expect(bound.dpopJkt).toBe('key-a');
    expect(bindingFailure(bound, { userAgent, dpop: { jkt: 'key-a' } })).toBeNull();
    expect(bindingFailure(bound, { userAgent })).toBe('dpop_proof_missing');
    expect(bindingFailure(bound, { userAgent, dpop: { jkt: 'key-b' } })).toBe('dpop_key_mismatch');
    expect(bindingFailure(bound, { userAgent, dpop: { failure: 'dpop_replayed' } })).toBe('dpop_replayed');
    const unbound = { transport: 'bearer' as const, ...deviceBinding('bearer', client) };
    expect(bindingFailure(unbound, { userAgent, dpop: { jkt: 'key-a' } })).toBe('dpop_token_not_bound');
  });

  it('refuses to bind a browser session without a fingerprint cookie', () => {
    expect(() => deviceBinding('cookie', client)).toThrow();
  });
});
