/**
 * How the preload sees a module when it loads, whichever way the app loads it:
 *
 * - `Module._load`, wrapped: every `require()`, every CommonJS module an ES module imports
 *   (Node loads those through it too: Express, Koa's CommonJS core behind its ESM entry, the ML
 *   runtimes), and `require()` of an ES module (NestJS 11+ from a CommonJS app), whose
 *   namespace it returns.
 * - For ES modules imported from ES modules (NestJS 11+ in an ESM app), the hook of
 *   `esm-hook.ts`, which hands their namespace over once they ran.
 *
 * Each loaded value is given to `observe`, which recognises a framework by its shape (so an
 * npm alias, a nested copy or a re-export is recognised too) and patches it once.
 */
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESM_HANDOFF, handOver } from './esm-hook';
import type { Patches } from './patches';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

interface SyncHooks {
  deregister(): void;
}

interface ModuleStatics {
  _load: Load;
  _cache: Record<string, { exports?: unknown } | undefined>;
  registerHooks?: (hooks: { load: (url: string, context: object, nextLoad: (url: string, context: object) => { format?: string | null; source?: unknown }) => unknown }) => SyncHooks;
  register?: (specifier: string, parentURL: string) => void;
}

export class ModuleHooks {
  private syncHooks: SyncHooks | undefined;
  private handoff: ((namespace: unknown) => void) | undefined;

  constructor(
    private readonly patches: Patches,
    private readonly observe: (loaded: unknown) => void,
  ) {}

  install(): void {
    const statics = Module as unknown as ModuleStatics;
    const { patches, observe } = this;
    patches.wrap<Load>(statics, '_load', (original) =>
      function promwireLoad(this: unknown): unknown {
        // eslint-disable-next-line prefer-rest-params
        const loaded = original.apply(this, arguments as unknown as Parameters<Load>);
        if (patches.active) observe(loaded);
        return loaded;
      },
    );
    // Modules loaded before the preload (a programmatic `register()` late in the app).
    for (const cached of Object.values(statics._cache)) if (cached !== undefined) observe(cached.exports);

    const handoff = (this.handoff = (namespace: unknown) => {
      if (patches.active) observe(namespace);
    });
    (globalThis as Record<symbol, unknown>)[ESM_HANDOFF] = handoff;
    if (typeof statics.registerHooks === 'function') {
      this.syncHooks = statics.registerHooks({ load: (url, context, nextLoad) => handOver(url, nextLoad(url, context) as never) });
    } else if (typeof statics.register === 'function' && esmOnlyTargetInstalled()) {
      // Once per process: Node's loader thread keeps it; after shutdown the hand-over finds nobody.
      const global = globalThis as Record<symbol, unknown>;
      if (global[kAsyncHookRegistered] !== true) {
        global[kAsyncHookRegistered] = true;
        statics.register(pathToFileURL(require.resolve('./esm-hook')).href, pathToFileURL(__filename).href);
      }
    }
  }

  uninstall(): void {
    this.syncHooks?.deregister();
    this.syncHooks = undefined;
    const global = globalThis as Record<symbol, unknown>;
    if (global[ESM_HANDOFF] === this.handoff) delete global[ESM_HANDOFF];
  }
}

const kAsyncHookRegistered = Symbol.for('promwire.auto.esmHookRegistered');

/**
 * Node's asynchronous hooks run on a thread of their own, whose start costs more than the rest
 * of the preload: only worth it when a framework that ships ES modules only (NestJS 11+) is
 * installed where the app (or the current directory) resolves it.
 */
function esmOnlyTargetInstalled(): boolean {
  // A CommonJS entry reaches an ES-only module through require(), which Module._load sees.
  const entry = process.argv[1];
  if (typeof entry !== 'string' || entry === '' || !entryIsEsm(entry)) return false;
  for (const dir of [entry, process.cwd()]) {
    try {
      const pkg = require.resolve('@nestjs/core/package.json', { paths: [dir] });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      if ((require(pkg) as { type?: string }).type === 'module') return true;
    } catch {
      // not installed there
    }
  }
  return false;
}

/** True when the entry script is an ES module: `.mjs`, or `.js` (or no extension) under `"type": "module"`. */
function entryIsEsm(entry: string): boolean {
  const file = resolvePath(entry);
  if (file.endsWith('.mjs') || file.endsWith('.mts')) return true;
  if (file.endsWith('.cjs') || file.endsWith('.cts')) return false;
  for (let dir = dirname(file), i = 0; i < 32; dir = dirname(dir), i++) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string }).type === 'module';
    } catch {
      if (dirname(dir) === dir) return false;
    }
  }
  return false;
}
