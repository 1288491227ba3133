/**
 * Express 4 and 5: `app.handle` (the app prototype's, which Express copies into every app it
 * creates, sub-apps included) first passes the request to one `@promwire/express` middleware,
 * shared by every app of the process, then runs the app as before. The middleware is built at
 * the first request, after the app had the chance to build its own: an own adapter then takes
 * each request over (core's YIELDS), and one whose options clash with the environment's on the
 * same registry leaves Express to it (reported once).
 */
import type { RequestHandler } from 'express';
import { type AutoContext, RANK } from './context';
import type { ExpressModule } from './shapes';

type Handle = (this: unknown, req: unknown, res: unknown, callback?: unknown) => unknown;

function next(): void {}

export function instrumentExpress(ctx: AutoContext, express: ExpressModule): void {
  if (!ctx.enabled('express')) return;
  const middleware = ctx.lazy('express', () => {
    const adapter = ctx.adapter<typeof import('@promwire/express')>('express', '@promwire/express');
    return adapter?.metrics(ctx.options('express', RANK.framework) as never);
  });
  const { patches } = ctx;
  patches.wrap<Handle>(express.application, 'handle', (original) =>
    function promwireHandle(this: unknown): unknown {
      if (patches.active) {
        const metrics = middleware() as RequestHandler | undefined;
        // eslint-disable-next-line prefer-rest-params
        if (metrics !== undefined) metrics(arguments[0], arguments[1], next);
      }
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as Parameters<Handle>);
    },
  );
}
