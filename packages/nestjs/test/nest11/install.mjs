// Installs NestJS 11 (with Express 5 and Fastify 5) into this directory, apart from the
// workspace's NestJS, so that the @promwire/nestjs e2e suite also runs against it (jest.config.js
// here maps @nestjs/* to it; @fastify/compress for Fastify 5 comes from ../compress). Does
// nothing when installed.
// Usage: node packages/nestjs/test/nest11/install.mjs
import { installIsolated } from '../install-isolated.mjs';

installIsolated(import.meta.dirname);
