/**
 * The unit and HTTP tests as one flat Jest project, for Stryker (`npm run test:mutation`): its per-test
 * coverage needs a single test environment, which a multi-project config does not give it. MUTATION_TESTS
 * (a regular expression) narrows the test files for a quicker run over one folder, e.g.
 * `MUTATION_TESTS='test/csrf\.e2e-spec\.ts$' npm run test:mutation -- --mutate 'src/csrf/**\/*.ts'`.
 * @type {import('jest').Config}
 */
const { projects } = require('./jest.config');

const unit = projects.find((project) => project.displayName === 'unit');
const e2e = projects.find((project) => project.displayName === 'e2e');

module.exports = {
  ...e2e,
  displayName: undefined,
  rootDir: '.',
  testRegex: process.env.MUTATION_TESTS ? [process.env.MUTATION_TESTS] : [`src/${unit.testRegex}`, e2e.testRegex],
  // Instrumented code on a shared machine is slower than a plain run.
  testTimeout: 30_000,
};
