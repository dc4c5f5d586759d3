/**
 * The unit and HTTP tests as one flat Jest project, for Stryker (`npm run test:mutation`): its per-test
 * coverage needs a single test environment, which a multi-project config does not give it.
 * @type {import('jest').Config}
 */
const { projects } = require('./jest.config');

const unit = projects.find((project) => project.displayName === 'unit');
const e2e = projects.find((project) => project.displayName === 'e2e');

module.exports = {
  ...e2e,
  displayName: undefined,
  rootDir: '.',
  testRegex: [`src/${unit.testRegex}`, e2e.testRegex],
};
