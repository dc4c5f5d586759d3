/**
 * Mutation testing of the security core (`npm run test:mutation`; not in CI: hours on two cores). Stryker
 * breaks the code one small change at a time and runs the tests that cover it; a mutant that survives is a
 * behaviour no test pins down. Narrow it for a quicker run: `npm run test:mutation -- --mutate src/csrf/**\/*.ts`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  mutate: [
    'src/access/**/*.ts',
    'src/auth/**/*.ts',
    'src/tokens/**/*.ts',
    'src/sessions/**/*.ts',
    'src/csrf/**/*.ts',
    '!src/**/*.spec.ts',
  ],
  coverageAnalysis: 'perTest',
  // The machine is shared; raise it where cores are free.
  concurrency: 1,
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  ignorePatterns: ['var', 'dist', 'client/dist', 'reports', 'test/browser/screenshots'],
  tempDirName: '.stryker-tmp',
};
