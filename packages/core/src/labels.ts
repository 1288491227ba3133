/**
 * Label rules shared by every adapter: method normalisation, status codes, label names and
 * the bounded value sets behind `maxLabelValues`.
 */

/** The route value of a request that matched no route. */
export const UNMATCHED_ROUTE = '__unmatched__';
/** The value recorded in place of one past a label's `maxLabelValues` cap. */
export const OVERFLOW_VALUE = '__overflow__';
/** The value of `method` for a method outside the nine standard ones. */
export const OTHER_METHOD = '_OTHER';
/** The status code recorded for a request whose client went away before the response finished. */
export const CLIENT_CLOSED_STATUS = 499;
/** Longest label value kept; longer values are cut to this many characters. */
export const MAX_LABEL_VALUE_LENGTH = 256;

export const STANDARD_METHODS = [
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH',
] as const;

/** Method label values by index; the last one is `_OTHER`. */
export const METHOD_VALUES: readonly string[] = [...STANDARD_METHODS, OTHER_METHOD];
export const OTHER_METHOD_INDEX = STANDARD_METHODS.length;

const methodIndex = new Map<string, number>(STANDARD_METHODS.map((m, i) => [m, i]));

/** Index into {@link METHOD_VALUES} for a request method, case-insensitive. */
export function methodIndexOf(method: string | undefined): number {
  if (method === undefined) return OTHER_METHOD_INDEX;
  const exact = methodIndex.get(method);
  if (exact !== undefined) return exact;
  if (method.length > 7) return OTHER_METHOD_INDEX;
  return methodIndex.get(method.toUpperCase()) ?? OTHER_METHOD_INDEX;
}

/** `"200"`, or `"2xx"` when grouped. Anything outside 100–599 is recorded as given, grouped as `"unknown"`. */
export function statusLabel(status: number, grouped: boolean): string {
  if (!grouped) return String(status);
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'unknown';
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith('__');
}

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** Cuts a value to {@link MAX_LABEL_VALUE_LENGTH} characters. */
export function capLength(value: string): string {
  return value.length > MAX_LABEL_VALUE_LENGTH ? value.slice(0, MAX_LABEL_VALUE_LENGTH) : value;
}

/**
 * The distinct values one label has taken, up to a cap. `admit` answers the value to record:
 * the value itself while there is room (or it was seen before), {@link OVERFLOW_VALUE} after.
 */
export class BoundedValues {
  private readonly seen = new Set<string>();

  constructor(private readonly cap: number) {}

  admit(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.cap) return OVERFLOW_VALUE;
    this.seen.add(value);
    return value;
  }
}

/** True when `url` (path and optional query) is exactly `path`: `/metrics`, `/metrics?x=1`. */
export function isPath(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 63 /* ? */);
}

/**
 * A route template from a mount prefix and a route path, with exactly one slash between:
 * `('/api/v1', '/users/:id')` → `/api/v1/users/:id`; an empty or `/` side adds nothing.
 */
export function joinRoute(base: string, path: string): string {
  if (base === '' || base === '/') return path;
  if (path === '/' || path === '') return base;
  return base.endsWith('/') && path.startsWith('/') ? base + path.slice(1) : base + path;
}
