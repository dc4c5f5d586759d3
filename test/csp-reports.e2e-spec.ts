import { CSP_REPORTS_PER_MINUTE } from '../src/csp-reports/csp-report.controller';
import { CSP_REPORTS_STORED_PER_HOUR } from '../src/csp-reports/csp-report.service';
import { createTestApp, TestApp } from './helpers/test-app';

const legacyReport = (blocked = 'https://evil.example/x.js?token=secret') => ({
  'csp-report': {
    'document-uri': 'http://127.0.0.1/#/profile?email=a@b.test',
    'blocked-uri': blocked,
    'effective-directive': 'script-src-elem',
    'violated-directive': 'script-src',
    disposition: 'enforce',
    'source-file': 'http://127.0.0.1/assets/index.js',
    'line-number': 12,
  },
});

const reportingApiBatch = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    type: 'csp-violation',
    age: 0,
    url: 'http://127.0.0.1/',
    body: {
      documentURL: 'http://127.0.0.1/',
      blockedURL: `inline-${i}`,
      effectiveDirective: 'style-src-attr',
      disposition: 'enforce',
    },
  }));

describe('CSP violation reports (ASVS 5.0 3.4.7)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const post = (body: unknown, type = 'application/csp-report') =>
    t.http().post('/api/csp-reports').set('Content-Type', type).send(JSON.stringify(body));

  it('asks browsers for reports in the CSP (report-uri and report-to) and names the endpoint', async () => {
    const response = await t.http().get('/api/health');
    expect(response.headers['content-security-policy']).toContain('report-uri /api/csp-reports');
    expect(response.headers['content-security-policy']).toContain('report-to csp-endpoint');
    expect(response.headers['reporting-endpoints']).toBe('csp-endpoint="/api/csp-reports"');
  });

  it('audits a report-uri report, without query strings', async () => {
    await post(legacyReport()).expect(204);
    const [event] = await t.auditEvents({ type: 'csp_violation' });
    expect(event).toMatchObject({ reason: 'script-src-elem', success: false });
    expect(event.metadata).toEqual({
      documentUrl: 'http://127.0.0.1/',
      blockedUrl: 'https://evil.example/x.js',
      directive: 'script-src-elem',
      disposition: 'enforce',
      sourceFile: 'http://127.0.0.1/assets/index.js',
      line: 12,
    });
    expect(JSON.stringify(event)).not.toContain('secret');
  });

  it('audits a Reporting API batch', async () => {
    await post(reportingApiBatch(3), 'application/reports+json').expect(204);
    expect(await t.auditEvents({ type: 'csp_violation' })).toHaveLength(3);
  });

  it.each([
    ['an empty object', {}, 'application/csp-report'],
    ['another report type', [{ type: 'deprecation', body: {} }], 'application/reports+json'],
    ['a batch larger than a browser sends', reportingApiBatch(11), 'application/reports+json'],
    ['a report in a media type not meant for reports', legacyReport(), 'text/plain'],
  ])('answers 400 to %s, storing nothing', async (_case, body, type) => {
    await post(body, type).expect(400);
    expect(await t.auditEvents({ type: 'csp_violation' })).toHaveLength(0);
  });

  it('refuses a large body with 413', async () => {
    await post(legacyReport('x'.repeat(10_000))).expect(413);
  });

  it('keeps fields short whatever is sent', async () => {
    await post(legacyReport(`https://a.example/${'y'.repeat(5000)}`)).expect(204);
    const [event] = await t.auditEvents({ type: 'csp_violation' });
    expect((event.metadata as { blockedUrl: string }).blockedUrl.length).toBeLessThanOrEqual(200);
  });

  it('rate-limits each client', async () => {
    for (let i = 0; i < CSP_REPORTS_PER_MINUTE; i++) await post(legacyReport()).expect(204);
    await post(legacyReport()).expect(429);
    // The reports' own budget: the same client's other requests are not limited by it.
    await t.http().get('/.well-known/jwks.json').expect(200);
  });

  it('stores at most the hourly cap, and records the overflow once', async () => {
    const requests = CSP_REPORTS_STORED_PER_HOUR / 10 + 2;
    for (let i = 0; i < requests; i++) await post(reportingApiBatch(10), 'application/reports+json').expect(204);
    expect(await t.auditEvents({ type: 'csp_violation' })).toHaveLength(CSP_REPORTS_STORED_PER_HOUR);
    expect(await t.auditEvents({ type: 'csp_reports_dropped' })).toHaveLength(1);
    // The next hour stores again.
    t.clock.advance(3_600_000);
    await post(legacyReport()).expect(204);
    expect(await t.auditEvents({ type: 'csp_violation' })).toHaveLength(CSP_REPORTS_STORED_PER_HOUR + 1);
  });
});
