/**
 * A metric family stored in columns indexed by series id (see `SeriesIndex`). Families register
 * in a prom-client registry through its collector interface (`name`, `help`, `type`, `get()`),
 * so prom-client's own serializer, cluster aggregation and the Pushgateway see them like any
 * other metric, and promwire's writer renders them straight from the columns.
 */
import type { MetricObjectWithValues, RegisteredMetric } from './prom';
import { type Columnar, SeriesIndex } from './series-index';
import { type DefaultLabels, labelText, unshadowedDefaults } from './format';

/** Marks promwire families across copies of this package. */
export const FAMILY = Symbol.for('promwire.family');

export type FamilyType = 'counter' | 'gauge' | 'histogram';

export abstract class Family implements RegisteredMetric, Columnar {
  readonly [FAMILY] = true;
  /** How prom-client's AggregatorRegistry combines the workers' values. */
  readonly aggregator: 'sum' = 'sum';
  /** Registry key; prom-client may rewrite it while serializing, so rendering uses `familyName`. */
  name: string;
  /**
   * Options that shape the recorded values without showing in the family's type, labels or
   * buckets (`groupStatusCodes`); a second registration must agree on them.
   */
  settings: Readonly<Record<string, unknown>> = {};
  readonly familyName: string;

  constructor(
    name: string,
    readonly help: string,
    readonly type: FamilyType,
    readonly index: SeriesIndex,
  ) {
    this.name = name;
    this.familyName = name;
  }

  get labelNames(): readonly string[] {
    return this.index.labelNames;
  }

  /** `a="x",b="y"` for series `id`, `extraLabels` (the unshadowed default labels) appended. */
  protected labels(id: number, extraLabels: string): string {
    const text = labelText(this.index.labelNames, this.index.values[id]!);
    if (extraLabels === '') return text;
    return text === '' ? extraLabels : `${text},${extraLabels}`;
  }

  /** The labels of series `id` as an object (a new one per call: `get()` callers may mutate it). */
  protected labelObject(id: number): Record<string, string | number> {
    const labels: Record<string, string | number> = {};
    const names = this.index.labelNames;
    const values = this.index.values[id]!;
    for (let i = 0; i < names.length; i++) labels[names[i]!] = values[i] ?? '';
    return labels;
  }

  abstract grow(capacity: number): void;
  abstract reset(): void;
  abstract get(): MetricObjectWithValues;
  /**
   * The family in the 0.0.4 text or OpenMetrics, the registry's default labels appended to every
   * series except those the family has itself: the series' own value wins, as in prom-client.
   * One pass; the registry's writer renders big families in slices with {@link write}.
   */
  render(openMetrics: boolean, defaults: DefaultLabels): string {
    return this.write(openMetrics, this.extraLabels(defaults), 0, this.index.size);
  }

  /** The default labels to append to this family's series (computed once per render). */
  extraLabels(defaults: DefaultLabels): string {
    return unshadowedDefaults(defaults, this.index.labelNames);
  }

  /** Lines each series writes (a histogram: its buckets, `_sum` and `_count`). */
  samplesPerSeries(): number {
    return 1;
  }

  /**
   * The lines of series `from` … `to` (exclusive), `extraLabels` (label text, possibly '')
   * appended to every series; the family's header first when `from` is 0. A series is always
   * written whole, so its samples (a histogram's buckets, sum and count) agree with each other.
   */
  abstract write(openMetrics: boolean, extraLabels: string, from: number, to: number): string;
}

export function isFamily(value: unknown): value is Family {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FAMILY] === true;
}
