import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { freshPostgresSchema } from '../helpers/postgres';
import { freePort, PrivateRedis } from '../helpers/redis';
import { startSmtpReceiver } from '../helpers/smtp-receiver';

const ROOT = resolve(__dirname, '..', '..');
/** The example users copy; the test changes only the literals listed in nginxConfig(). */
export const NGINX_EXAMPLE = join(ROOT, 'examples', 'deploy', 'nginx.conf');
export const USER_AGENT = 'WardenCluster/1.0 (jest)';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** The client address (any 127.0.0.0/8 address reaches loopback). */
  from?: string;
}

/** Something that answers HTTP: nginx (HTTPS) or one Warden instance (plain HTTP on loopback). */
export class Endpoint {
  private readonly agents = new Map<string, HttpAgent>();

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly ca?: Buffer,
  ) {}

  call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    const from = options.from ?? '127.0.0.1';
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const send = this.ca ? httpsRequest : httpRequest;
    return new Promise((resolvePromise, reject) => {
      const request = send(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          method,
          localAddress: from,
          agent: this.agent(from),
          ...(this.ca && { ca: this.ca, servername: 'localhost' }),
          headers: {
            'User-Agent': USER_AGENT,
            ...(payload !== undefined && { 'Content-Type': 'application/json' }),
            ...options.headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON
            }
            resolvePromise({ status: response.statusCode ?? 0, headers: response.headers, body });
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
  }

  /** One keep-alive pool per client address, so measurements are not dominated by TCP/TLS handshakes. */
  private agent(from: string): HttpAgent {
    let agent = this.agents.get(from);
    if (!agent) {
      agent = this.ca
        ? new HttpsAgent({ keepAlive: true, maxSockets: 64, localAddress: from })
        : new HttpAgent({ keepAlive: true, maxSockets: 64, localAddress: from });
      this.agents.set(from, agent);
    }
    return agent;
  }
}

/** One Warden process (`node dist/main.js`), logging to a file in the cluster's directory. */
export class Instance extends Endpoint {
  child?: ChildProcess;

  constructor(
    name: string,
    port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {
    super(name, port);
  }

  async start(): Promise<void> {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
      cwd: ROOT,
      env: { ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.child = child;
    await waitFor(`${this.name} to answer /api/health`, 60_000, async () => {
      if (child.exitCode !== null) throw new Error(`${this.name} exited: ${tail(this.logFile)}`);
      return (await this.call('GET', '/api/health').catch(() => ({ status: 0 }))).status === 200;
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return stopChild(this.child, signal);
  }
}

/** Sends `signal`, and SIGKILL if the process is still there after 10 s. */
async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** nginx running the example config as a foreground child, with its prefix, pid and logs in `dir`. */
class Nginx {
  child?: ChildProcess;

  constructor(private readonly dir: string) {}

  async start(config: string, port: number): Promise<void> {
    const main = join(this.dir, 'nginx-main.conf');
    // The wrapper is what /etc/nginx/nginx.conf is on a Debian host: it includes the example inside http {}.
    writeFileSync(
      main,
      [
        `pid ${join(this.dir, 'nginx.pid')};`,
        `error_log ${join(this.dir, 'nginx-error.log')} warn;`,
        'worker_processes 1;',
        'daemon off;',
        'events { worker_connections 512; }',
        'http {',
        `  access_log ${join(this.dir, 'nginx-access.log')};`,
        `  include ${config};`,
        '}',
      ].join('\n'),
    );
    const binary = process.env.NGINX_BINARY ?? '/usr/sbin/nginx';
    execFileSync(binary, ['-t', '-q', '-p', this.dir, '-e', join(this.dir, 'nginx-error.log'), '-c', main]);
    this.child = spawn(binary, ['-p', this.dir, '-e', join(this.dir, 'nginx-error.log'), '-c', main], {
      stdio: 'ignore',
    });
    await waitFor('nginx to listen', 10_000, async () => {
      if (this.child?.exitCode !== null) throw new Error(`nginx exited: ${tail(join(this.dir, 'nginx-error.log'))}`);
      const probe = new Endpoint('nginx-probe', port, readFileSync(join(this.dir, 'cert.pem')));
      try {
        return (await probe.call('GET', '/.well-known/jwks.json').catch(() => ({ status: 0 }))).status !== 0;
      } finally {
        probe.close();
      }
    });
  }

  /** SIGTERM: nginx's fast shutdown (SIGQUIT would wait for idle keep-alive connections). */
  stop(): Promise<void> {
    return stopChild(this.child, 'SIGTERM');
  }
}

export interface Cluster {
  nginx: Endpoint;
  a: Instance;
  b: Instance;
  redis: PrivateRedis;
  /** Runs `node dist/cli.js <args>` with the instances' settings. */
  cli: (...args: string[]) => string;
  /** A query on the cluster's own PostgreSQL schema. */
  query: <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;
  /** The directory with every log, kept when a test fails (its path is printed). */
  dir: string;
  stop: () => Promise<void>;
}

/**
 * PostgreSQL (a fresh schema on the shared server), a private redis-server on a free port, two Warden
 * instances built from dist/, and nginx in front of them with the example config. Ports are all free
 * loopback ports; nothing outside the temp directory is written.
 */
export async function startCluster(settings: Record<string, string> = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-cluster-'));
  const schema = await freshPostgresSchema();
  const redis = await PrivateRedis.start();
  // Production needs a mail server for its account mails; this one receives them on loopback.
  const smtp = await startSmtpReceiver();
  const secret = () => randomBytes(32).toString('base64url');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    DATABASE_URL: schema.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `warden-cluster-${randomBytes(4).toString('hex')}:`,
    WARDEN_INSTANCES: '2',
    TRUST_PROXY: '127.0.0.1',
    TLS_TERMINATED_UPSTREAM: 'true',
    JWT_ISSUER: 'https://localhost',
    PUBLIC_URL: 'https://localhost',
    SMTP_URL: smtp.url,
    FINGERPRINT_SECRET: secret(),
    KEY_ENCRYPTION_KEY: secret(),
    CSRF_SECRET: secret(),
    LOG_LEVEL: 'info',
    ...settings,
  };
  const [portA, portB, httpsPort, httpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const a = new Instance('A', portA, env, join(dir, 'a.log'));
  const b = new Instance('B', portB, env, join(dir, 'b.log'));
  const proxy = new Nginx(dir);
  const pg = new Client({ connectionString: schema.url });
  const nginx = new Endpoint('nginx', httpsPort, undefined);
  // Every step runs even if an earlier one failed: no process of the test outlives it.
  const stop = async () => {
    const steps = [
      () => Promise.resolve([nginx, a, b].forEach((endpoint) => endpoint.close())),
      () => proxy.stop(),
      () => Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]),
      () => redis.kill(),
      () => smtp.close(),
      () => pg.end(),
      () => schema.drop(),
    ];
    for (const step of steps) await step().catch((error: Error) => console.error(`cluster stop: ${error.message}`));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // One after the other: the first applies the migrations on the empty schema (see README).
    await a.start();
    await b.start();
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'],
        ...['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'],
        ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      ],
      { stdio: 'ignore' },
    );
    const config = join(dir, 'warden.conf');
    writeFileSync(config, nginxConfig(readFileSync(NGINX_EXAMPLE, 'utf8'), { dir, portA, portB, httpsPort, httpPort }));
    await proxy.start(config, httpsPort);
    await pg.connect();
  } catch (error) {
    console.error(`cluster start failed; logs were in ${dir}`);
    await stop();
    throw error;
  }
  const proxied = new Endpoint('nginx', httpsPort, readFileSync(join(dir, 'cert.pem')));
  return {
    nginx: proxied,
    a,
    b,
    redis,
    dir,
    cli: (...args) =>
      execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { cwd: ROOT, env, encoding: 'utf8' }),
    query: async <T>(sql: string, params: unknown[] = []) => (await pg.query(sql, params)).rows as T[],
    stop: async () => {
      proxied.close();
      await stop();
    },
  };
}

/**
 * The example with its ports and certificate paths replaced: the only edits. Each literal must be there
 * exactly once, so an edit to the example that this misses fails the test instead of testing something else.
 */
export function nginxConfig(
  example: string,
  {
    dir,
    portA,
    portB,
    httpsPort,
    httpPort,
  }: Record<'portA' | 'portB' | 'httpsPort' | 'httpPort', number> & {
    dir: string;
  },
): string {
  const replacements: [string, string][] = [
    ['server 127.0.0.1:3001 ', `server 127.0.0.1:${portA} `],
    ['server 127.0.0.1:3002 ', `server 127.0.0.1:${portB} `],
    ['listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`],
    ['listen 80;', `listen 127.0.0.1:${httpPort};`],
    ['/etc/ssl/warden/fullchain.pem', join(dir, 'cert.pem')],
    ['/etc/ssl/warden/privkey.pem', join(dir, 'key.pem')],
  ];
  let config = example;
  for (const [from, to] of replacements) {
    const occurrences = config.split(from).length - 1;
    if (occurrences !== 1) throw new Error(`examples/deploy/nginx.conf: expected "${from}" once, found ${occurrences}`);
    config = config.replace(from, to);
  }
  return config;
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, timeoutMs: number, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 20));
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}
