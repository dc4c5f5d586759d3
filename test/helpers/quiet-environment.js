// @ts-check
const { TestEnvironment } = require('jest-environment-node');

/**
 * Tests run quietly: Nest's log lines are held (test/helpers/quiet-logs.ts) and printed only under a
 * failing test, where they help explain it. Lines logged before a test (in beforeAll) go with the first
 * test that fails after them.
 */
class QuietEnvironment extends TestEnvironment {
  /** @param {import('jest-circus').Event} event */
  handleTestEvent(event) {
    if (event.name !== 'test_done') return;
    /** @type {string[] | undefined} */
    const held = this.global.__wardenHeldLogs;
    if (!held || held.length === 0) return;
    if (event.test.errors.length > 0) {
      process.stderr.write(`\nLog lines up to the failing test "${event.test.name}":\n${held.join('\n')}\n\n`);
    }
    held.length = 0;
  }
}

module.exports = QuietEnvironment;
