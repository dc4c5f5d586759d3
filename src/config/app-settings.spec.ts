import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appConfig } from './app-settings';
import { loadSlice } from './compose';
import { configurationProblems } from '../../test/helpers/configuration';

const production = (env: NodeJS.ProcessEnv = {}) => ({
  NODE_ENV: 'production',
  TLS_TERMINATED_UPSTREAM: 'true',
  ...env,
});
const load = (env: NodeJS.ProcessEnv) => loadSlice(appConfig, { NODE_ENV: 'development', ...env });
function problems(env: NodeJS.ProcessEnv): string[] {
  return configurationProblems(() => load(env));
}

describe('app settings', () => {
  const directory = mkdtempSync(join(tmpdir(), 'warden-app-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  describe('production refuses plain HTTP', () => {
    it('without TLS files or TLS_TERMINATED_UPSTREAM=true', () => {
      expect(problems(production({ TLS_TERMINATED_UPSTREAM: undefined }))).toEqual([
        expect.stringMatching(
          /^HTTPS is required in production: set TLS_CERT_FILE and TLS_KEY_FILE .* or TLS_TERMINATED_UPSTREAM=true/,
        ),
      ]);
      expect(problems(production({ TLS_TERMINATED_UPSTREAM: 'false' }))).toHaveLength(1);
    });

    it('starts behind a TLS-terminating proxy', () => {
      expect(problems(production({ TLS_TERMINATED_UPSTREAM: 'true' }))).toEqual([]);
    });

    it('is allowed outside production (local development is plain HTTP)', () => {
      expect(problems({ NODE_ENV: 'development' })).toEqual([]);
      expect(problems({ NODE_ENV: 'test' })).toEqual([]);
    });

    it('refuses insecure cookies', () => {
      expect(problems(production({ COOKIE_SECURE: 'false' })).join('\n')).toMatch(
        /COOKIE_SECURE=false is refused in production/,
      );
    });
  });

  describe('HTTP server timeouts', () => {
    it('default to 10s for the headers, 30s for a request and 5s keep-alive', () => {
      expect(load({}).httpTimeouts).toEqual({ headersSeconds: 10, requestSeconds: 30, keepAliveSeconds: 5 });
    });

    it.each([
      [{ HTTP_REQUEST_TIMEOUT: '0s' }, /^HTTP_REQUEST_TIMEOUT must be a duration .* between 1s and 10m/],
      [{ HTTP_HEADERS_TIMEOUT: '1h' }, /^HTTP_HEADERS_TIMEOUT must be a duration .* between 1s and 5m/],
      [
        { HTTP_HEADERS_TIMEOUT: '20s', HTTP_REQUEST_TIMEOUT: '10s' },
        /^HTTP_REQUEST_TIMEOUT must be at least HTTP_HEADERS_TIMEOUT/,
      ],
    ])('refuses %o', (env, message) => {
      expect(problems(env).join('\n')).toMatch(message);
    });
  });

  it.each(['abc', '-1', '3000x', '65536', '1234567'])(
    'refuses PORT=%s with the rule, not a regular expression',
    (port) => {
      expect(problems({ PORT: port })).toEqual(['PORT must be a port number between 0 and 65535 (default 3000)']);
    },
  );

  describe('TRUST_PROXY', () => {
    it('is off by default and keeps named proxies', () => {
      expect(load({}).trustProxy).toBe(false);
      expect(load({ TRUST_PROXY: 'loopback, 10.0.0.0/8, 203.0.113.7, fd12:3456::/48' }).trustProxy).toEqual([
        'loopback',
        '10.0.0.0/8',
        '203.0.113.7',
        'fd12:3456::/48',
      ]);
    });

    it.each([
      ['true', /TRUST_PROXY=true would trust X-Forwarded-For from anyone/],
      ['*', /TRUST_PROXY=true/],
      ['0.0.0.0/1,128.0.0.0/1', /TRUST_PROXY entry 0\.0\.0\.0\/1 spans too many addresses/],
      ['10.0.0.0/7', /entry 10\.0\.0\.0\/7 spans too many/],
      ['0.0.0.0/128.0.0.0', /entry 0\.0\.0\.0\/128\.0\.0\.0 spans too many/],
      ['::/1', /entry ::\/1 spans too many .*\/32/],
      ['2001:db8::/31', /entry 2001:db8::\/31 spans too many/],
      ['0.0.0.0/0', /^TRUST_PROXY: invalid range on address: 0\.0\.0\.0\/0; use addresses/],
      ['::/0', /^TRUST_PROXY: invalid range/],
      ['loopbak', /^TRUST_PROXY: invalid IP address: loopbak/],
      ['10.0.0.0/33', /^TRUST_PROXY: invalid range/],
      ['1', /^TRUST_PROXY=1: hop counts are not supported .*name the proxy addresses/],
      ['loopback, 2', /^TRUST_PROXY=2: hop counts are not supported/],
    ])('refuses %s, naming the setting', (value, message) => {
      expect(problems({ TRUST_PROXY: value }).join('\n')).toMatch(message);
    });

    // proxy-addr matches an IPv4-mapped IPv6 subnet against IPv4 clients: ::ffff:0:0/96 is every IPv4 address.
    it.each([
      ['::ffff:0.0.0.0/97', '0.0.0.0/1'],
      ['::ffff:0:0/96', '0.0.0.0/0'],
      ['::FFFF:10.0.0.0/104', '10.0.0.0/8'],
      ['0:0:0:0:0:ffff:0:0/96', '0.0.0.0/0'],
      ['0::ffff:0.0.0.0/96', '0.0.0.0/0'],
      ['::0:ffff:0:0/97', '0.0.0.0/1'],
      ['0000:0000:0000:0000:0000:ffff:0a00:0005/128', '10.0.0.5/32'],
    ])('refuses the IPv4-mapped range %s outright, naming the IPv4 range (%s) instead', (value, ipv4) => {
      const found = problems({ TRUST_PROXY: value });
      expect(found).toEqual([expect.stringContaining(`TRUST_PROXY entry ${value} is an IPv4-mapped IPv6 range`)]);
      expect(found[0]).toContain(`name the IPv4 range instead (${ipv4})`);
    });

    it.each(['::/80', '::/64', '0:0:0:0:0:fffe::/95'])(
      'refuses %s, an IPv6 range that contains every IPv4-mapped address',
      (value) => {
        expect(problems({ TRUST_PROXY: value }).join('\n')).toMatch(/contains the IPv4-mapped range ::ffff:0:0\/96/);
      },
    );

    it('accepts a bare IPv4-mapped address, which proxy-addr stores as the IPv4 address', () => {
      expect(problems({ TRUST_PROXY: '::ffff:10.0.0.5' })).toEqual([]);
    });

    it('accepts the named non-routable ranges although they are wider than /32; typed out, only by width', () => {
      expect(problems({ TRUST_PROXY: 'loopback, linklocal, uniquelocal' })).toEqual([]);
      expect(problems({ TRUST_PROXY: 'fc00::/7' }).join('\n')).toMatch(/fc00::\/7 spans too many/);
    });

    it('accepts a /8 and a /32, the widest subnets allowed', () => {
      expect(problems({ TRUST_PROXY: '10.0.0.0/8, 2001:db8::/32, 10.0.0.0/255.0.0.0' })).toEqual([]);
    });
  });

  describe('TLS', () => {
    it('reads the certificate and key files', () => {
      const cert = join(directory, 'cert.pem');
      const key = join(directory, 'key.pem');
      writeFileSync(cert, 'CERT');
      writeFileSync(key, 'KEY');
      const settings = load(production({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key }));
      expect(settings.tls?.cert.toString()).toBe('CERT');
      expect(settings.tls?.key.toString()).toBe('KEY');
    });

    it.each([
      ['one file without the other', { TLS_CERT_FILE: '/dev/null' }, /TLS_CERT_FILE and TLS_KEY_FILE go together/],
      ['an unreadable file', { TLS_CERT_FILE: '/nonexistent', TLS_KEY_FILE: '/dev/null' }, /TLS_CERT_FILE points at/],
    ])('refuses %s', (_case, env, message) => {
      expect(problems(production(env)).join('\n')).toMatch(message);
    });
  });
});
