// `npm run bench`: what Warden's security costs, measured side by side in one run. It prints a table and
// writes the figures as JSON (var/bench/). It asserts nothing: speed is never a test assertion, and CI does
// not run it. Servers run as child processes (bench/server.mjs); the load comes from autocannon in this
// process (and a second process for login floods), over keep-alive connections. Runs alternate between
// the things compared, so drift on a shared machine lands on both sides.
//
//   BENCH_DURATION=5   seconds per measured run        BENCH_ROUNDS=3   alternating rounds per comparison
//   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test   (BENCH_POSTGRES=off skips PostgreSQL)
//   BENCH_ONLY=guard,refresh,logins,start   run only these parts
//   BENCH_BEFORE_DIST=/path/to/other/checkout/dist   also measures that build (guard, refresh on SQLite)
//     in the same alternating rounds: a before/after comparison on the same machine at the same time.
import autocannon from 'autocannon';
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const USER_AGENT = 'warden-bench/1.0';
const createdSchemas = [];
const ONLY = new Set((process.env.BENCH_ONLY ?? 'guard,refresh,logins,start').split(','));
// Random: a fixed phrase would have to dodge the password screening's blocklist and context words (the email's parts).
const PASSWORD = randomBytes(18).toString('base64url');

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  const started = new Date();
  const results = { date: started.toISOString(), machine: machine(), settings: { DURATION, ROUNDS } };
  const children = [];
  try {
    const sqlite = await startServer(env({ DATABASE_URL: `sqlite:${join(scratch, 'warden.sqlite')}` }), children);
    const beforeDist = process.env.BENCH_BEFORE_DIST;
    const before = beforeDist
      ? await startServer(
          env({ DATABASE_URL: `sqlite:${join(scratch, 'before.sqlite')}`, BENCH_DIST: beforeDist }),
          children,
        )
      : undefined;
    results.before = beforeDist;
    results.rssIdleMb = rssMb(sqlite.child.pid);
    if (ONLY.has('guard')) results.guard = await benchGuard(sqlite, before);
    if (ONLY.has('refresh')) {
      results.refresh = await benchRefresh({ sqlite, postgres: await maybePostgres(children), sqliteBefore: before });
    }
    if (ONLY.has('logins')) {
      results.healthDuringLogins = [];
      for (const logins of [50, 500]) results.healthDuringLogins.push(await benchHealthDuringLogins(sqlite, logins));
    }
    results.rssAfterLoadMb = rssMb(sqlite.child.pid);
    if (ONLY.has('start')) results.coldStart = await benchColdStart(scratch);
  } finally {
    for (const child of children) await stop(child);
    await dropPostgresSchemas();
    rmSync(scratch, { recursive: true, force: true });
  }
  mkdirSync(join(here, '..', 'var', 'bench'), { recursive: true });
  const file = join(here, '..', 'var', 'bench', `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
  console.log(`\nJSON: ${file}`);
}

/** The environment every bench server gets: fresh secrets, logs at warn, the request limit lifted. */
function env(extra) {
  const secret = () => randomBytes(32).toString('base64url');
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    FINGERPRINT_SECRET: secret(),
    KEY_ENCRYPTION_KEY: secret(),
    CSRF_SECRET: secret(),
    // Every request comes from 127.0.0.1: the limiter still counts each one (O(1)), it just never says no.
    RATE_LIMIT_MAX: '1000000',
    // Login floods use a fresh unknown email per request from one address: only the address-wide scope
    // would apply, and at the default it blocks the bench after 50 failures.
    LOGIN_MAX_FAILURES_PER_IP: '10000',
    // Bench accounts log in straight after registering (no mailbox to confirm from), all from one address.
    UNVERIFIED_LOGIN: 'allow',
    ACCOUNT_MAIL_MAX_PER_CLIENT: '1000000',
    ...extra,
  };
}

async function startServer(environment, children) {
  const child = fork(join(here, 'server.mjs'), { env: environment, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  const { port, baselineToken } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, base: `http://127.0.0.1:${port}`, baselineToken };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send('stop');
  else child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
}

async function post(base, path, body, headers = {}) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function bearerSessions(server, count) {
  const email = `bench-${randomBytes(6).toString('hex')}@example.test`;
  await post(server.base, '/api/auth/register', { email, password: PASSWORD });
  const sessions = [];
  for (let i = 0; i < count; i++) {
    sessions.push(await post(server.base, '/api/auth/login', { email, password: PASSWORD, transport: 'bearer' }));
  }
  return sessions;
}

function run(options) {
  return autocannon({ connections: 10, duration: DURATION, ...options });
}

/** The server's CPU time (user + system, µs) so far. */
function serverCpu(server) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (!message?.cpu) return;
      server.child.off('message', onMessage);
      resolve(message.cpu.user + message.cpu.system);
    };
    server.child.on('message', onMessage);
    server.child.send('cpu');
  });
}

/** A run against one server, with the server CPU it cost per answered request. */
async function measured(server, options) {
  const before = await serverCpu(server);
  const result = await run(options);
  const cpu = (await serverCpu(server)) - before;
  return { ...summary(result), cpuMicrosPerRequest: Math.round(cpu / Math.max(1, result.requests.total)) };
}

function summary(result) {
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** (a) The same answer with no guard, Warden's guard, and the docs' HS256 guard; rounds rotate the order. */
async function benchGuard(server, before) {
  const [session] = await bearerSessions(server, 1);
  const bearer = { 'user-agent': USER_AGENT, authorization: `Bearer ${session.accessToken}` };
  const beforeRoutes = {};
  if (before) {
    const [old] = await bearerSessions(before, 1);
    const oldBearer = { 'user-agent': USER_AGENT, authorization: `Bearer ${old.accessToken}` };
    beforeRoutes.guardedBefore = { server: before, url: `${before.base}/api/bench/guarded`, headers: oldBearer };
    beforeRoutes.usersMeBefore = { server: before, url: `${before.base}/api/users/me`, headers: oldBearer };
  }
  const routes = {
    ...beforeRoutes,
    unguarded: { server, url: `${server.base}/api/bench/unguarded`, headers: { 'user-agent': USER_AGENT } },
    guarded: { server, url: `${server.base}/api/bench/guarded`, headers: bearer },
    baseline: {
      server,
      url: `${server.base}/api/bench/baseline`,
      headers: { 'user-agent': USER_AGENT, authorization: `Bearer ${server.baselineToken}` },
    },
    usersMe: { server, url: `${server.base}/api/users/me`, headers: bearer },
  };
  const names = Object.keys(routes);
  // Warm-up: JIT, connection pools, the verified-token cache's first (full) verification.
  const request = ({ server: _server, ...options }) => options;
  for (const name of names) await run({ ...request(routes[name]), duration: 1 });
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const figures = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      figures[name] = await measured(routes[name].server, request(routes[name]));
    }
    rounds.push(figures);
  }
  const perRoute = Object.fromEntries(
    names.map((name) => [
      name,
      {
        requestsPerSecond: median(rounds.map((r) => r[name].requestsPerSecond)),
        p50Ms: median(rounds.map((r) => r[name].p50Ms)),
        p99Ms: median(rounds.map((r) => r[name].p99Ms)),
        non2xx: rounds.reduce((sum, r) => sum + r[name].non2xx, 0),
        cpuMicrosPerRequest: median(rounds.map((r) => r[name].cpuMicrosPerRequest)),
      },
    ]),
  );
  // Throughput ratio per round (both sides saw the same machine within seconds), then the median; and the
  // same comparison from server CPU per request, which contention on a shared machine barely moves.
  const cpuRatio = (a, b) =>
    Number(median(rounds.map((r) => r[b].cpuMicrosPerRequest / r[a].cpuMicrosPerRequest)).toFixed(2));
  const ratio = (a, b) => Number(median(rounds.map((r) => r[a].requestsPerSecond / r[b].requestsPerSecond)).toFixed(2));
  return {
    routes: perRoute,
    guardedVsUnguarded: ratio('guarded', 'unguarded'),
    guardedVsBaseline: ratio('guarded', 'baseline'),
    byCpu: {
      guardedVsUnguarded: cpuRatio('guarded', 'unguarded'),
      guardedVsBaseline: cpuRatio('guarded', 'baseline'),
      ...(before && { guardedVsBefore: cpuRatio('guarded', 'guardedBefore') }),
    },
    ...(before && {
      guardedVsBefore: ratio('guarded', 'guardedBefore'),
      usersMeVsBefore: ratio('usersMe', 'usersMeBefore'),
    }),
    rounds,
  };
}

/** (b) Refresh rotations: 8 sessions, each connection spending its session's latest refresh token. */
async function benchRefresh(candidates) {
  const servers = Object.fromEntries(Object.entries(candidates).filter(([, server]) => server));
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const figures = {};
    const order = Object.keys(servers);
    if (round % 2) order.reverse();
    for (const name of order) figures[name] = await refreshRun(servers[name]);
    rounds.push(figures);
  }
  return Object.fromEntries(
    Object.keys(servers).map((name) => [
      name,
      {
        rotationsPerSecond: median(rounds.map((r) => r[name].requestsPerSecond)),
        p50Ms: median(rounds.map((r) => r[name].p50Ms)),
        p99Ms: median(rounds.map((r) => r[name].p99Ms)),
        non2xx: rounds.reduce((sum, r) => sum + r[name].non2xx, 0),
        cpuMicrosPerRequest: median(rounds.map((r) => r[name].cpuMicrosPerRequest)),
        rounds: rounds.map((r) => r[name]),
      },
    ]),
  );
}

async function refreshRun(server) {
  const pool = (await bearerSessions(server, 8)).map((session) => session.refreshToken);
  return measured(server, {
    url: `${server.base}/api/auth/refresh`,
    method: 'POST',
    connections: 8,
    headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
    setupClient(client) {
      let chunks = [];
      const spend = (refreshToken) => client.setBody(JSON.stringify({ transport: 'bearer', refreshToken }));
      spend(pool.pop());
      client.on('body', (chunk) => chunks.push(chunk));
      // Emitted before the client sends its next request: that request carries the new token.
      client.on('response', (status) => {
        if (status === 200) spend(JSON.parse(Buffer.concat(chunks).toString()).refreshToken);
        chunks = [];
      });
    },
  });
}

async function maybePostgres(children) {
  if (process.env.BENCH_POSTGRES === 'off') return undefined;
  const schema = `warden_bench_${randomBytes(6).toString('hex')}`;
  try {
    await withPostgres((client) => client.query(`CREATE SCHEMA ${schema}`));
  } catch (error) {
    console.error(`PostgreSQL skipped (${POSTGRES_URL}): ${error.message}`);
    return undefined;
  }
  createdSchemas.push(schema);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return startServer(env({ DATABASE_URL: url.toString() }), children);
}

async function withPostgres(work) {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
async function dropPostgresSchemas() {
  for (const schema of createdSchemas) await withPostgres((client) => client.query(`DROP SCHEMA ${schema} CASCADE`));
}

/**
 * (c) /api/health, one connection, while `logins` connections post logins (a fresh unknown email each, so
 * every one costs a full password hash) from a second process.
 */
async function benchHealthDuringLogins(server, logins) {
  const flooder = fork(fileURLToPath(import.meta.url), ['--flood', JSON.stringify({ base: server.base, logins })]);
  const flooded = new Promise((resolve) => flooder.once('message', resolve));
  await sleep(500); // let the flood reach full pressure first
  const health = await run({ url: `${server.base}/api/health`, connections: 1, duration: DURATION - 1 });
  const loginResult = await flooded;
  await new Promise((resolve) => flooder.once('exit', resolve));
  return { logins, health: summary(health), loginFlood: loginResult };
}

async function flood({ base, logins }) {
  let n = 0;
  const statuses = {};
  const result = await autocannon({
    url: `${base}/api/auth/login`,
    method: 'POST',
    connections: logins,
    duration: DURATION,
    headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
    setupClient(client) {
      client.on('response', (status) => (statuses[status] = (statuses[status] ?? 0) + 1));
    },
    requests: [
      {
        setupRequest(request) {
          n += 1;
          return {
            ...request,
            body: JSON.stringify({ email: `flood-${process.pid}-${n}@example.test`, password: 'x'.repeat(12) }),
          };
        },
      },
    ],
  });
  process.send({ ...summary(result), statuses });
  process.disconnect();
}

/** (d) `node dist/main.js` on a fresh SQLite file: spawn to first 200 on /api/health, and its idle RSS. */
async function benchColdStart(scratch) {
  const runs = [];
  for (let i = 0; i < ROUNDS; i++) {
    const port = await freePort();
    const environment = env({ PORT: String(port), DATABASE_URL: `sqlite:${join(scratch, `cold-${i}.sqlite`)}` });
    const start = performance.now();
    const child = spawn(process.execPath, [join(here, '..', 'dist', 'main.js')], {
      env: environment,
      stdio: 'inherit',
    });
    try {
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (child.exitCode !== null) throw new Error(`dist/main.js exited with ${child.exitCode}`);
        await sleep(5);
      }
      const firstAnswerMs = Math.round(performance.now() - start);
      await sleep(2000);
      runs.push({ firstAnswerMs, rssIdleMb: rssMb(child.pid) });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  return {
    firstAnswerMs: median(runs.map((r) => r.firstAnswerMs)),
    rssIdleMb: median(runs.map((r) => r.rssIdleMb)),
    runs,
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024);
}

function machine() {
  return {
    cpu: cpus()[0]?.model,
    cores: availableParallelism(),
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}

function printTable(r) {
  const rows = [];
  const row = (...cells) => rows.push(`| ${cells.join(' | ')} |`);
  console.log(
    `\nWarden bench, ${r.date}, ${r.machine.cpu} (${r.machine.cores} cores), node ${r.machine.node}, load ${r.machine.load}`,
  );
  console.log(`${DURATION} s per run, ${ROUNDS} alternating rounds, medians\n`);
  row('measure', 'figure', 'p50 ms', 'p99 ms', 'non-2xx', 'server CPU µs/request');
  row('---', '---', '---', '---', '---', '---');
  const names = {
    unguarded: 'GET /api/bench/unguarded (no guard)',
    guarded: 'GET /api/bench/guarded (Warden guard, ES256)',
    baseline: 'GET /api/bench/baseline (docs guard, HS256)',
    usersMe: 'GET /api/users/me (guard + DB read)',
    guardedBefore: 'GET /api/bench/guarded, before (BENCH_BEFORE_DIST)',
    usersMeBefore: 'GET /api/users/me, before (BENCH_BEFORE_DIST)',
  };
  for (const [name, label] of Object.entries(r.guard ? names : {})) {
    const f = r.guard.routes[name];
    if (!f) continue;
    row(label, `${f.requestsPerSecond} req/s`, f.p50Ms, f.p99Ms, f.non2xx, f.cpuMicrosPerRequest);
  }
  if (r.guard)
    row('guarded / unguarded', `${r.guard.guardedVsUnguarded}×`, '', '', '', `${r.guard.byCpu.guardedVsUnguarded}×`);
  if (r.guard)
    row('guarded / docs baseline', `${r.guard.guardedVsBaseline}×`, '', '', '', `${r.guard.byCpu.guardedVsBaseline}×`);
  if (r.guard && r.before) {
    row('guarded / guarded before', `${r.guard.guardedVsBefore}×`, '', '', '', `${r.guard.byCpu.guardedVsBefore}×`);
    row('users/me / users/me before', `${r.guard.usersMeVsBefore}×`, '', '', '', '');
  }
  for (const [name, f] of Object.entries(r.refresh ?? {})) {
    row(
      `POST /api/auth/refresh, ${name}, 8 sessions`,
      `${f.rotationsPerSecond} rotations/s`,
      f.p50Ms,
      f.p99Ms,
      f.non2xx,
      f.cpuMicrosPerRequest,
    );
  }
  for (const h of r.healthDuringLogins ?? []) {
    const statuses = Object.entries(h.loginFlood.statuses)
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    row(
      `GET /api/health during ${h.logins} concurrent logins`,
      `${h.health.requestsPerSecond} req/s, max ${h.health.maxMs} ms`,
      h.health.p50Ms,
      h.health.p99Ms,
      h.health.non2xx,
      '',
    );
    row(
      `  the ${h.logins} logins (${statuses})`,
      `${h.loginFlood.requestsPerSecond} req/s, max ${h.loginFlood.maxMs} ms`,
      h.loginFlood.p50Ms,
      h.loginFlood.p99Ms,
      '',
      '',
    );
  }
  if (r.coldStart) row('cold start to first answer (dist/main.js)', `${r.coldStart.firstAnswerMs} ms`, '', '', '', '');
  row(
    'RSS idle (dist/main.js) / bench server idle / after load',
    `${r.coldStart?.rssIdleMb ?? '-'} / ${r.rssIdleMb} / ${r.rssAfterLoadMb} MB`,
    '',
    '',
    '',
    '',
  );
  console.log(rows.join('\n'));
}

if (process.argv[2] === '--flood') await flood(JSON.parse(process.argv[3]));
else await main();
