// The jest projects of this repository. ts-jest compiles every file of one project with one
// tsconfig, so @promwire/nestjs (legacy decorators with metadata) is a project of its own, and
// so is its suite against NestJS 10 and 11, each installed apart by packages/nestjs/test/nest<major>/install.mjs.
const path = require('node:path');

const rootDir = __dirname;
const isolatedNest = (major) => path.join(rootDir, `packages/nestjs/test/nest${major}/node_modules`);

// PROMWIRE_CLIENT=@prometheus-io/client runs the suites on that client: the tests' own
// `import ... from 'prom-client'` (and core's lazy load of it) resolve to @prometheus-io/client,
// as if it were the only client installed.
const clientMapper =
  process.env.PROMWIRE_CLIENT === '@prometheus-io/client'
    ? { '^prom-client$': path.dirname(require.resolve('@prometheus-io/client/package.json')) }
    : {};

const common = {
  rootDir,
  testEnvironment: 'node',
  testMatch: ['**/test/**/*.test.ts'],
  // NestJS 11+ ships ES modules only, which jest on Node 20 cannot require: they are compiled.
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
  moduleNameMapper: {
    '^@promwire/core/adapter$': '<rootDir>/packages/core/src/adapter/index.ts',
    '^@promwire/([a-z]+)$': '<rootDir>/packages/$1/src/index.ts',
    ...clientMapper,
  },
  testTimeout: 30000,
};
const esmToCjs = { '/node_modules/@nestjs/.+\\.js$': '<rootDir>/packages/nestjs/test/esm-to-cjs.js' };
const nestTransform = {
  ...esmToCjs,
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/packages/nestjs/test/tsconfig.json' }],
};

const main = {
  ...common,
  displayName: 'packages',
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  testPathIgnorePatterns: ['/node_modules/', '/packages/nestjs/'],
  transform: { ...esmToCjs, '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
};
const nest = {
  ...common,
  displayName: 'nestjs',
  roots: ['<rootDir>/packages/nestjs'],
  testPathIgnorePatterns: ['/node_modules/'],
  transform: nestTransform,
};
/** The nestjs project against a NestJS major installed apart (packages/nestjs/test/nest<major>). */
const isolated = (major) => ({
  ...nest,
  displayName: `nestjs on NestJS ${major}`,
  moduleNameMapper: { '^@nestjs/(.*)$': `${isolatedNest(major)}/@nestjs/$1`, ...common.moduleNameMapper },
});
const nest10 = isolated(10);
const nest11 = isolated(11);

module.exports = { main, nest, nest10, nest11 };
