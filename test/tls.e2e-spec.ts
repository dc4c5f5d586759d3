import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HSTS_MAX_AGE_SECONDS } from '../src/app.setup';
import { createTestApp, TestApp } from './helpers/test-app';

/** A throwaway self-signed certificate for 127.0.0.1, made in a temporary directory and deleted after. */
function selfSignedCertificate(directory: string): { cert: string; key: string } {
  const cert = join(directory, 'cert.pem');
  const key = join(directory, 'key.pem');
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'];
  args.push('-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert);
  execFileSync('openssl', args, { stdio: 'ignore' });
  return { cert, key };
}

describe('HTTPS and HSTS', () => {
  const directory = mkdtempSync(join(tmpdir(), 'warden-tls-'));
  const files = selfSignedCertificate(directory);
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  describe('with TLS_CERT_FILE and TLS_KEY_FILE', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.key, LAB_ENABLED: 'true' } });
    });
    afterAll(() => t.close());

    it('serves HTTPS with the configured certificate and sends HSTS', async () => {
      expect(t.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:/);
      const response = await t.http().get('/api/health').ca(readFileSync(files.cert)).expect(200);
      expect(response.headers['strict-transport-security']).toBe(`max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`);
    });

    it('keeps the lab off, even with LAB_ENABLED=true: its replays would speak plain HTTP to itself', async () => {
      await t.http().post('/api/auth/lab/replay').ca(readFileSync(files.cert)).send({ attack: 'alg-none' }).expect(404);
    });
  });

  it('sends HSTS behind a TLS-terminating proxy', async () => {
    const t = await createTestApp({ env: { TLS_TERMINATED_UPSTREAM: 'true', TRUST_PROXY: 'loopback' } });
    try {
      const response = await t.http().get('/api/health').expect(200);
      expect(response.headers['strict-transport-security']).toBe(`max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`);
    } finally {
      await t.close();
    }
  });

  it('sends no HSTS over plain HTTP', async () => {
    const t = await createTestApp();
    try {
      const response = await t.http().get('/api/health').expect(200);
      expect(response.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
