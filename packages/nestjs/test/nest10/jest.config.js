// The @promwire/nestjs e2e suite against NestJS 10 (Express 4, Fastify 4), installed apart by
// install.mjs here. `npm test` runs it as one of the root config's projects; alone:
// npx jest -c packages/nestjs/test/nest10/jest.config.js
const { nest10 } = require('../../../../jest.projects');

module.exports = { ...nest10, forceExit: true };
