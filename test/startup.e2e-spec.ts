import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { capturedLogs, rememberSecrets } from './helpers/secret-leaks';

const ROOT = join(__dirname, '..');

/** Starts the real entry point (src/main.ts, compiled on the fly) and waits for it to exit. */
function startWarden(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './test/helpers/register-ts.js', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      // Everything it printed joins the suite's check that no credential reaches a log.
      for (const line of `${stdout}${stderr}`.split('\n')) if (line) capturedLogs.write(line);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('start-up failures a newcomer meets', () => {
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it('a port in use: one line naming PORT, exit code 1, and nothing claiming the server started', async () => {
    const result = await startWarden({ PORT: String(port), DATABASE_URL: 'sqlite::memory:' });
    expect(result.stderr).toBe(
      `Port ${port} is already in use (PORT=${port}): stop the process that holds it, or set PORT to a free port.\n`,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/successfully started|Listening/);
  }, 30_000);

  it('an unreachable DATABASE_URL: one line naming it, exit code 1, no retries outside production', async () => {
    // A port nobody listens on: found free, then let go.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const password = 'db-password-7f3a';
    rememberSecrets(password);
    const result = await startWarden({
      PORT: '0',
      DATABASE_URL: `postgres://warden:${password}@127.0.0.1:${port}/warden`,
    });
    expect(result.stderr).toMatch(
      new RegExp(
        `^Cannot connect to the database at DATABASE_URL=postgres://warden:\\*\\*\\*@127\\.0\\.0\\.1:${port}/warden: `,
      ),
    );
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain(password);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/Retrying|successfully started/);
  }, 30_000);
});
