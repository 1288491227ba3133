/**
 * Recording on `@nestjs/platform-express`: one Express middleware, moved to the head of the
 * application's stack so that it runs before everything Nest and the application mounted
 * (body parsers, Nest middleware, CORS, routes, the 404 and error handlers). It serves the
 * metrics endpoint, and begins every other request; the route is read when it ends. A request
 * that reached a handler marked `@ExcludeFromMetrics()` is discarded when it ends, by a
 * `close` listener that runs before the recorder's (added only when some handler is excluded).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { endOnClose, stateOf } from '@promwire/core';
import { PKG } from './metrics.constants';
import type { NestHttpMetrics } from './metrics.recorder';
import { isExcludedRoute } from './route.template';

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

export function instrumentExpress(app: ExpressApp, metrics: NestHttpMetrics, hasExclusions: boolean): void {
  const { recorder, endpoint } = metrics;

  function discardExcluded(this: ServerResponse): void {
    const state = stateOf<IncomingMessage, ServerResponse>(this);
    if (state !== undefined && state.recorder === recorder && isExcludedRoute(this.req)) recorder.discard(state);
  }

  function promwireMetrics(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (endpoint !== undefined && metrics.isMetricsPath(req.url)) {
      void endpoint.handle(req, res);
      return;
    }
    const state = recorder.begin(req, res, req);
    if (state !== undefined) {
      endOnClose(state, res);
      // Only when this state is the one tracked (not a second promwire on the same response).
      if (hasExclusions && stateOf(res) === state) res.prependListener('close', discardExcluded);
    }
    next();
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
