// Pieces every variant shares: the handler's body, the served-request count the server
// reports over IPC, the custom label of the "promwire + sizes + label" variants, and the
// listener of the no-op hooks.

/** Requests answered by `GET /users/:id`, read by the server process around each window. */
export const served = { count: 0 };

/** The body of `GET /users/:id`; counts the request. */
export function user(id) {
  served.count++;
  return { id, name: `user ${id}` };
}

/**
 * The custom label of the `promwire-full` variants: the `x-tenant` request header. Works with
 * a Node request, a Fastify request and a Koa context (all expose `headers`).
 */
export function tenantOf(req) {
  const value = req?.headers?.['x-tenant'];
  return typeof value === 'string' ? value : 'none';
}

/** The `close` listener of the no-op hooks: one shared function, recording nothing. */
export function noop() {}

/** Duration buckets (seconds) of the floor variants: the same as promwire's default. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The route every server answers; the check looks for its series in `/metrics`. */
export const ROUTE = '/users/:id';
