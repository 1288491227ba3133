/**
 * Any other `node:http` / `node:https` server (a plain `createServer` app, a framework with no
 * adapter): every request is begun when Node publishes `http.server.request.start`, before the
 * server's `request` event, and ended by core's `close` accounting (so a client that leaves
 * early is one 499: the `http.server.response.finish` channel alone would miss it), labelled
 * `route="__unmatched__"`. A framework instrumentation or adapter that reaches the request
 * takes it over with its route (core's YIELDS: this one has the highest rank).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type AutoContext, RANK } from './context';

interface Lifecycle {
  arriveAtServer(req: IncomingMessage, res: ServerResponse): void;
}

interface StartMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

/** The channel's subscriber: `ignore` tells the preload's own metrics server. */
export function httpServerRequests(ctx: AutoContext, ignore: (server: Server) => boolean): { onRequest: (message: unknown) => void; build: () => void } {
  const lifecycle = ctx.lazy('http', () => {
    const kit = ctx.adapter<typeof import('@promwire/core/adapter')>('http', '@promwire/core/adapter');
    return kit?.createLifecycle('@promwire/auto', ctx.options('http', RANK.http) as never) as Lifecycle | undefined;
  });
  return {
    onRequest(message: unknown): void {
      const { request, response, server } = message as StartMessage;
      if (ignore(server)) return;
      lifecycle()?.arriveAtServer(request, response);
    },
    build(): void {
      lifecycle();
    },
  };
}
