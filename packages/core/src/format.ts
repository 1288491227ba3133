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

export function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
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

/** Family header lines. */
export function header(name: string, help: string, type: string, openMetrics: boolean): string {
  return `# HELP ${name} ${escapeHelp(help, openMetrics)}\n# TYPE ${name} ${type}\n`;
}
