/**
 * @fastify/compress for the Fastify major that the NestJS under test uses: it is not a
 * workspace dependency, but installed apart (compress/ for Fastify 5, nest10/ for Fastify 4;
 * see their install.mjs), since each Fastify major needs its own major of the plugin.
 */
import { join } from 'node:path';

const nestMajor = Number((require('@nestjs/core/package.json') as { version: string }).version.split('.')[0]);
const dir = nestMajor === 10 ? 'nest10' : 'compress';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const fastifyCompress = require(join(__dirname, dir, 'node_modules/@fastify/compress')) as object;
export const nestVersion = (require('@nestjs/core/package.json') as { version: string }).version;
