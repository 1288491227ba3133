// The @promwire/nestjs e2e suite against NestJS 10 (Express 4, Fastify 4), installed apart by
// install.mjs here: the root jest config with @nestjs/* mapped to this directory.
// Usage (from the repository root): npx jest -c packages/nestjs/test/nest10/jest.config.js
const path = require('node:path');
const base = require('../../../../jest.config.js');

const modules = path.join(__dirname, 'node_modules');

module.exports = {
  ...base,
  displayName: 'nestjs on NestJS 10',
  rootDir: path.join(__dirname, '../../../..'),
  roots: ['<rootDir>/packages/nestjs/test'],
  moduleNameMapper: {
    '^@nestjs/(.*)$': `${modules}/@nestjs/$1`,
    ...base.moduleNameMapper,
  },
};
