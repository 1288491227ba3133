/**
 * NestJS 10–12, on Express or Fastify: `NestFactory.create(module, …)` gets the app's root
 * module with `MetricsModule.forRoot()` of `@promwire/nestjs` among its imports (in its
 * `imports` metadata, so the root module stays the app's own class), unless the app imports a
 * MetricsModule itself, whose options then apply. The module's requests are Nest's: it takes
 * them over from the Express or Fastify instrumentation underneath (core's YIELDS).
 */
import { type AutoContext, RANK } from './context';
import { report } from './log';
import type { NestCoreModule } from './shapes';

type Create = (this: unknown, module: unknown, ...rest: unknown[]) => unknown;

/** What the preload uses of `@promwire/nestjs` (typed here: its types import NestJS's ES modules). */
interface NestAdapter {
  MetricsModule: { forRoot(options: unknown): unknown };
}

interface ReflectMetadata {
  getMetadata?(key: string, target: object): unknown;
  defineMetadata?(key: string, value: unknown, target: object): void;
}

export function instrumentNest(ctx: AutoContext, core: NestCoreModule): void {
  if (!ctx.enabled('nestjs')) return;
  const { patches } = ctx;
  const factory = Object.getPrototypeOf(core.NestFactory) as object;
  patches.wrap<Create>(factory, 'create', (original) =>
    function promwireCreate(this: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params
      if (patches.active) withMetricsModule(ctx, arguments[0]);
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as Parameters<Create>);
    },
  );
}

/** Adds the MetricsModule import to the root module class, unless one is imported already. */
function withMetricsModule(ctx: AutoContext, root: unknown): void {
  const reflect = Reflect as unknown as ReflectMetadata;
  if (typeof root !== 'function' || typeof reflect.getMetadata !== 'function' || typeof reflect.defineMetadata !== 'function') return;
  const nest = ctx.adapter<NestAdapter>('nestjs', '@promwire/nestjs');
  if (nest === undefined || importsMetricsModule(root, nest.MetricsModule, reflect)) return;
  try {
    const imports = (reflect.getMetadata('imports', root) as unknown[] | undefined) ?? [];
    const module = nest.MetricsModule.forRoot(ctx.options('nestjs', RANK.nestjs));
    reflect.defineMetadata('imports', [...imports, module], root);
  } catch (error) {
    report(`NestJS is not recorded by the Nest module: ${(error as Error).message}`);
  }
}

/** True when `root` imports a MetricsModule (this copy's, or another's by its shape), at any depth. */
function importsMetricsModule(root: unknown, own: unknown, reflect: ReflectMetadata): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [root];
  while (pending.length > 0 && seen.size < 10000) {
    let item = pending.pop();
    if (typeof item === 'object' && item !== null && 'forwardRef' in item) item = (item as { forwardRef: () => unknown }).forwardRef();
    if (item === null || item === undefined || seen.has(item) || item instanceof Promise) continue;
    seen.add(item);
    if (typeof item === 'object' && 'module' in item) {
      pending.push((item as { module: unknown }).module, ...(((item as { imports?: unknown[] }).imports) ?? []));
      continue;
    }
    if (typeof item !== 'function') continue;
    if (item === own || isMetricsModule(item)) return true;
    pending.push(...(((reflect.getMetadata!('imports', item) as unknown[] | undefined)) ?? []));
  }
  return false;
}

function isMetricsModule(cls: object): boolean {
  const c = cls as { name?: unknown; forRoot?: unknown; forRootAsync?: unknown };
  return c.name === 'MetricsModule' && typeof c.forRoot === 'function' && typeof c.forRootAsync === 'function';
}
