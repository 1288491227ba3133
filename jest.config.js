/** One jest run over every package's tests and the cross-package tests in test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  moduleNameMapper: {
    '^@promwire/([a-z]+)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testTimeout: 30000,
  maxWorkers: 2,
};
