import { createTestApp } from './helpers/test-app';

/** Every route of the HTTP contract (docs/API.md), as OpenAPI spells its paths. */
const CONTRACT = {
  '/api/auth/register': ['post'],
  '/api/auth/login': ['post'],
  '/api/users/me': ['get'],
  '/api/auth/principal': ['get'],
  '/api/health': ['get'],
  '/.well-known/jwks.json': ['get'],
  '/.well-known/openid-configuration': ['get'],
  '/api/auth/refresh': ['post'],
  '/api/auth/logout': ['post'],
  '/api/auth/logout-all': ['post'],
  '/api/auth/sessions': ['get'],
  '/api/auth/sessions/{id}': ['delete'],
  '/api/auth/csrf': ['get'],
  '/api/users/me/password': ['post'],
  '/api/admin/audit': ['get'],
  '/api/admin/alerts': ['get'],
  '/api/admin/users/{id}/revoke-sessions': ['post'],
  '/api/auth/verify-email': ['post'],
  '/api/auth/password-reset': ['post'],
  '/api/auth/password-reset/confirm': ['post'],
  '/api/users/me/email': ['post'],
  '/api/auth/email-change/confirm': ['post'],
  '/api/auth/email-change/undo': ['post'],
  '/api/dev/outbox': ['get'],
  '/api/admin/users/{id}/disable': ['post'],
  '/api/admin/users/{id}/enable': ['post'],
  '/api/admin/sessions/revoke-all': ['post'],
  '/api/auth/resource-token': ['post'],
};

describe('OpenAPI document', () => {
  it('describes every route of the contract, publicly, and keeps the UI out of non-development builds', async () => {
    const t = await createTestApp();
    try {
      const response = await t.http().get('/api/openapi.json').expect(200);
      const paths = response.body.paths as Record<string, Record<string, unknown>>;
      for (const [path, methods] of Object.entries(CONTRACT)) {
        expect(Object.keys(paths[path] ?? {})).toEqual(expect.arrayContaining(methods));
      }
      expect(Object.keys(response.body.components.securitySchemes).sort()).toEqual(['bearer', 'cookie', 'dpop']);
      await t.http().get('/api/docs').expect(404);
    } finally {
      await t.close();
    }
  });

  it('serves the interactive page in development, relaxing the CSP for that page only', async () => {
    const t = await createTestApp({ env: { NODE_ENV: 'development' } });
    try {
      const docs = await t.http().get('/api/docs').expect(200);
      expect(docs.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
      const api = await t.http().get('/api/health').expect(200);
      expect(api.headers['content-security-policy']).toContain("style-src 'self';");
    } finally {
      await t.close();
    }
  });
});
