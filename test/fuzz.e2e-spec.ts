import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { loginBearer, loginCookie, promoteToAdmin, registerUser, type TestUser } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * Property-based fuzzing of every route (taken from the OpenAPI document, so a new route is fuzzed without
 * being listed here): hostile bodies, queries, path parameters and headers, anonymous or as a real user,
 * admin or browser session. The property: never a 5xx, every answer in the one error shape, and the
 * server still healthy afterwards.
 *
 * CI runs a fixed seed and a few hundred requests. A longer hunt: `FUZZ_RUNS=20000 FUZZ_SEED=$RANDOM npx
 * jest test/fuzz.e2e-spec.ts` (a failure prints the seed and path that replay it, and the shrunk request).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_130);
/** Long runs may take a while; the CI run stays well under a minute. */
const TIMEOUT_MS = Math.max(60_000, RUNS * 200);

interface Route {
  method: string;
  /** With `{name}` placeholders for path parameters. */
  path: string;
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  auth: 'none' | 'bearer' | 'cookie' | 'admin';
}

interface FuzzResponse {
  status: number;
  body: string;
}

// --- arbitraries ------------------------------------------------------------------------------------

/** Strings that have broken parsers, validators and databases before, plus arbitrary Unicode. */
const nasty = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\u202e',
  '\u200b',
  '\ufeff',
  '\ud800',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '%00',
  '%',
  '%E0%A4%A',
  '../../etc/passwd',
  "' OR 1=1 --",
  '{"$gt":""}',
  '[]',
  '{}',
  'null',
  'NaN',
  '-1',
  '1e309',
  '9007199254740993',
  'true',
  'a'.repeat(5000),
  '2026-02-31',
  '2026-01-01T00:00:00Z',
  '00000000-0000-0000-0000-000000000000',
  '::ffff:127.0.0.1',
  'bearer',
  'cookie',
);
const text = fc.oneof(
  nasty,
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary' }),
);

/** What a header value may hold on the wire (Node's client refuses the rest: CR, LF, other controls). */
const headerText = fc
  .oneof(nasty, fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'binary', maxLength: 30 }))
  .map((value) => value.replace(/[^\t\x20-\x7e]/g, (character) => `\\u${character.charCodeAt(0).toString(16)}`));

const base64url = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64url'));
const jwtLike = fc
  .tuple(
    fc.oneof(
      base64url,
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url')),
    ),
    base64url,
    base64url,
  )
  .map((parts) => parts.join('.'));
const tokenLike = fc.oneof(jwtLike, base64url, headerText);

/** Deep nesting, the review's 500: arrays or objects, at top level or inside a field. */
const deep = fc
  .tuple(fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 3000, max: 7500 })), fc.boolean(), fc.boolean())
  .map(([depth, arrays, inField]) => {
    const nested = arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    return inField ? `{"email":${nested}}` : nested;
  });

/** The fields Warden's DTOs declare, with any JSON value; plus anything else. */
const fieldNames = [
  'email',
  'password',
  'transport',
  'refreshToken',
  'currentPassword',
  'newPassword',
  'attack',
  'roles',
  '__proto__',
  'constructor',
];
const anyValue = fc.oneof(text, fc.jsonValue({ maxDepth: 4 }), tokenLike);
const dtoLike = fc.dictionary(fc.oneof(fc.constantFrom(...fieldNames), fc.string()), anyValue, { maxKeys: 8 });

const body: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  { arbitrary: dtoLike.map((value) => JSON.stringify(value)), weight: 3 },
  fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value)),
  { arbitrary: deep, weight: 3 },
  text,
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=nope',
  'application/merge-patch+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
);

const query = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom('limit', 'cursor', 'since', 'until', 'type', 'ip', 'userId', 'a[b][c]', 'limit[]'), text),
    text,
  ),
  { maxLength: 5 },
);

/** Cookie values a browser could never hold, under the names Warden reads. */
const cookies = fc.array(
  fc.tuple(fc.constantFrom('__Host-access', '__Host-fgp', '__Secure-refresh', 'other', '__proto__'), tokenLike),
  { maxLength: 4 },
);

const headers = fc.record(
  {
    authorization: fc.oneof(
      tokenLike.map((token) => `Bearer ${token}`),
      fc.tuple(fc.constantFrom('Bearer', 'bearer', 'Basic', 'JWT', ''), headerText).map(([s, v]) => `${s} ${v}`),
      fc.array(
        tokenLike.map((token) => `Bearer ${token}`),
        { minLength: 2, maxLength: 3 },
      ),
    ),
    'x-csrf-token': headerText,
    // Mostly absent: a foreign Origin stops a request at the CSRF guard, before the pipes.
    origin: fc.oneof(
      { arbitrary: fc.constant(null), weight: 3 },
      fc.oneof(headerText, fc.constantFrom('null', 'https://evil.example', 'http://127.0.0.1')),
    ),
    'user-agent': headerText,
    'x-request-id': headerText,
    'x-forwarded-for': headerText,
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', '*'),
    accept: fc.constantFrom('*/*', 'text/html', 'application/xml'),
  },
  { requiredKeys: [] },
);

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, where encodeURIComponent throws). */
function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

function fill(path: string, parameter: string): string {
  return path.replace(/\{[^}]+\}/g, percentEncode(parameter));
}

function requestFor(routes: Route[]): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      route: fc.constantFrom(...routes),
      otherMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), {
        freq: 5,
      }),
      parameter: fc.oneof(text, fc.uuid()),
      query,
      body,
      contentType,
      headers,
      cookies,
      auth: fc.constantFrom('none', 'bearer', 'cookie', 'admin'),
    })
    .map(({ route, otherMethod, parameter, query, body, contentType, headers, cookies, auth }) => {
      const search = new URLSearchParams(query).toString();
      const all: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(headers)) if (value != null) all[name] = value;
      if (body !== undefined && contentType !== '') all['content-type'] = contentType;
      if (cookies.length > 0) all.cookie = cookies.map(([name, value]) => `${name}=${value}`).join('; ');
      return {
        method: otherMethod ?? route.method,
        path: fill(route.path, parameter) + (search ? `?${search}` : ''),
        headers: all,
        body: body === undefined ? undefined : Buffer.from(body),
        auth,
      } satisfies FuzzRequest;
    });
}

// --- the test ----------------------------------------------------------------------------------------

describe('fuzzing every route', () => {
  let t: TestApp;
  let routes: Route[];
  let user: TestUser;
  let admin: TestUser;
  /** Real credentials, renewed when a fuzzed request ended them (logout, revocation, password change). */
  const credentials: Partial<Record<FuzzRequest['auth'], Record<string, string>>> = {};

  beforeAll(async () => {
    t = await createTestApp({ env: { LAB_ENABLED: 'true' } });
    const document = (await t.http().get('/api/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })),
    );
    // Beyond the API: the client, the fallback and paths no route matches.
    routes.push(
      { method: 'GET', path: '/' },
      { method: 'GET', path: '/{file}' },
      { method: 'POST', path: '/' },
      { method: 'GET', path: '/.well-known/{file}' },
      { method: 'GET', path: '/api/{unknown}' },
    );
    user = await registerUser(t);
    admin = await registerUser(t);
    await promoteToAdmin(t, admin);
  });
  afterAll(() => t.close());

  async function credentialsFor(auth: FuzzRequest['auth']): Promise<Record<string, string>> {
    if (auth === 'none') return {};
    const known = credentials[auth];
    if (
      known &&
      (await t
        .http()
        .get('/api/users/me')
        .set(known)
        .then((r) => r.status)) === 200
    )
      return known;
    const fresh =
      auth === 'cookie'
        ? (await loginCookie(t, user)).headers
        : (await loginBearer(t, auth === 'admin' ? admin : user)).headers;
    credentials[auth] = fresh;
    return fresh;
  }

  /** Raw node:http, so odd methods, duplicate headers and any bytes reach the server as written. */
  function send(request: FuzzRequest, auth: Record<string, string>): Promise<FuzzResponse> {
    const headers = { ...request.headers };
    // Node's client frames no body of a GET, HEAD or DELETE by itself: its bytes would read as a next request.
    if (request.body) headers['content-length'] = String(request.body.length);
    // The session's own headers win where the session needs them; the fuzzed ones stay otherwise.
    for (const [name, value] of Object.entries(auth)) {
      const key = name.toLowerCase();
      headers[key] = key === 'cookie' && headers.cookie ? `${value}; ${headers.cookie as string}` : value;
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: t.port, method: request.method, path: request.path, headers, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(request.body);
    });
  }

  it(
    'answers hostile bodies, queries, parameters and headers on every route without a 5xx',
    async () => {
      expect(routes.length).toBeGreaterThan(15);
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(requestFor(routes), async (request) => {
          const response = await send(request, await credentialsFor(request.auth));
          seen.add(`${response.status}`);
          expect(response.status).toBeGreaterThanOrEqual(200);
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400 && request.method !== 'HEAD') {
            expect(JSON.parse(response.body)).toEqual({
              statusCode: response.status,
              error: expect.any(String),
              message: expect.anything(),
            });
          }
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: false },
      );
      // The generators reach past the guards and pipes, not only the first 401.
      expect([...seen]).toEqual(expect.arrayContaining(['200', '400', '401', '404']));
      await t.http().get('/api/health').expect(200);
    },
    TIMEOUT_MS,
  );
});
