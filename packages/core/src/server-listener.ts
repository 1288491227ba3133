/**
 * A listener first on an HTTP server's `request` event, at the cost of one function call.
 *
 * Node emits an event that has one listener by calling it; with two or more it copies the
 * listener array and calls each through `apply`, which cost about 600 instructions a request
 * on Fastify (callgrind: `Builtins_CallWithArrayLike` and `Builtins_CallVarargs` under
 * `parserOnIncoming`, none on the bare server). A server made by `http.createServer(handler)`
 * (Express's `app.listen`, Fastify, Koa's `app.listen`) has one listener, its handler: that one
 * is replaced by a function that calls the new listener and then the handler. The function
 * carries the handler as `listener`, as Node's own `once` wrappers do, so
 * `server.listeners('request')` still lists the handler and
 * `server.removeListener('request', handler)` removes both. A server with no listener, several,
 * or a `once` one gets the listener by `prependListener`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function prependRequestListener(server: Server, listener: RequestListener): void {
  const listeners = server.rawListeners('request') as (RequestListener & { listener?: unknown })[];
  const handler = listeners.length === 1 ? listeners[0]! : undefined;
  if (handler === undefined || handler.listener !== undefined) {
    server.prependListener('request', listener);
    return;
  }
  const both = function promwireRequest(this: Server, req: IncomingMessage, res: ServerResponse): unknown {
    listener.call(this, req, res);
    return handler.call(this, req, res);
  };
  server.removeListener('request', handler);
  server.on('request', Object.assign(both, { listener: handler }));
}
