// The demo's summary of one scrape: the Prometheus text format read into samples, quantiles
// estimated from histogram buckets the way PromQL's histogram_quantile does, and the tables the
// demo prints (requests per route, ML inference, GenAI).

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Samples of a text exposition (0.0.4): `{ name, labels, value }`; comments skipped. */
export function parseSamples(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) continue;
    const labels = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL)) labels[k] = v.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** Samples grouped by the values of `keys` (a Map from the joined key to { labels, samples }). */
function groupBy(samples, keys) {
  const groups = new Map();
  for (const s of samples) {
    const key = keys.map((k) => s.labels[k] ?? '').join('\u0000');
    if (!groups.has(key)) groups.set(key, { labels: Object.fromEntries(keys.map((k) => [k, s.labels[k] ?? ''])), samples: [] });
    groups.get(key).samples.push(s);
  }
  return [...groups.values()];
}

/**
 * The q-quantile of cumulative buckets `[{ le, count }]`, as histogram_quantile estimates it:
 * linear within the bucket holding the rank, the lowest bucket starting at 0, a rank in +Inf
 * answered with the highest finite bound. NaN when there is no observation.
 */
export function quantile(q, buckets) {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const { le, count } of sorted) {
    if (count >= rank) {
      if (le === Infinity) return lower;
      return count === below ? le : lower + ((le - lower) * (rank - below)) / (count - below);
    }
    lower = le;
    below = count;
  }
  return lower;
}

/** Sum of the buckets of histogram `name` per `keys`, with count, sum, p50 and p95. */
function histograms(samples, name, keys, filter = () => true) {
  const buckets = samples.filter((s) => s.name === `${name}_bucket` && filter(s));
  return groupBy(buckets, keys).map(({ labels, samples: group }) => {
    const byLe = new Map();
    for (const s of group) {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      byLe.set(le, (byLe.get(le) ?? 0) + s.value);
    }
    const cumulative = [...byLe].map(([le, count]) => ({ le, count }));
    const match = (s) => keys.every((k) => (s.labels[k] ?? '') === labels[k]) && filter(s);
    const count = samples.filter((s) => s.name === `${name}_count` && match(s)).reduce((n, s) => n + s.value, 0);
    const sum = samples.filter((s) => s.name === `${name}_sum` && match(s)).reduce((n, s) => n + s.value, 0);
    return { labels, count, sum, p50: quantile(0.5, cumulative), p95: quantile(0.95, cumulative) };
  });
}

const ms = (seconds) => (Number.isNaN(seconds) ? '-' : seconds < 0.01 ? `${Number((seconds * 1000).toPrecision(2))} ms` : `${(seconds * 1000).toFixed(0)} ms`);

/** Rows as aligned columns; the first row is the header. */
export function table(rows, indent = '  ') {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => indent + r.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/**
 * The tables of one scrape: HTTP requests per route/method/status with p50/p95 from the duration
 * buckets, ML inferences per model/runtime, and GenAI requests, tokens, TTFT and TPOT per model
 * (each section only when its metrics are present). Answers { text, figures }.
 */
export function summarize(text) {
  const samples = parseSamples(text);
  const sections = [];
  const figures = { requests: 0, routes: 0, inferences: 0, genaiRequests: 0, tokens: 0 };

  const http = histograms(samples, 'http_request_duration_seconds', ['route', 'method', 'status_code'])
    .sort((a, b) => a.labels.route.localeCompare(b.labels.route) || a.labels.status_code.localeCompare(b.labels.status_code));
  if (http.length > 0) {
    figures.requests = http.reduce((n, h) => n + h.count, 0);
    figures.routes = new Set(http.map((h) => h.labels.route)).size;
    sections.push('HTTP requests (http_requests_total, http_request_duration_seconds):', table([
      ['route', 'method', 'status', 'requests', 'p50', 'p95'],
      ...http.map((h) => [h.labels.route, h.labels.method, h.labels.status_code, h.count, ms(h.p50), ms(h.p95)]),
    ]));
  }

  const ml = histograms(samples, 'ml_inference_duration_seconds', ['model', 'runtime', 'outcome']);
  if (ml.length > 0) {
    const batches = histograms(samples, 'ml_inference_batch_size', ['model', 'runtime']);
    const loads = histograms(samples, 'ml_model_load_duration_seconds', ['model', 'runtime']);
    const find = (list, l) => list.find((b) => b.labels.model === l.model && b.labels.runtime === l.runtime);
    figures.inferences = ml.reduce((n, h) => n + h.count, 0);
    sections.push('Model inferences (ml_inference_duration_seconds, ml_inference_batch_size, ml_model_load_duration_seconds):', table([
      ['model', 'runtime', 'outcome', 'inferences', 'p50', 'p95', 'rows (mean batch)', 'model load'],
      ...ml.map((h) => {
        const b = find(batches, h.labels);
        const load = find(loads, h.labels);
        return [h.labels.model, h.labels.runtime, h.labels.outcome, h.count, ms(h.p50), ms(h.p95),
          b ? `${b.sum} (${(b.sum / b.count).toFixed(1)})` : '-', load && load.count > 0 ? ms(load.sum / load.count) : '-'];
      }),
    ]));
  }

  const genai = histograms(samples, 'gen_ai_server_request_duration_seconds', ['gen_ai_operation_name', 'gen_ai_request_model', 'stream', 'error_type']);
  if (genai.length > 0) {
    const tokens = (l, type) => samples
      .filter((s) => s.name === 'gen_ai_server_tokens_total' && s.labels.gen_ai_token_type === type
        && s.labels.gen_ai_operation_name === l.gen_ai_operation_name && s.labels.gen_ai_request_model === l.gen_ai_request_model)
      .reduce((n, s) => n + s.value, 0);
    const perModel = (name) => histograms(samples, name, ['gen_ai_operation_name', 'gen_ai_request_model']);
    const [ttft, tpot] = [perModel('gen_ai_server_time_to_first_token_seconds'), perModel('gen_ai_server_time_per_output_token_seconds')];
    const find = (list, l) => list.find((h) => h.labels.gen_ai_operation_name === l.gen_ai_operation_name && h.labels.gen_ai_request_model === l.gen_ai_request_model);
    const models = groupBy(genai.map((g) => ({ labels: g.labels })), ['gen_ai_operation_name', 'gen_ai_request_model']).map((g) => g.labels);
    figures.genaiRequests = genai.reduce((n, h) => n + h.count, 0);
    figures.tokens = models.reduce((n, l) => n + tokens(l, 'input') + tokens(l, 'output'), 0);
    sections.push('Generative AI (gen_ai_server_*):', table([
      ['operation', 'model', 'stream', 'error', 'requests', 'p50', 'p95'],
      ...genai.map((h) => [h.labels.gen_ai_operation_name, h.labels.gen_ai_request_model, h.labels.stream, h.labels.error_type || '-', h.count, ms(h.p50), ms(h.p95)]),
    ]), table([
      ['operation', 'model', 'input tokens', 'output tokens', 'TTFT p50', 'TTFT p95', 'TPOT p50', 'TPOT p95'],
      ...models.map((l) => {
        const [t, p] = [find(ttft, l), find(tpot, l)];
        return [l.gen_ai_operation_name, l.gen_ai_request_model, tokens(l, 'input'), tokens(l, 'output'), ms(t?.p50 ?? NaN), ms(t?.p95 ?? NaN), ms(p?.p50 ?? NaN), ms(p?.p95 ?? NaN)];
      }),
    ]));
  }
  const overflow = samples.filter((s) => s.name === 'promwire_label_overflow_total' && s.value > 0);
  if (overflow.length > 0) sections.push(`Label overflow: ${overflow.map((s) => `${s.labels.metric}/${s.labels.label} ${s.value}`).join(', ')}`);
  return { text: sections.join('\n'), figures };
}
