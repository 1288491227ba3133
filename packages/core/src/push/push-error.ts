/** The error a push, pushAdd or delete rejects with. */

/** What a request to the Pushgateway ended with. */
export interface PushFailure {
  method: 'PUT' | 'POST' | 'DELETE';
  /** The group's URL, without credentials. */
  url: string;
  /** Requests made, retries included. */
  attempts: number;
  /** The gateway's HTTP status; undefined when no response came (network error, timeout, abort). */
  status?: number | undefined;
  /** The gateway's response body (its explanation of a refusal), at most 4 KiB. */
  body?: string;
  /** The network error, timeout or abort, when no response came. */
  cause?: unknown;
}

/**
 * A push that did not succeed: the gateway refused it (`status` and the gateway's own message
 * in `body`, e.g. 400 for an exposition it cannot parse or a metric whose type clashes with one
 * already in the group), or no answer came after every retry (`status` undefined, `cause` the
 * last network error or timeout).
 *
 * @example
 * try {
 *   await pusher.push();
 * } catch (error) {
 *   if (error instanceof PushgatewayError && error.status === 400) console.error('refused:', error.body);
 *   else throw error;
 * }
 */
export class PushgatewayError extends Error {
  override readonly name = 'PushgatewayError';
  readonly method: PushFailure['method'];
  readonly url: string;
  readonly status: number | undefined;
  readonly body: string;
  readonly attempts: number;

  constructor(failure: PushFailure) {
    const what = `${failure.method} ${failure.url}`;
    const tries = failure.attempts === 1 ? '' : ` (${failure.attempts} attempts)`;
    const reason =
      failure.status !== undefined
        ? `the Pushgateway answered ${failure.status}${failure.body ? `: ${failure.body.trim()}` : ''}`
        : `no answer from the Pushgateway: ${failure.cause instanceof Error ? failure.cause.message : String(failure.cause)}`;
    super(`@promwire/core: ${what} failed${tries}: ${reason}`, { cause: failure.cause });
    this.method = failure.method;
    this.url = failure.url;
    this.status = failure.status;
    this.body = failure.body ?? '';
    this.attempts = failure.attempts;
  }
}
