import type { HttpRecorder } from './http-metrics';

/**
 * What the recorder keeps about one request between `begin` and `end`. One small object per
 * request; adapters hold it (on the response, or a decorated request) and may set `route`.
 */
export class RequestState<Req = unknown, Res = unknown> {
  /** The route template, once the adapter knows it; else the recorder's `routeOf` is asked. */
  route: string | undefined = undefined;
  /** `trace_id` for exemplars, read when the request arrived. */
  traceId: string | undefined = undefined;
  /** The raw URL, kept only when `exclude` must test the path of an unmatched request. */
  url: string | undefined = undefined;
  requestBytes = 0;
  responseBytes = 0;
  done = false;
  /**
   * True while `skip` is still to be asked: a request begun before the framework made its own
   * request objects (see `RequestLifecycle.arriveAtServer`) is asked when the adapter adopts
   * it with them, or when it ends.
   */
  skipPending = false;
  /**
   * True while a request begun at the server's `request` event for an adapter that must reach
   * it (`RequestLifecycle.arriveNode`) has not reached it: discarded, unrecorded, if it ends so.
   */
  unadopted = false;
  /**
   * How readily the lifecycle that began this request gives it up (see `YIELDS`): 0 never; a
   * lifecycle of a lower rank arriving later takes the request over.
   */
  yields = 0;
  /** With `responseSize` on a response wrapped one by one: the `write` and `end` it had. */
  write: unknown = undefined;
  end: unknown = undefined;
  /** True inside `end`, whose own `write` calls are not counted again. */
  ending = false;

  constructor(
    readonly recorder: HttpRecorder<Req, Res>,
    /** What user callbacks receive; an adapter that began on the raw request may swap in its own. */
    public req: Req,
    public res: Res,
    /** Index into METHOD_VALUES. */
    readonly method: number,
    /** `performance.now()` when the request reached the adapter, in milliseconds. */
    readonly start: number,
  ) {}
}
