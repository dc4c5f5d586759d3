import { bodyOf, type Health } from './helpers/api';
import { createTestApp } from './helpers/test-app';

describe('GET /api/health', () => {
  it('answers 200 while the database and a signing key are there, and 503 naming the check once the database is gone', async () => {
    const t = await createTestApp();
    try {
      const healthy = await t.http().get('/api/health').expect(200);
      expect(bodyOf<Health>(healthy).details).toMatchObject({
        database: { status: 'up' },
        'signing-key': { status: 'up' },
      });
      await t.dataSource.destroy();
      const down = await t.http().get('/api/health').expect(503);
      expect(down.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Unhealthy: database' });
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
