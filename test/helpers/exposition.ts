/**
 * A strict reader of the Prometheus text format (0.0.4) and OpenMetrics for tests: every
 * sample line must parse, or the read throws, so a malformed exposition fails the test.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  exemplar?: { labels: Record<string, string>; value: number; timestamp?: number };
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  help: Map<string, string>;
  /** Samples named `name` whose labels include every pair in `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The one sample matching, or undefined; throws if several match. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Sum of the values of every matching sample. */
  sum(name: string, labels?: Record<string, string>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+#\s+\{(.*)\}\s+(\S+)(\s+(\S+))?)?(\s+-?\d+)?$/;

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line === '' || line === '# EOF') continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line.startsWith('# HELP ')) {
      const rest = line.slice(7);
      const space = rest.indexOf(' ');
      help.set(rest.slice(0, space), rest.slice(space + 1));
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`unparseable exposition line: ${JSON.stringify(line)}`);
    const sample: Sample = { name: m[1]!, labels: parseLabels(m[3] ?? '', line), value: parseValue(m[4]!, line) };
    if (m[5] !== undefined) {
      sample.exemplar = { labels: parseLabels(m[6] ?? '', line), value: parseValue(m[7]!, line) };
      if (m[9] !== undefined) sample.exemplar.timestamp = Number(m[9]);
    }
    samples.push(sample);
  }
  const find = (name: string, labels: Record<string, string> = {}): Sample[] =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    types,
    help,
    find,
    value(name, labels) {
      const found = find(name, labels);
      if (found.length > 1) throw new Error(`${found.length} samples match ${name} ${JSON.stringify(labels)}`);
      return found[0]?.value;
    },
    sum: (name, labels) => find(name, labels).reduce((a, s) => a + s.value, 0),
  };
}

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const n = Number(text);
  if (Number.isNaN(n)) throw new Error(`bad value in ${JSON.stringify(line)}`);
  return n;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq === -1 || text[eq + 1] !== '"') throw new Error(`bad labels in ${JSON.stringify(line)}`);
    const name = text.slice(i, eq);
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new Error(`bad label name ${name} in ${JSON.stringify(line)}`);
    let j = eq + 2;
    let value = '';
    while (j < text.length && text[j] !== '"') {
      if (text[j] === '\\') {
        const next = text[j + 1];
        value += next === 'n' ? '\n' : next;
        j += 2;
      } else {
        value += text[j];
        j++;
      }
    }
    if (j >= text.length) throw new Error(`unterminated label value in ${JSON.stringify(line)}`);
    if (name in labels) throw new Error(`duplicate label ${name} in ${JSON.stringify(line)}`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
  }
  return labels;
}
