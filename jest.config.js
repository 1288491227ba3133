/** One jest run over every package's tests and the cross-package tests in test/. */
const { main, nest, nest10, nest11 } = require('./jest.projects');

module.exports = {
  projects: [main, nest, nest10, nest11],
  maxWorkers: 2,
  // A guard, not an assertion: several times any test's run on a busy machine. Jest reads
  // testTimeout from the global config only; set in a project it is silently ignored.
  testTimeout: 30000,
  // A failed test can leave a server open; CI must end with the failure, not wait for the handle.
  forceExit: true,
};
