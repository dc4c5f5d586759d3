// Measures what every authenticated request pays: JWT verification, fingerprint check and the revocation
// lookup. Run after `npm run build`:  node bench/auth-hot-path.mjs
// It prints figures; it asserts nothing (speed is never a test assertion here).
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
Object.assign(process.env, {
  NODE_ENV: 'test',
  DATABASE_URL: 'sqlite::memory:',
  FINGERPRINT_SECRET: randomBytes(32).toString('base64url'),
  KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
  CSRF_SECRET: randomBytes(32).toString('base64url'),
  // Thousands of requests from one client within a minute: the default request rate limit (300 per minute)
  // would answer 429 on the first loop. The bench measures the auth path, not the limiter.
  RATE_LIMIT_MAX: '1000000',
});
const { NestFactory } = require('@nestjs/core');
const { AppModule } = require('../dist/app.module.js');
const { configureApp } = require('../dist/app.setup.js');
const { RevocationStore } = require('../dist/tokens/revocation.store.js');

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
// The README's Sessions section quotes its figure for 20,000 denylisted tokens.
const DENYLIST_SIZE = Number(process.env.BENCH_DENYLIST ?? 20_000);

const app = configureApp(await NestFactory.create(AppModule, { bodyParser: false, logger: false }));
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address();
const agentHeaders = { 'User-Agent': 'warden-bench', 'Content-Type': 'application/json' };

function call(method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...agentHeaders, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function latencies(label, path, headers) {
  const times = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    const { status } = await call('GET', path, headers);
    times.push(performance.now() - start);
    if (status !== 200) throw new Error(`${label}: ${status}`);
  }
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(3);
  const mean = (times.reduce((a, b) => a + b, 0) / times.length).toFixed(3);
  console.log(`${label.padEnd(52)} mean ${mean} ms  p50 ${pct(50)} ms  p99 ${pct(99)} ms  (${REQUESTS} sequential)`);
  return Number(mean);
}

const email = `bench-${randomUUID()}@example.test`;
await call('POST', '/api/auth/register', {}, { email, password: 'bench-password-long-enough' });
const login = JSON.parse(
  (await call('POST', '/api/auth/login', {}, { email, password: 'bench-password-long-enough', transport: 'bearer' }))
    .body,
);
const auth = { Authorization: `Bearer ${login.accessToken}` };

// Warm up the JIT and the connection path.
for (let i = 0; i < 200; i++) await call('GET', '/api/users/me', auth);

console.log(`Warden auth hot path, node ${process.version}, ${REQUESTS} requests each`);
const publicMean = await latencies('GET /api/health (public, no token)', '/api/health');
const authedMean = await latencies('GET /api/users/me (ES256 token, guard + DB read)', '/api/users/me', auth);
console.log(`${'=> authenticated request overhead'.padEnd(52)} ~${(authedMean - publicMean).toFixed(3)} ms`);

const store = app.get(RevocationStore);
const expiresAt = new Date(Date.now() + 3_600_000);
for (let i = 0; i < DENYLIST_SIZE; i++) await store.revokeToken(randomUUID(), expiresAt);
const probe = { jti: randomUUID(), sid: randomUUID(), sub: randomUUID(), iat: Math.floor(Date.now() / 1000) };
const checks = 1_000_000;
const start = performance.now();
for (let i = 0; i < checks; i++) await store.check(probe);
const perCheck = ((performance.now() - start) * 1e6) / checks;
console.log(
  `${`RevocationStore.check with ${DENYLIST_SIZE} denylisted jti`.padEnd(52)} ${perCheck.toFixed(0)} ns per check`,
);
await latencies(`GET /api/users/me with ${DENYLIST_SIZE} denylisted jti`, '/api/users/me', auth);

await app.close();
