/** One jest run over every package's tests and the cross-package tests in test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    // NestJS 11+ ships ES modules only, which jest on Node 20 cannot require: compile them.
    '/node_modules/@nestjs/.+\\.js$': '<rootDir>/packages/nestjs/test/esm-to-cjs.js',
    // NestJS code (src and tests) needs legacy decorators with their metadata.
    '/packages/nestjs/(src|test)/.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/packages/nestjs/test/tsconfig.json' }],
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
  moduleNameMapper: {
    '^@promwire/([a-z]+)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testTimeout: 30000,
  maxWorkers: 2,
  // A failed test can leave a server open; CI must end with the failure, not wait for the handle.
  forceExit: true,
};
