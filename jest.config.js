/**
 * Nest 12 ships ES modules; @swc/jest compiles both our TypeScript and those packages to CommonJS.
 * @type {import('jest').Config}
 */
const esmPackages = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  '@borewit',
  'uint8array-extras',
  // jose (Warden's external issuers, the example resource server) and the independent implementations the
  // interoperability tests run: oauth4webapi, openid-client, oidc-provider, dpop (DPoP proofs).
  'jose',
  'oauth4webapi',
  'openid-client',
  'oidc-provider',
  'dpop',
];

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  },
];

const common = {
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: [`node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  // Stryker's sandboxes (npm run test:mutation) are copies of the project, tests included.
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.stryker-tmp/'],
};

module.exports = {
  // A guard against hangs, not a speed check: HTTP tests boot the app and hash passwords, and on two shared
  // cores Jest's default 5 s has cut off tests that were only slow.
  testTimeout: 15_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      rootDir: 'src',
      // The development scripts' tests too (the migration generator and its checks).
      roots: ['<rootDir>', '<rootDir>/../scripts'],
      testRegex: '.*\\.spec\\.ts$',
      testEnvironment: '<rootDir>/../test/helpers/quiet-environment.js',
      setupFilesAfterEnv: ['<rootDir>/../test/helpers/quiet-logs.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      testRegex: 'test/.*\\.e2e-spec\\.ts$',
      setupFiles: ['<rootDir>/test/helpers/env.ts'],
      testEnvironment: '<rootDir>/test/helpers/quiet-environment.js',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/quiet-logs.ts', '<rootDir>/test/helpers/no-secrets-in-logs.ts'],
    },
    {
      // Two built instances, PostgreSQL, a private redis-server and nginx: `npm run test:cluster`.
      ...common,
      displayName: 'cluster',
      rootDir: '.',
      testRegex: 'test/cluster/.*\\.cluster-spec\\.ts$',
    },
    {
      // Real Chromium against the real AppModule serving the built client: `npm run test:browser`.
      ...common,
      displayName: 'browser',
      rootDir: '.',
      testRegex: 'test/browser/.*\\.browser-spec\\.ts$',
      setupFiles: ['<rootDir>/test/helpers/env.ts'],
    },
  ],
};
