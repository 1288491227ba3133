/**
 * Koa 2 and 3 (with @koa/router or koa-router, whose matched route the adapter reads from the
 * context): `Application.prototype.handleRequest(ctx, fn)`, which Koa calls for every request
 * once it built the context, first passes the context to one `@promwire/koa` middleware, shared
 * by every app of the process, then runs the app's middleware as before. Built at the first
 * request, like Express's (see express.ts).
 */
import type { Middleware } from 'koa';
import { type AutoContext, RANK } from './context';
import type { KoaClass } from './shapes';

type HandleRequest = (this: unknown, ctx: unknown, fnMiddleware: unknown) => unknown;

function next(): Promise<void> {
  return Promise.resolve();
}

export function instrumentKoa(ctx: AutoContext, Koa: KoaClass): void {
  if (!ctx.enabled('koa')) return;
  const middleware = ctx.lazy('koa', () => {
    const adapter = ctx.adapter<typeof import('@promwire/koa')>('koa', '@promwire/koa');
    return adapter?.metrics(ctx.options('koa', RANK.framework) as never);
  });
  const { patches } = ctx;
  patches.wrap<HandleRequest>(Koa.prototype, 'handleRequest', (original) =>
    function promwireHandleRequest(this: unknown): unknown {
      if (patches.active) {
        const metrics = middleware() as Middleware | undefined;
        // eslint-disable-next-line prefer-rest-params
        if (metrics !== undefined) void metrics(arguments[0], next);
      }
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as Parameters<HandleRequest>);
    },
  );
}
