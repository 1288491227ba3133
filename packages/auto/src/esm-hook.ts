/**
 * The ES module hook, for the frameworks that ship ES modules only (NestJS 11+): to the source
 * of a target module it appends two lines that hand the module's own namespace to the preload
 * when the module has run, on the main thread:
 *
 *   import * as ns from '<this module>'; globalThis[Symbol.for('promwire.auto.esm')]?.(ns);
 *
 * Nothing else is touched, no module is wrapped or proxied, and every other module loads as
 * it would. Used in-thread through `module.registerHooks` where Node has it (22.15+, 23.5+),
 * else through `module.register` (this file is then the hooks module, on Node's loader thread).
 */

/** Where the preload listens for namespaces handed over. */
export const ESM_HANDOFF = Symbol.for('promwire.auto.esm');

const MARK = '__promwireNamespace';

/** The modules whose namespace is handed over, by the end of their URL. */
const TARGETS = ['/node_modules/@nestjs/core/index.js'];

interface LoadResult {
  format?: string | null | undefined;
  source?: string | ArrayBuffer | ArrayBufferView | null | undefined;
  shortCircuit?: boolean;
}

/** The load result, with the hand-over appended when `url` is a target ES module. */
export function handOver<R extends LoadResult>(url: string, result: R): R {
  if (result.format !== 'module' || result.source == null || !TARGETS.some((t) => url.endsWith(t))) return result;
  const source = typeof result.source === 'string' ? result.source : Buffer.from(result.source as ArrayBuffer).toString('utf8');
  if (source.includes(MARK)) return result; // two hook chains (a preload run twice): hand over once
  const handoff = `\n;import * as ${MARK} from ${JSON.stringify(url)};\nglobalThis[Symbol.for('promwire.auto.esm')]?.(${MARK});\n`;
  return { ...result, source: source + handoff };
}

/** `module.register`'s asynchronous `load` hook. */
export async function load(url: string, context: object, nextLoad: (url: string, context: object) => Promise<LoadResult>): Promise<LoadResult> {
  return handOver(url, await nextLoad(url, context));
}
