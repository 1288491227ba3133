// Installs @fastify/compress for Fastify 5 into this directory, so that the @promwire/nestjs
// e2e suite can register it (test/fastify-compress.ts) without a workspace dependency.
// Does nothing when installed. Usage: node packages/nestjs/test/compress/install.mjs
import { installIsolated } from '../install-isolated.mjs';

installIsolated(import.meta.dirname);
