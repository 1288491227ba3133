/** Reading `Accept` and `Accept-Encoding` for the metrics endpoint. Never throws. */

/** True when `accept` lists `application/openmetrics-text` with a q above 0. */
export function wantsOpenMetrics(accept: string | string[] | undefined): boolean {
  const value = Array.isArray(accept) ? accept.join(',') : accept;
  if (value === undefined || !value.toLowerCase().includes('application/openmetrics-text')) return false;
  return mediaRanges(value).some(
    (r) => r.type === 'application/openmetrics-text' && r.q > 0 && (r.version === undefined || r.version === '1.0.0' || r.version === '0.0.1'),
  );
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
}

function mediaRanges(header: string): Range[] {
  const out: Range[] = [];
  for (const part of header.slice(0, 4096).split(',')) {
    const [type = '', ...params] = part.split(';');
    let q = 1;
    let version: string | undefined;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq === -1) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const val = param.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (key === 'q') {
        const n = Number(val);
        q = Number.isFinite(n) ? n : 0;
      } else if (key === 'version') {
        version = val;
      }
    }
    out.push({ type: type.trim().toLowerCase(), q, version });
  }
  return out;
}
