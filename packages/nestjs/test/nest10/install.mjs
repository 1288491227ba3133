// Installs NestJS 10 (with Express 4 and Fastify 4) into this directory, apart from the
// workspace's NestJS, so that the @promwire/nestjs e2e suite also runs against the oldest
// supported major (jest.config.js here maps @nestjs/* to it). Does nothing when installed.
// Usage: node packages/nestjs/test/nest10/install.mjs
import { installIsolated } from '../install-isolated.mjs';

installIsolated(import.meta.dirname);
