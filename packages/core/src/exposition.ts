/**
 * Writes a whole registry in the Prometheus text format 0.0.4 or OpenMetrics 1.0.0, from one
 * registry whichever the scraper asked for. promwire families render themselves from pre-built
 * label text; any other metric (the user's own prom-client metrics, default process metrics)
 * is written from its `get()`.
 *
 * A render never holds the event loop for the whole registry: it is made in slices of at most
 * {@link SAMPLES_PER_TURN} samples (or {@link BYTES_PER_TURN} bytes) and yields to the event
 * loop between them (`setImmediate`, so pending I/O runs first). A family bigger than a slice
 * is cut between series, never inside one: a series' samples (a histogram's buckets, `_sum`
 * and `_count`) are read in one turn and agree; two series, or two families, may be read a few
 * milliseconds apart. Each client metric's `get()` is that client's own synchronous work and
 * runs in a turn of its own; it cannot be cut (a client counter with 100,000 series spends tens
 * of milliseconds in it, see docs/scrape-scale.md).
 */
import { type MetricObjectWithValues, type MetricSample, type RegisteredMetric, type Registry, defaultLabelsOf, metricsOf } from './prom';
import { type Family, isFamily } from './family';
import { type DefaultLabels, braces, canonicalLabelNumber, defaultLabels, escapeLabelValue, formatValue, header } from './format';

/** Content type of the Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Samples written in one turn of the event loop before the render yields. */
export const SAMPLES_PER_TURN = 2048;
/**
 * Samples per slice, the unit written and encoded at once. Kept small (tens of kilobytes of
 * text) so a slice's string stays in V8's young generation and dies there: slices of hundreds of
 * kilobytes go to the old generation and bring its long mark-compact pauses.
 */
const SAMPLES_PER_SLICE = 512;
/** Bytes written in one turn before the render yields. */
export const BYTES_PER_TURN = 256 * 1024;
/** Bytes copied into the finished body in one turn (a copy is far cheaper than writing). */
const COPY_BYTES_PER_TURN = 4 * 1024 * 1024;

/** How much work one turn may do: `samples` per turn, `bytes` per turn. */
export interface TurnBudget {
  samples: number;
  bytes: number;
}

const DEFAULT_BUDGET: TurnBudget = { samples: SAMPLES_PER_TURN, bytes: BYTES_PER_TURN };

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The exposition of every metric in `registry`, as one string. Rejects with the collector's
 * error when one throws, so a caller never sends half an exposition.
 *
 * The registry's default labels go on every series that has no label of that name itself: a
 * series' own value wins, as in prom-client's writer. In OpenMetrics, `le` and `quantile`
 * values are written in their canonical form (`1.0`, `1e+06`) and TYPE comes before HELP; the
 * 0.0.4 text keeps what prom-client writes (`le="1"`), so no existing series changes name.
 *
 * Rendered in slices, yielding to the event loop between them; joining the slices into one
 * string is the one step done at once (the endpoint uses {@link renderRegistryBody}, which
 * never joins).
 *
 * @example
 * const text = await renderRegistry(registry, false);
 */
export async function renderRegistry(registry: Registry, openMetrics: boolean): Promise<string> {
  const parts: string[] = [];
  for await (const slice of registrySlices(registry, openMetrics, DEFAULT_BUDGET)) parts.push(slice);
  return parts.join('');
}

/**
 * {@link renderRegistry} as the UTF-8 body the endpoint sends: each slice encoded in its own
 * turn into one buffer, so no step of a scrape, whatever the registry's size, holds the event
 * loop for long. `sizeHint`: the size of the last such body, which the buffer starts from.
 */
export async function renderRegistryBody(
  registry: Registry,
  openMetrics: boolean,
  budget: TurnBudget = DEFAULT_BUDGET,
  sizeHint = 0,
): Promise<Buffer> {
  return bodyOf(registrySlices(registry, openMetrics, budget), sizeHint);
}

/**
 * The registry in one synchronous pass: the reference the sliced render is tested against,
 * byte for byte.
 */
export async function renderRegistryAtOnce(registry: Registry, openMetrics: boolean): Promise<string> {
  const values = defaultLabelsOf(registry);
  const defaults = defaultLabels(values);
  const parts = await Promise.all(
    metricsOf(registry).map(async (metric) =>
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

/** {@link renderSnapshots} as a body made in slices, yielding to the event loop between them. */
export async function renderSnapshotsInTurns(
  metrics: readonly MetricObjectWithValues[],
  openMetrics: boolean,
  budget: TurnBudget = DEFAULT_BUDGET,
): Promise<Buffer> {
  async function* slices(): AsyncGenerator<string> {
    const turn = new Turn(budget);
    for (const metric of metrics) yield* objectSlices(metric, openMetrics, {}, turn);
    if (openMetrics) yield '# EOF\n';
  }
  return bodyOf(slices());
}

/** Counts the work of the current turn and yields to the event loop when it is spent. */
class Turn {
  private samples = 0;
  private bytes = 0;

  constructor(readonly budget: TurnBudget) {}

  /** Series of `samplesPerSeries` samples that fit in one slice (at least one). */
  seriesPerSlice(samplesPerSeries: number): number {
    return Math.max(1, Math.floor(Math.min(this.budget.samples, SAMPLES_PER_SLICE) / samplesPerSeries));
  }

  /** Adds a slice's work; resolves in a later turn of the event loop when the budget is spent. */
  async spend(samples: number, bytes: number): Promise<void> {
    this.samples += samples;
    this.bytes += bytes;
    if (this.samples >= this.budget.samples || this.bytes >= this.budget.bytes) await this.yield();
  }

  async yield(): Promise<void> {
    this.samples = 0;
    this.bytes = 0;
    await nextTurn();
  }
}

/**
 * The registry's exposition in slices. Every client metric's `get()` is started first, one per
 * turn and without waiting for the previous ones (asynchronous collectors run side by side, as in
 * the clients' own serializers); then each metric is written in registry order, big ones cut
 * into slices. A rejected `get()` rejects the render at that metric, before anything after it.
 */
async function* registrySlices(registry: Registry, openMetrics: boolean, budget: TurnBudget): AsyncGenerator<string> {
  const values = defaultLabelsOf(registry);
  const defaults = defaultLabels(values);
  const metrics = metricsOf(registry);
  const turn = new Turn(budget);
  const answers: (Promise<MetricObjectWithValues> | undefined)[] = [];
  for (const metric of metrics) {
    if (isFamily(metric)) {
      answers.push(undefined);
      continue;
    }
    const answer = collect(metric);
    answer.catch(() => undefined); // observed below, in order; a later one may never be awaited
    answers.push(answer);
    await turn.yield();
  }
  for (let m = 0; m < metrics.length; m++) {
    const metric = metrics[m]!;
    if (isFamily(metric)) yield* familySlices(metric, openMetrics, defaults, turn);
    else yield* objectSlices(await answers[m]!, openMetrics, values, turn);
  }
  if (openMetrics) yield '# EOF\n';
}

/** The metric's `get()`, a throw turned into a rejection. */
async function collect(metric: RegisteredMetric): Promise<MetricObjectWithValues> {
  return metric.get();
}

async function* familySlices(
  family: Family,
  openMetrics: boolean,
  defaults: DefaultLabels,
  turn: Turn,
): AsyncGenerator<string> {
  const extra = family.extraLabels(defaults);
  const perSeries = family.samplesPerSeries();
  const step = turn.seriesPerSlice(perSeries);
  // Series added while the family is being written are left for the next scrape.
  const size = family.index.size;
  let from = 0;
  do {
    const to = Math.min(size, from + step);
    const slice = family.write(openMetrics, extra, from, to);
    yield slice;
    await turn.spend((to - from) * perSeries, slice.length);
    from = to;
  } while (from < size);
}

async function* objectSlices(
  metric: MetricObjectWithValues,
  openMetrics: boolean,
  defaults: Readonly<Record<string, string | number>>,
  turn: Turn,
): AsyncGenerator<string> {
  const count = metric.values.length;
  const step = turn.seriesPerSlice(1);
  let from = 0;
  do {
    const to = Math.min(count, from + step);
    const slice = renderObject(metric, openMetrics, defaults, from, to);
    yield slice;
    await turn.spend(to - from, slice.length);
    from = to;
  } while (from < count);
}

/**
 * The slices as one UTF-8 buffer, each written into it as it comes. The buffer is allocated once,
 * at `sizeHint` (the last body of the same kind) plus an eighth, and doubled, copying
 * {@link COPY_BYTES_PER_TURN} bytes per turn, only when the body outgrows it: V8 collects its old
 * generation each time external memory grows by some tens of megabytes, so a body gathered from
 * thousands of small buffers brought several full collections into every big scrape.
 */
async function bodyOf(slices: AsyncIterable<string>, sizeHint = 0): Promise<Buffer> {
  let body: Buffer = Buffer.allocUnsafeSlow(Math.max(MIN_BODY_BYTES, Math.ceil(sizeHint * 1.125)));
  let length = 0;
  for await (const slice of slices) {
    const room = slice.length * 3; // a UTF-16 unit is at most 3 bytes of UTF-8
    if (length + room > body.length) body = await grownBody(body, length, Math.max(body.length * 2, length + room));
    length += body.write(slice, length, 'utf8');
  }
  return body.subarray(0, length);
}

const MIN_BODY_BYTES = 16 * 1024;

/** A buffer of `size` bytes holding the first `length` bytes of `body`, copied in turns. */
async function grownBody(body: Buffer, length: number, size: number): Promise<Buffer> {
  const next = Buffer.allocUnsafeSlow(size);
  for (let at = 0; at < length; at += COPY_BYTES_PER_TURN) {
    body.copy(next, at, at, Math.min(length, at + COPY_BYTES_PER_TURN));
    if (at + COPY_BYTES_PER_TURN < length) await nextTurn();
  }
  return next;
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
