/**
 * Recording on `@nestjs/platform-fastify`, with the same integration as `@promwire/fastify`
 * (see its `instrumentFastify`): requests begin on the server's `request` event, so one that
 * Nest's own `onRequest` hooks answer (middleware through middie, CORS, shutdown 503s; Nest
 * adds them before any module can) is still counted, as `__unmatched__`, as on Express, where
 * Nest middleware runs before routing; `inject()` is recorded; the metrics endpoint is a
 * Fastify route outside Nest's router (no global prefix, guard or interceptor), answering 405
 * to methods other than GET and HEAD. Only routes registered for Nest handlers (known by their
 * `config`, see metrics.explorer.ts) get a label, and a handler marked `@ExcludeFromMetrics()`
 * is left out. Callbacks receive Node's request and response, as on Express.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestLifecycle } from '@promwire/core/adapter';
import { type FastifyRouteShape, instrumentFastify } from '@promwire/fastify';
import { PKG } from './metrics.constants';
import { configExclusion } from './metrics.explorer';

/** A Nest handler's route is labelled with its template; an excluded one is left out. */
function nestRouteLabel(route: FastifyRouteShape): string | null | undefined {
  const excluded = configExclusion(route.config);
  return excluded === undefined ? undefined : excluded ? null : route.url;
}

export function instrumentFastifyApp(instance: unknown, lifecycle: RequestLifecycle<IncomingMessage, ServerResponse>): void {
  instrumentFastify(instance as Parameters<typeof instrumentFastify>[0], {
    pkg: PKG,
    lifecycle,
    routeLabel: nestRouteLabel,
    objects: 'node',
  });
}
