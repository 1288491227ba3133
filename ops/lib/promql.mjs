// Small PromQL builders shared by the rules and the dashboard.

/** `metric{matchers, extra}`; `extra` is the --selector parameter (may be empty). */
export function sel(metric, matchers = [], extra = '') {
  const all = [...matchers, ...(extra ? [extra] : [])];
  return all.length === 0 ? metric : `${metric}{${all.join(', ')}}`;
}

/**
 * The matcher of one bucket boundary. prom-client writes `le="1"` for an integer bound while
 * Prometheus 3 normalises classic buckets to `le="1.0"`: an integer bound matches both.
 */
export function leMatcher(bound) {
  return Number.isInteger(bound) ? `le=~"${bound}|${bound}.0"` : `le="${bound}"`;
}

/** 1 - objective, printed without binary noise (0.999 -> 0.001). */
export function budget(objective) {
  return Number((1 - objective).toPrecision(12));
}

/** The record name `level:metric:operations` (Prometheus "Recording rules" practices page). */
export function recordName(level, metric, operations) {
  return `${level}:${metric}:${operations}`;
}
