/**
 * The ML recorder: the four families of SPEC "ML inference" in one registry, and the series
 * of each (model, runtime) resolved once. A model's inference then costs two clock reads, a
 * gauge increment and decrement, a bucket increment, a sum and, on success, a batch-size
 * bucket: plain typed-array writes, no label objects, no lookups.
 */
import { performance } from 'node:perf_hooks';
import { OVERFLOW_VALUE } from '@promwire/core';
import {
  type CounterFamily, GaugeFamily, HistogramFamily, type SeriesIndex, capLength, indexFor, mlNames, overflowCounter,
  registerFamily,
} from '@promwire/core/adapter';
import type { ResolvedMlOptions } from './options';

const SUCCESS = 'success';
const ERROR = 'error';
/** Families, as indexes into the overflow ids. */
const DURATION = 0;
const IN_FLIGHT = 1;
const BATCH = 2;
const LOAD = 3;

/** The series of one (model, runtime): resolved once, kept by every instrumented model object. */
export class ModelSeries {
  /** Series id of `outcome="error"` in the duration family, -1 until the first error. */
  error = -1;
  /** The model's name was past `maxLabelValues`: each recording counts in the overflow counter. */
  readonly overflowed: boolean;

  constructor(
    /** The recorder these ids belong to. */
    readonly metrics: MlMetrics,
    /** The `model` value recorded: the name, cut to length, or `__overflow__`. */
    readonly model: string,
    readonly runtime: string,
    /** Series id of `outcome="success"` in the duration family. */
    readonly success: number,
    /** Series id in the in-flight gauge and the batch-size histogram. */
    readonly perModel: number,
  ) {
    this.overflowed = model === OVERFLOW_VALUE;
  }
}

export class MlMetrics {
  private readonly duration: HistogramFamily;
  private readonly inFlight: GaugeFamily;
  private readonly batch: HistogramFamily;
  private readonly load: HistogramFamily;
  private readonly overflow: CounterFamily;
  /** `[model, runtime]`: the in-flight gauge and the batch histogram, and the `model` cap. */
  private readonly perModel: SeriesIndex;
  private readonly series = new Map<string, ModelSeries>();
  /** Series ids in the overflow counter of (family, `model`), by family: -1 until first used. */
  private readonly overflowIds = new Int32Array(4).fill(-1);

  constructor(options: ResolvedMlOptions) {
    const { pkg, registry, prefix, maxLabelValues } = options;
    const n = mlNames(prefix);
    const withOutcome = [n.model, n.runtime, n.outcome];
    const byModel = [n.model, n.runtime];
    const settings = { maxLabelValues };
    this.perModel = indexFor(registry, n.inFlight, byModel, maxLabelValues);
    this.duration = registerFamily(
      pkg, registry,
      withSettings(new HistogramFamily(n.inferenceDuration, 'Duration of model inferences in seconds, from the call until its result or error.', indexFor(registry, n.inferenceDuration, withOutcome), options.inferenceBuckets), settings),
      'inferenceBuckets',
    );
    this.inFlight = registerFamily(
      pkg, registry,
      withSettings(new GaugeFamily(n.inFlight, 'Number of model inferences running.', this.perModel), settings),
    );
    this.batch = registerFamily(
      pkg, registry,
      withSettings(new HistogramFamily(n.batchSize, 'Batch size of successful model inferences: the first dimension of the first input tensor.', this.perModel, options.batchBuckets), settings),
      'batchBuckets',
    );
    this.load = registerFamily(
      pkg, registry,
      withSettings(new HistogramFamily(n.loadDuration, 'Duration of model loads in seconds, from the call until the model is ready or the load failed.', indexFor(registry, n.loadDuration, withOutcome), options.loadBuckets), settings),
      'loadBuckets',
    );
    this.overflow = overflowCounter(pkg, registry, prefix);
    // From the families registered, which may be those of an earlier call with this registry.
  }

  /** The series of `model` on `runtime`; the model name counts against `maxLabelValues`. */
  seriesFor(model: string, runtime: string): ModelSeries {
    const key = `${model}\u0000${runtime}`;
    const known = this.series.get(key);
    if (known !== undefined) return known;
    const value = this.perModel.admit(0, capLength(model));
    const series = new ModelSeries(
      this, value, runtime,
      this.duration.index.id([value, runtime, SUCCESS]),
      this.perModel.id([value, runtime]),
    );
    // A name past the cap is not remembered, so the cache stays bounded.
    if (!series.overflowed) this.series.set(key, series);
    return series;
  }

  /** An inference of `s` starts. */
  begin(s: ModelSeries): void {
    this.inFlight.values[s.perModel]!++;
  }

  /**
   * The inference of `s` that began at `start` (`performance.now()`) ended: `ok` false when it
   * threw or rejected. `batch` is its batch size, or -1 for none; recorded for successes.
   */
  end(s: ModelSeries, start: number, ok: boolean, batch: number): void {
    const seconds = (performance.now() - start) / 1000;
    this.inFlight.values[s.perModel]!--;
    const observeBatch = ok && batch >= 0;
    if (ok) {
      this.duration.observe(s.success, seconds);
      if (observeBatch) this.batch.observe(s.perModel, batch);
    } else {
      const id = s.error >= 0 ? s.error : (s.error = this.duration.index.id([s.model, s.runtime, ERROR]));
      this.duration.observe(id, seconds);
    }
    if (s.overflowed) {
      this.countOverflow(DURATION);
      this.countOverflow(IN_FLIGHT);
      if (observeBatch) this.countOverflow(BATCH);
    }
  }

  /** A load of `model` on `runtime` took `seconds` (`ok` false: it failed). */
  loaded(model: string, runtime: string, seconds: number, ok: boolean): void {
    const value = this.perModel.admit(0, capLength(model));
    if (value === OVERFLOW_VALUE) this.countOverflow(LOAD);
    this.load.observe(this.load.index.id([value, runtime, ok ? SUCCESS : ERROR]), seconds);
  }

  /** One value of `model` recorded as `__overflow__` in family `which`. */
  private countOverflow(which: number): void {
    let id = this.overflowIds[which]!;
    if (id < 0) {
      const family = [this.duration, this.inFlight, this.batch, this.load][which]!;
      id = this.overflowIds[which] = this.overflow.index.id([family.familyName, this.perModel.labelNames[0]!]);
    }
    this.overflow.values[id]!++;
  }
}

function withSettings<F extends { settings: Readonly<Record<string, unknown>> }>(family: F, settings: Record<string, unknown>): F {
  family.settings = settings;
  return family;
}
