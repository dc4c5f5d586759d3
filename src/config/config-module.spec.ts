import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('ConfigModule and a local .env', () => {
  const saved = { ...process.env };
  const cwd = process.cwd();
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'warden-dotenv-'));
    writeFileSync(join(directory, '.env'), 'WARDEN_DOTENV_PROBE=read\n');
    process.chdir(directory);
  });
  afterEach(() => {
    process.chdir(cwd);
    process.env = { ...saved };
    rmSync(directory, { recursive: true, force: true });
  });

  /** Evaluates config.module.ts afresh (forRoot reads .env when the module is defined) under NODE_ENV. */
  function probe(nodeEnv: string | undefined): string | undefined {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    delete process.env.WARDEN_DOTENV_PROBE;
    jest.isolateModules(() => {
      jest.requireActual('./config.module');
    });
    return process.env.WARDEN_DOTENV_PROBE;
  }

  it.each([
    [undefined, 'read'],
    ['development', 'read'],
    ['production', undefined],
    ['test', undefined],
  ])('NODE_ENV=%s: the .env value is %s (undefined: the file is ignored)', (nodeEnv, expected) => {
    expect(probe(nodeEnv)).toBe(expected);
  });
});
