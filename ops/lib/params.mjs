// Every parameter of the generated rules and dashboard, in one table: its flag, default, check
// and meaning. `node ops/generate.mjs --help` prints it; docs/operations.md reproduces it.

/** The duration buckets core uses by default (SPEC: OpenTelemetry's). */
export const DEFAULT_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const ratio = (flag) => (text) => {
  const v = Number(text);
  if (!(v > 0 && v < 1)) throw new Error(`${flag} must be a number between 0 and 1 (exclusive), got ${text}`);
  return v;
};
const duration = (flag) => (text) => {
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(text)) throw new Error(`${flag} must be a Prometheus duration (5m, 1h), got ${text}`);
  return text;
};

export const PARAMETERS = [
  { flag: '--naming', key: 'naming', default: 'default', help: 'metric names: `default` or `otel` (the `naming` option of the app)',
    parse: (t) => { if (t !== 'default' && t !== 'otel') throw new Error(`--naming must be default or otel, got ${t}`); return t; } },
  { flag: '--prefix', key: 'prefix', default: '', help: 'the `prefix` option of the app (`myapp_`)',
    parse: (t) => { if (!/^([a-zA-Z_][a-zA-Z0-9_]*)?$/.test(t)) throw new Error(`--prefix must be a valid metric name start, got ${t}`); return t; } },
  { flag: '--selector', key: 'selector', default: '', help: 'extra label matchers added to every selector, e.g. `job=~"api|web"` (empty: every job)',
    parse: (t) => t },
  { flag: '--slo-availability', key: 'sloAvailability', default: 0.999, help: 'availability objective: share of requests not answered 5xx', parse: ratio('--slo-availability') },
  { flag: '--slo-latency', key: 'sloLatency', default: 0.99, help: 'latency objective: share of requests answered within --latency-threshold', parse: ratio('--slo-latency') },
  { flag: '--latency-threshold', key: 'latencyThreshold', default: 0.5, help: 'latency SLO threshold in seconds; must be a bucket boundary of the duration histogram',
    parse: (t) => { const v = Number(t); if (!(v > 0)) throw new Error(`--latency-threshold must be a positive number of seconds, got ${t}`); return v; } },
  { flag: '--buckets', key: 'buckets', default: DEFAULT_DURATION_BUCKETS, help: 'the duration buckets of the app (comma-separated), if not the default',
    parse: (t) => t.split(',').map(Number) },
  { flag: '--rate-window', key: 'rateWindow', default: '5m', help: 'window of the dashboard-facing recording rules (rate5m)', parse: duration('--rate-window') },
  { flag: '--down-for', key: 'downFor', default: '5m', help: '`for` of PromwireTargetDown', parse: duration('--down-for') },
  { flag: '--increase-window', key: 'increaseWindow', default: '15m', help: 'window in which a rising counter (label overflow, worker timeouts, GenAI usage missing) alerts', parse: duration('--increase-window') },
  { flag: '--burn-window-divisor', key: 'burnWindowDivisor', default: 1, help: 'divides every burn-rate window by this whole number, for tests that watch the alerts in seconds (60: 1h/5m becomes 1m/5s); 1 in production',
    parse: (t) => { const v = Number(t); if (!Number.isInteger(v) || v < 1) throw new Error(`--burn-window-divisor must be a whole number ≥ 1, got ${t}`); return v; } },
  { flag: '--runbook-url', key: 'runbookUrl', default: 'docs/operations.md', help: 'where docs/operations.md is served, for each alert\'s runbook_url annotation (an anchor per alert is appended); set it to your copy\'s URL', parse: (t) => t },
];

/**
 * The SRE workbook's multi-window multi-burn-rate table (chapter 5, "Alerting on SLOs"): an
 * alert fires when both the long and the short window burn the error budget faster than
 * `factor` times the sustainable rate.
 */
export const BURN_WINDOWS = [
  { severity: 'page', factor: 14.4, long: '1h', short: '5m' },
  { severity: 'page', factor: 6, long: '6h', short: '30m' },
  { severity: 'ticket', factor: 1, long: '3d', short: '6h' },
];

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds of a one-unit Prometheus duration (`30s`, `5m`, `6h`, `3d`). */
export function durationSeconds(d) {
  return Number(d.slice(0, -1)) * UNIT_SECONDS[d.slice(-1)];
}

/** A whole number of seconds as a one-unit Prometheus duration, in the largest unit that divides it. */
function formatDuration(seconds) {
  const [unit, size] = Object.entries(UNIT_SECONDS).reverse().find(([, n]) => seconds % n === 0);
  return `${seconds / size}${unit}`;
}

/** {@link BURN_WINDOWS} with every window divided by `params.burnWindowDivisor`. */
export function burnWindows(params) {
  const divide = (d) => {
    const seconds = durationSeconds(d) / params.burnWindowDivisor;
    if (!Number.isInteger(seconds)) throw new Error(`--burn-window-divisor ${params.burnWindowDivisor} does not divide the ${d} window into whole seconds`);
    return formatDuration(seconds);
  };
  return BURN_WINDOWS.map((b) => ({ ...b, long: divide(b.long), short: divide(b.short) }));
}

/** Parameters from argv (flags only; the first positional argument is the command). */
export function parseArgs(argv) {
  const params = Object.fromEntries(PARAMETERS.map((p) => [p.key, p.default]));
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) { positional.push(arg); continue; }
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    const param = PARAMETERS.find((p) => p.flag === flag);
    if (param === undefined) throw new Error(`unknown option ${flag}; known: ${PARAMETERS.map((p) => p.flag).join(' ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    params[param.key] = param.parse(value);
  }
  if (!params.buckets.includes(params.latencyThreshold)) {
    throw new Error(`--latency-threshold ${params.latencyThreshold} is not a bucket boundary (${params.buckets.join(', ')}): the SLI counts the bucket le="${params.latencyThreshold}"`);
  }
  return { params, positional };
}

/** The parameters as `--help` text. */
export function usage() {
  const lines = PARAMETERS.map((p) => `  ${p.flag.padEnd(20)} ${p.help} (default: ${JSON.stringify(p.default)})`);
  return ['usage: node ops/generate.mjs rules|dashboard|write|check [options]', ...lines].join('\n');
}
