// A jest reporter for scripts/test-matrix.mjs: beside the default reporter, writes one run's
// counts and, per test file, its jest project, passed and failed, to PROMWIRE_MATRIX_OUT.
// A suite that could not run (a compile error, a crash) counts as one failure.
const { writeFileSync } = require('node:fs');
const { relative } = require('node:path');

class MatrixReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.files = [];
  }

  onTestResult(test, result) {
    const displayName = test.context.config.displayName;
    this.files.push({
      project: typeof displayName === 'string' ? displayName : (displayName?.name ?? ''),
      path: relative(this.rootDir, result.testFilePath),
      passed: result.numPassingTests,
      failed: result.numFailingTests + (result.testExecError ? 1 : 0),
      skipped: result.numPendingTests + result.numTodoTests,
    });
  }

  onRunComplete(_contexts, results) {
    const out = process.env.PROMWIRE_MATRIX_OUT;
    if (!out) return;
    writeFileSync(out, JSON.stringify({
      suites: results.numTotalTestSuites,
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      interrupted: results.wasInterrupted,
      files: this.files,
    }));
  }
}

module.exports = MatrixReporter;
