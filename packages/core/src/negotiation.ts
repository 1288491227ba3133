/**
 * Reading `Accept` and `Accept-Encoding` for the metrics endpoint: pure functions that never
 * throw, whatever the header holds.
 */

/**
 * The exposition formats the endpoint can answer with. A new format joins by adding its id here
 * and a row to `FORMATS` below.
 */
export type ExpositionFormat = 'protobuf' | 'openmetrics' | 'text';

/**
 * The format a scrape gets for its `Accept` header. Each format's weight is the q of the most
 * specific media range that matches it (RFC 9110 §12.5.1); the highest weight above 0 wins, a tie
 * goes to the richer format (OpenMetrics, as Prometheus expects), and a header that lists nothing
 * acceptable, or none at all, gets the text format 0.0.4 — never a 406.
 *
 * - Protobuf, only when `protobuf` is true (a native histogram is registered, as SPEC.md says):
 *   `application/vnd.google.protobuf` with `proto=io.prometheus.client.MetricFamily` and
 *   `encoding=delimited`. A wildcard never selects it.
 * - OpenMetrics: `application/openmetrics-text` with `version=1.0.0`, `0.0.1` or none.
 * - Text 0.0.4: `text/plain` with `version=0.0.4` or none, `text/*`, `*\/*`.
 *
 * @example
 * negotiateFormat(prometheusWithNativeHistograms, true); // 'protobuf'
 * negotiateFormat('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5'); // 'openmetrics'
 * negotiateFormat('text/plain;q=0.9,application/openmetrics-text;q=0.5'); // 'text'
 */
export function negotiateFormat(accept: string | string[] | undefined, protobuf = false): ExpositionFormat {
  const value = Array.isArray(accept) ? accept.join(',') : accept;
  if (value === undefined || value === '') return 'text';
  const ranges = mediaRanges(value);
  let best: ExpositionFormat = 'text';
  let bestQ = 0;
  for (const format of FORMATS) {
    if (format.id === 'protobuf' && !protobuf) continue;
    const q = weight(format, ranges);
    if (q > bestQ) {
      best = format.id;
      bestQ = q;
    }
  }
  return best;
}

/** True when `acceptEncoding` lists gzip (or `*`) with a q above 0. */
export function acceptsGzip(acceptEncoding: string | string[] | undefined): boolean {
  const value = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
  if (value === undefined) return false;
  return mediaRanges(value).some((r) => (r.type === 'gzip' || r.type === '*' || r.type === 'x-gzip') && r.q > 0);
}

interface Range {
  type: string;
  q: number;
  version: string | undefined;
  proto: string | undefined;
  encoding: string | undefined;
}

interface FormatRow {
  id: ExpositionFormat;
  /** How specifically `range` names this format (higher is more specific), or -1 if it does not. */
  specificity(range: Range): number;
}

/** Richest first: on equal weight, the earlier row wins. */
const FORMATS: readonly FormatRow[] = [
  {
    id: 'protobuf',
    specificity: (r) =>
      r.type === 'application/vnd.google.protobuf' && r.proto === 'io.prometheus.client.MetricFamily' && r.encoding === 'delimited' ? 3 : -1,
  },
  {
    id: 'openmetrics',
    specificity: (r) => {
      if (r.type !== 'application/openmetrics-text') return -1;
      if (r.version === undefined) return 2;
      return r.version === '1.0.0' || r.version === '0.0.1' ? 3 : -1;
    },
  },
  {
    id: 'text',
    specificity: (r) => {
      if (r.type === 'text/plain') {
        if (r.version === undefined) return 2;
        return r.version === '0.0.4' ? 3 : -1;
      }
      if (r.type === 'text/*') return 1;
      return r.type === '*/*' ? 0 : -1;
    },
  },
];

/** The q of the most specific ranges naming `format` (the highest of them if several tie); 0 if none. */
function weight(format: FormatRow, ranges: readonly Range[]): number {
  let specificity = -1;
  let q = 0;
  for (const range of ranges) {
    const s = format.specificity(range);
    if (s > specificity) {
      specificity = s;
      q = range.q;
    } else if (s === specificity && s >= 0 && range.q > q) {
      q = range.q;
    }
  }
  return q;
}

function mediaRanges(header: string): Range[] {
  const out: Range[] = [];
  for (const part of header.slice(0, 4096).split(',')) {
    const [type = '', ...params] = part.split(';');
    let q = 1;
    let version: string | undefined;
    let proto: string | undefined;
    let encoding: string | undefined;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq === -1) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const val = param.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (key === 'q') {
        const n = Number(val);
        q = val !== '' && Number.isFinite(n) && n >= 0 && n <= 1 ? n : 0;
      } else if (key === 'version') {
        version = val;
      } else if (key === 'proto') {
        proto = val;
      } else if (key === 'encoding') {
        encoding = val.toLowerCase();
      }
    }
    out.push({ type: type.trim().toLowerCase(), q, version, proto, encoding });
  }
  return out;
}
