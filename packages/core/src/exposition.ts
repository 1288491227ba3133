/**
 * Writes a whole registry in the Prometheus text format 0.0.4 or OpenMetrics 1.0.0, from one
 * registry whichever the scraper asked for. promwire families render themselves from pre-built
 * label text; any other metric (the user's own prom-client metrics, default process metrics)
 * is written from its `get()`.
 */
import { type MetricObjectWithValues, type MetricSample, type Registry, defaultLabelsOf, metricsOf } from './prom';
import { isFamily } from './family';
import { braces, canonicalLabelNumber, defaultLabels, escapeLabelValue, formatValue, header } from './format';

/** Content type of the Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/**
 * The exposition of every metric in `registry`. Rejects with the collector's error when one
 * throws, so a caller never sends half an exposition.
 *
 * The registry's default labels go on every series that has no label of that name itself: a
 * series' own value wins, as in prom-client's writer. In OpenMetrics, `le` and `quantile`
 * values are written in their canonical form (`1.0`, `1e+06`) and TYPE comes before HELP; the
 * 0.0.4 text keeps what prom-client writes (`le="1"`), so no existing series changes name.
 */
export async function renderRegistry(registry: Registry, openMetrics: boolean): Promise<string> {
  const values = defaultLabelsOf(registry);
  const defaults = defaultLabels(values);
  const metrics = metricsOf(registry);
  const parts = await Promise.all(
    metrics.map(async (metric) =>
      isFamily(metric) ? metric.render(openMetrics, defaults) : renderObject(await metric.get(), openMetrics, values),
    ),
  );
  const body = parts.join('');
  return openMetrics ? `${body}# EOF\n` : body;
}

/**
 * The exposition of metrics given as `get()` answers (each name once, series already carrying
 * every label they should show): what a cluster primary serves from its workers' values.
 */
export function renderSnapshots(metrics: readonly MetricObjectWithValues[], openMetrics: boolean): string {
  let body = '';
  for (const metric of metrics) body += renderObject(metric, openMetrics, {});
  return openMetrics ? `${body}# EOF\n` : body;
}

/** {@link renderSnapshots} in turns of `samplesPerTurn` samples, yielding to the event loop between them. */
export async function renderSnapshotsInTurns(
  metrics: readonly MetricObjectWithValues[],
  openMetrics: boolean,
  samplesPerTurn = 4096,
): Promise<string> {
  const parts: string[] = [];
  let written = 0;
  for (const metric of metrics) {
    const count = metric.values.length;
    let from = 0;
    do {
      const to = Math.min(count, from + samplesPerTurn);
      parts.push(renderObject(metric, openMetrics, {}, from, to));
      written += to - from;
      from = to;
      if (written >= samplesPerTurn) {
        written = 0;
        await new Promise(setImmediate);
      }
    } while (from < count);
  }
  if (openMetrics) parts.push('# EOF\n');
  return parts.join('');
}

const OPENMETRICS_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'info', 'stateset', 'gaugehistogram']);

/** The label whose value is a number with a canonical OpenMetrics form, per metric type. */
const NUMERIC_LABEL: Readonly<Record<string, string>> = { histogram: 'le', gaugehistogram: 'le', summary: 'quantile' };

/** The metric's header (when `from` is 0) and its samples `from` … `to` (default: all). */
function renderObject(
  metric: MetricObjectWithValues,
  openMetrics: boolean,
  defaults: Readonly<Record<string, string | number>>,
  from = 0,
  to = metric.values.length,
): string {
  const isCounter = metric.type === 'counter';
  let type = metric.type;
  if (openMetrics && !OPENMETRICS_TYPES.has(type)) type = 'unknown';
  const family = openMetrics && isCounter ? metric.name.replace(/_total$/, '') : metric.name;
  const numeric = openMetrics ? NUMERIC_LABEL[metric.type] : undefined;
  let out = from === 0 ? header(family, metric.help, type, openMetrics) : '';
  const samples = metric.values as MetricSample[];
  for (let i = from; i < to; i++) {
    const sample = samples[i]!;
    let name = sample.metricName ?? metric.name;
    if (openMetrics && isCounter && sample.metricName === undefined) name = `${family}_total`;
    out += `${name}${braces(labelsText(sample.labels, defaults, numeric), '')} ${formatValue(sample.value)}`;
    const ex = sample.exemplar;
    if (openMetrics && ex != null && typeof ex.value === 'number' && ex.labelSet != null && Object.keys(ex.labelSet).length > 0) {
      out += ` # {${labelsText(ex.labelSet, {}, undefined)}} ${formatValue(ex.value)}`;
      if (ex.timestamp !== undefined) out += ` ${ex.timestamp}`;
    }
    out += '\n';
  }
  return out;
}

/**
 * A sample's labels then the default labels it does not have itself; `numeric` names the
 * label (`le`, `quantile`) written in canonical OpenMetrics form, if any.
 */
function labelsText(
  labels: Partial<Record<string, string | number>> | undefined,
  defaults: Readonly<Record<string, string | number>>,
  numeric: string | undefined,
): string {
  let out = '';
  const add = (name: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    if (out !== '') out += ',';
    const text = name === numeric ? canonicalLabelNumber(value) : typeof value === 'number' ? formatValue(value) : String(value);
    out += `${name}="${escapeLabelValue(text)}"`;
  };
  if (labels !== undefined) for (const name of Object.keys(labels)) add(name, labels[name]);
  for (const name of Object.keys(defaults)) {
    if (labels === undefined || labels[name] === undefined) add(name, defaults[name]);
  }
  return out;
}
