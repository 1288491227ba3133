/**
 * A metric family whose series are cells that callers resolve once and then update directly:
 * per observation there is no label object, no hashing and no lookup. Families register in
 * a prom-client registry through its collector interface (`name`, `help`, `type`, `get()`),
 * so prom-client's own serializer, cluster aggregation and Pushgateway see them like any
 * other metric, and promwire's writer renders them from pre-built label text.
 */
import type { MetricObjectWithValues, RegisteredMetric } from './prom';
import { labelText } from './format';

/** Marks promwire families across copies of this package. */
export const FAMILY = Symbol.for('promwire.family');

export interface Series<C> {
  readonly values: readonly string[];
  /** `a="x",b="y"`, escaped, built once. */
  readonly text: string;
  readonly cell: C;
}

export type FamilyType = 'counter' | 'gauge' | 'histogram';

export abstract class Family<C> implements RegisteredMetric {
  readonly [FAMILY] = true;
  /** How prom-client's AggregatorRegistry combines the workers' values. */
  readonly aggregator: 'sum' = 'sum';
  /** Registry key; prom-client may rewrite it while serializing, so rendering uses `familyName`. */
  name: string;
  protected readonly familyName: string;
  protected readonly series: Series<C>[] = [];
  private readonly byKey = new Map<string, C>();

  constructor(
    name: string,
    readonly help: string,
    readonly type: FamilyType,
    readonly labelNames: readonly string[],
  ) {
    this.name = name;
    this.familyName = name;
  }

  /** The cell for these label values (in `labelNames` order), created on first use. */
  cell(values: readonly string[]): C {
    const key = values.join('\u0000');
    let cell = this.byKey.get(key);
    if (cell === undefined) {
      cell = this.newCell();
      this.byKey.set(key, cell);
      this.series.push({ values: [...values], text: labelText(this.labelNames, values), cell });
    }
    return cell;
  }

  get size(): number {
    return this.series.length;
  }

  protected labelsOf(values: readonly string[]): Record<string, string> {
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
    return labels;
  }

  protected abstract newCell(): C;
  abstract reset(): void;
  abstract get(): MetricObjectWithValues;
  /** The family in the text format, `extraLabels` (default labels) appended to every series. */
  abstract render(openMetrics: boolean, extraLabels: string): string;
}

export function isFamily(value: unknown): value is Family<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FAMILY] === true;
}
