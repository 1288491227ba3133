/**
 * Recording on `@nestjs/platform-express`: one Express middleware, moved to the head of the
 * application's stack so that it runs before everything Nest and the application mounted
 * (body parsers, Nest middleware, CORS, routes, the 404 and error handlers). It serves the
 * metrics endpoint, and lets core's lifecycle begin every other request (from the first one on,
 * at the server's `request` event, before Express gives req/res its prototypes: `arriveNode`);
 * the route, and whether its handler is marked `@ExcludeFromMetrics()`, is read when the
 * request ends.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { METRICS_REQUEST, type RequestLifecycle } from '@promwire/core/adapter';
import { PKG } from './metrics.constants';

interface Layer {
  name?: string;
  handle: unknown;
}

interface ExpressApp {
  use(handler: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): unknown;
  /** Express 4. */
  _router?: { stack: Layer[] };
  /** Express 5 (Express 4 defines a getter that throws, so it is read second). */
  router?: { stack: Layer[] };
}

/** Express 4's own first layers, which stay first. */
const EXPRESS_INIT = new Set(['query', 'expressInit']);

export function instrumentExpress(app: ExpressApp, lifecycle: RequestLifecycle<IncomingMessage, ServerResponse>): void {
  function promwireMetrics(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (lifecycle.arriveNode(req, res) === METRICS_REQUEST) void lifecycle.serve(req, res);
    else next();
  }

  app.use(promwireMetrics);
  const stack = (app._router ?? app.router)?.stack;
  const index = stack?.findIndex((layer) => layer.handle === promwireMetrics) ?? -1;
  if (stack === undefined || index === -1) {
    throw new Error(`${PKG}: cannot find the Express router stack to put the metrics middleware first`);
  }
  const [layer] = stack.splice(index, 1);
  let head = 0;
  while (head < stack.length && EXPRESS_INIT.has(stack[head]!.name ?? '')) head++;
  stack.splice(head, 0, layer!);
}
