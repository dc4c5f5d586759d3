import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { bodyOf } from './helpers/api';
import { createTestApp, TestApp } from './helpers/test-app';

const CONTRACT_FILE = 'docs/API.md';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Route {
  /** `GET /api/auth/sessions/{id}`: OpenAPI's spelling of the path. */
  route: string;
  isPublic: boolean;
}

/**
 * The route tables of docs/API.md: every row whose first cell is `METHOD /path` and whose second is the
 * access column (`public`, `user`, `user, external`, `admin`). A query string is dropped and `:id` becomes
 * `{id}`, as OpenAPI writes paths.
 */
function documentedRoutes(markdown: string): Route[] {
  const row = /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s+(\/[^\s|]*)\s*\|\s*([^|]*?)\s*\|/;
  return markdown.split('\n').flatMap((line) => {
    const match = row.exec(line);
    if (!match) return [];
    const [, method, path, access] = match;
    const openApiPath = path.replace(/\?.*$/, '').replace(/:(\w+)/g, '{$1}');
    return [{ route: `${method} ${openApiPath}`, isPublic: access === 'public' }];
  });
}

/** Every operation of the generated document; public when it overrides the global requirement with `[]`. */
function servedRoutes(document: OpenAPIObject): Route[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      if (!operation) return [];
      return [{ route: `${method.toUpperCase()} ${path}`, isPublic: operation.security?.length === 0 }];
    }),
  );
}

describe(`the HTTP contract (${CONTRACT_FILE}) and the generated OpenAPI document`, () => {
  let t: TestApp;
  let documented: Route[];
  let served: Route[];

  beforeAll(async () => {
    t = await createTestApp();
    documented = documentedRoutes(readFileSync(join(__dirname, '..', CONTRACT_FILE), 'utf8'));
    served = servedRoutes(bodyOf<OpenAPIObject>(await t.http().get('/api/openapi.json').expect(200)));
  });
  afterAll(() => t.close());

  it('reads a plausible number of routes from both', () => {
    // Guards the parsers: a table format change must not turn this into a comparison of two empty lists.
    expect(documented.length).toBeGreaterThan(15);
    expect(served.length).toBeGreaterThan(15);
  });

  it('lists each route once', () => {
    const routes = documented.map(({ route }) => route);
    const twice = routes.filter((route, index) => routes.indexOf(route) !== index);
    expect(twice.map((route) => `${route} is listed more than once in ${CONTRACT_FILE}: keep one row`)).toEqual([]);
  });

  it('documents every route the application serves', () => {
    const documentedSet = new Set(documented.map(({ route }) => route));
    const undocumented = served.filter(({ route }) => !documentedSet.has(route));
    expect(
      undocumented.map(
        ({ route }) => `${route} is served (see GET /api/openapi.json) but missing: add it to ${CONTRACT_FILE}`,
      ),
    ).toEqual([]);
  });

  it('serves every route it documents', () => {
    const servedSet = new Set(served.map(({ route }) => route));
    const unserved = documented.filter(({ route }) => !servedSet.has(route));
    expect(
      unserved.map(
        ({ route }) =>
          `${route} is in ${CONTRACT_FILE} but the application does not serve it: remove it from ${CONTRACT_FILE} (or fix the controller)`,
      ),
    ).toEqual([]);
  });

  it('agrees on which routes are public, and the OpenAPI document marks exactly those as needing no token', () => {
    const servedPublic = new Map(served.map(({ route, isPublic }) => [route, isPublic]));
    const disagreements = documented
      .filter(({ route, isPublic }) => servedPublic.has(route) && servedPublic.get(route) !== isPublic)
      .map(({ route, isPublic }) =>
        isPublic
          ? `${route} is public in ${CONTRACT_FILE} but requires a token in the code (no @Public()): fix the access column in ${CONTRACT_FILE}`
          : `${route} requires a token in ${CONTRACT_FILE} but is @Public() in the code: mark it public in ${CONTRACT_FILE}`,
      );
    expect(disagreements).toEqual([]);
    expect(served.filter(({ isPublic }) => isPublic).map(({ route }) => route)).toEqual(
      expect.arrayContaining([
        'GET /.well-known/jwks.json',
        'GET /.well-known/openid-configuration',
        'POST /api/auth/login',
      ]),
    );
  });
});
