import type { OpenAPIObject } from '@nestjs/swagger';
import { bodyOf } from './helpers/api';
import { createTestApp } from './helpers/test-app';

describe('OpenAPI document', () => {
  // The route list itself is compared with docs/API.md in test/api-contract.e2e-spec.ts.
  it('is served publicly, requires a token by default, and keeps the UI out of non-development builds', async () => {
    const t = await createTestApp();
    try {
      const document = bodyOf<OpenAPIObject>(await t.http().get('/api/openapi.json').expect(200));
      const schemes = document.components!.securitySchemes!;
      expect(Object.keys(schemes).sort()).toEqual(['bearer', 'cookie', 'dpop']);
      // Deny by default: the document requires one of the declared schemes unless an operation says otherwise.
      const required = document.security!.flatMap((entry) => Object.keys(entry));
      expect(required).toEqual(expect.arrayContaining(['bearer', 'cookie']));
      expect(Object.keys(schemes)).toEqual(expect.arrayContaining(required));
      // A route without @Public() inherits that requirement; the public ones override it with none.
      expect(document.paths['/api/users/me'].get!.security).toBeUndefined();
      expect(document.paths['/.well-known/jwks.json'].get!.security).toEqual([]);
      expect(JSON.stringify(document)).not.toContain('x-warden-public');
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
