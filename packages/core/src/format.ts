/** Text helpers shared by the Prometheus 0.0.4 and OpenMetrics 1.0.0 writers. */

export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
    : value;
}

/** HELP text: 0.0.4 escapes backslash and line feed; OpenMetrics also the double quote. */
export function escapeHelp(help: string, openMetrics: boolean): string {
  let out = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  if (openMetrics) out = out.replace(/"/g, '\\"');
  return out;
}

/** A sample value: JavaScript's shortest rendering, `NaN`, `+Inf`, `-Inf` (what prom-client writes). */
export function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

/**
 * The canonical OpenMetrics rendering of an `le` or `quantile` label value (OpenMetrics 1.0,
 * "Canonical Numbers"): Go's shortest `%g` (exponent form below 1e-4 and from 1e+06, with a
 * sign and at least two exponent digits), with `.0` appended when the result has neither a
 * decimal point nor an exponent: `0.005`, `1.0`, `10.0`, `100000.0`, `1e+06`, `1e-05`, `+Inf`.
 */
export function canonicalNumber(value: number): string {
  if (!Number.isFinite(value)) return formatValue(value);
  if (value === 0) return '0.0';
  // toExponential() gives the shortest round-tripping digits, as Go's precision -1 does.
  const exp = value.toExponential();
  const e = exp.indexOf('e');
  const exponent = Number(exp.slice(e + 1));
  if (exponent < -4 || exponent >= 6) {
    const digits = Math.abs(exponent) < 10 ? `0${Math.abs(exponent)}` : String(Math.abs(exponent));
    return `${exp.slice(0, e)}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  // In this range JavaScript writes the same digits in fixed notation.
  const fixed = String(value);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * An `le` / `quantile` label value of another writer's metric (a number, or a string such as
 * `"+Inf"`) in its canonical OpenMetrics form; a string that is not a decimal number is kept.
 */
export function canonicalLabelNumber(value: string | number): string {
  if (typeof value === 'number') return canonicalNumber(value);
  if (value === '+Inf' || value === '-Inf' || value === 'NaN') return value;
  return DECIMAL.test(value) ? canonicalNumber(Number(value)) : value;
}

/** `a="x",b="y"` for the given names and values (already escaped values are not re-escaped). */
export function labelText(names: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ',';
    out += `${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  }
  return out;
}

/** Joins two label texts, either of which may be empty, into `{...}` or ''. */
export function braces(a: string, b: string): string {
  if (a === '') return b === '' ? '' : `{${b}}`;
  return b === '' ? `{${a}}` : `{${a},${b}}`;
}

/**
 * Family header lines: HELP then TYPE in the 0.0.4 text (as prom-client writes them), TYPE then
 * HELP in OpenMetrics (its metadata order is TYPE, UNIT, HELP).
 */
export function header(name: string, help: string, type: string, openMetrics: boolean): string {
  const helpLine = `# HELP ${name} ${escapeHelp(help, openMetrics)}\n`;
  const typeLine = `# TYPE ${name} ${type}\n`;
  return openMetrics ? typeLine + helpLine : helpLine + typeLine;
}

/** The registry's default labels, escaped once per render. */
export interface DefaultLabels {
  readonly names: readonly string[];
  /** `name="value"` per name. */
  readonly pairs: readonly string[];
  /** Every pair, comma-separated ('' when there are none). */
  readonly text: string;
}

export const NO_DEFAULT_LABELS: DefaultLabels = Object.freeze({ names: [], pairs: [], text: '' });

export function defaultLabels(values: Readonly<Record<string, string | number>>): DefaultLabels {
  const names = Object.keys(values);
  if (names.length === 0) return NO_DEFAULT_LABELS;
  const pairs = names.map((n) => {
    const v = values[n];
    return `${n}="${escapeLabelValue(typeof v === 'number' ? formatValue(v) : String(v))}"`;
  });
  return { names, pairs, text: pairs.join(',') };
}

/**
 * The default labels to append to series whose own label names are `own`: all of them, less
 * those a series has itself. A series' own value wins, as in prom-client's writer; writing a
 * label twice would make every parser reject the whole exposition. Computed once per family.
 */
export function unshadowedDefaults(defaults: DefaultLabels, own: readonly string[]): string {
  const { names } = defaults;
  let shadowed = false;
  for (let i = 0; i < names.length && !shadowed; i++) shadowed = own.includes(names[i]!);
  if (!shadowed) return defaults.text;
  return defaults.pairs.filter((_, i) => !own.includes(names[i]!)).join(',');
}
