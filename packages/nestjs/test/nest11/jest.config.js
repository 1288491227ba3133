// The @promwire/nestjs e2e suite against NestJS 11 (Express 5, Fastify 5), installed apart by
// install.mjs here. `npm test` runs it as one of the root config's projects; alone:
// npx jest -c packages/nestjs/test/nest11/jest.config.js
const { nest11 } = require('../../../../jest.projects');

module.exports = { ...nest11, forceExit: true };
