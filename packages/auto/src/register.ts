/**
 * `@promwire/auto/register`: the preload itself. `node --require @promwire/auto/register app.js`
 * (CommonJS) or `node --import @promwire/auto/register app.mjs` (ES modules; one flag is
 * enough: the ES module hook is registered from here). Configured by `PROMWIRE_*` variables;
 * see the README.
 */
import { register } from './auto';
import type { Registration } from './types';

/** The running preload, or undefined when it is off (`PROMWIRE_DISABLED`, or a bad variable). */
export const registration: Registration | undefined = register();
