/**
 * Judges the suite did not write: Debian's python3-prometheus-client parsers (through
 * parse_exposition.py), and the comparison helpers that put their output, Prometheus's storage
 * and the registry's own data side by side.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Series } from './registries';

/** Debian's interpreter, where the Debian package installs the module; else the one on PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SCRIPT = join(__dirname, 'parse_exposition.py');

type JsonNumber = number | 'NaN' | '+Inf' | '-Inf';

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  exemplar: { labels: Record<string, string>; value: number } | null;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: ParsedSample[];
}

export type ParserFormat = 'text' | 'openmetrics';

/** Parses `exposition` with the python client's 0.0.4 or strict OpenMetrics parser; rejects with its message. */
export function pythonParse(exposition: string, format: ParserFormat): Promise<ParsedFamily[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, format], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`python ${format} parser: ${stderr.trim() || `exit ${code}`}`));
      const raw = JSON.parse(stdout) as {
        families: (Omit<ParsedFamily, 'samples'> & {
          samples: (Omit<ParsedSample, 'value' | 'exemplar'> & {
            value: JsonNumber;
            exemplar: { labels: Record<string, string>; value: JsonNumber } | null;
          })[];
        })[];
      };
      resolve(
        raw.families.map((f) => ({
          ...f,
          samples: f.samples.map((s) => ({
            name: s.name,
            labels: s.labels,
            value: fromJson(s.value),
            exemplar: s.exemplar === null ? null : { labels: s.exemplar.labels, value: fromJson(s.exemplar.value) },
          })),
        })),
      );
    });
    child.stdin.end(exposition, 'utf8');
  });
}

function fromJson(value: JsonNumber): number {
  return typeof value === 'number' ? value : parseNumber(value);
}

/** A number as expositions and Prometheus's API write it (`NaN`, `+Inf`, `-Inf`, decimals). */
export function parseNumber(text: string): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const n = Number(text);
  if (Number.isNaN(n)) throw new Error(`not a number: ${JSON.stringify(text)}`);
  return n;
}

/** A value for comparison: NaN and ±Inf as text, so that equal values compare equal. */
export function valueText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Families of prom-client's default metrics change between two reads: not compared by value. */
export function isVolatile(name: string): boolean {
  return name.startsWith('process_') || name.startsWith('nodejs_');
}

/** Labels whose values are numbers written per format: compared as numbers across formats. */
const NUMERIC_LABELS = new Set(['le', 'quantile']);

/**
 * `name{a="x",b="y"}` with labels sorted; `le`/`quantile` as the number they denote when
 * `numeric`, so `le="1"` (0.0.4) and `le="1.0"` (OpenMetrics) are one key.
 */
export function seriesKey(name: string, labels: Record<string, string>, numeric: boolean): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(numeric && NUMERIC_LABELS.has(k) ? valueText(parseNumber(labels[k]!)) : labels[k])}`);
  return `${name}{${pairs.join(',')}}`;
}

/** Sorted `[key, value]` pairs of series, for a readable diff; throws on a series seen twice. */
export function keyed(series: Iterable<Series>, numeric: boolean): [string, string][] {
  const out = new Map<string, string>();
  for (const s of series) {
    const key = seriesKey(s.name, s.labels, numeric);
    if (out.has(key)) throw new Error(`series exposed twice: ${key}`);
    out.set(key, valueText(s.value));
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every sample of the parsed families but the volatile ones. */
export function samplesOf(families: ParsedFamily[]): ParsedSample[] {
  return families.flatMap((f) => f.samples).filter((s) => !isVolatile(s.name));
}
