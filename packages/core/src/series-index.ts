/**
 * Series ids for a set of label names. Families that share an index store their values in
 * columns indexed by series id, so a caller that resolved a series once records into every
 * family with plain array increments: no label object, no hashing, no lookup.
 *
 * The index also keeps the distinct-value caps (`maxLabelValues`) of its labels: every recorder
 * on a registry shares the index of its families, so they share one allowance per label, and
 * the number of series stays bounded however many recorders write into them.
 */
import { BoundedValues } from './labels';

/** A family whose columns grow with the index it is attached to. */
export interface Columnar {
  grow(capacity: number): void;
}

export class SeriesIndex {
  /** Label values of each series, by id. */
  readonly values: (readonly string[])[] = [];
  private readonly ids = new Map<string, number>();
  private readonly members: Columnar[] = [];
  private readonly bounded: (BoundedValues | undefined)[] = [];
  private cap = 16;

  /** `maxLabelValues`: distinct values each label keeps before `__overflow__` (see {@link admit}). */
  constructor(
    readonly labelNames: readonly string[],
    readonly maxLabelValues = Infinity,
  ) {}

  get size(): number {
    return this.values.length;
  }

  get capacity(): number {
    return this.cap;
  }

  /** Columns of `family` now grow with this index. */
  attach(family: Columnar): void {
    this.members.push(family);
  }

  /**
   * The value to record for label `position` (index into `labelNames`): `value` while the label
   * has fewer than `maxLabelValues` distinct values (or has seen it), `__overflow__` after.
   */
  admit(position: number, value: string): string {
    return (this.bounded[position] ??= new BoundedValues(this.maxLabelValues)).admit(value);
  }

  /** The id of these label values (in `labelNames` order), assigned on first use. */
  id(values: readonly string[]): number {
    const key = values.join('\u0000');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(Object.freeze([...values]));
      this.ids.set(key, id);
      if (id >= this.cap) {
        this.cap *= 2;
        for (const family of this.members) family.grow(this.cap);
      }
    }
    return id;
  }
}

/** A copy of `column` with room for `length` entries. */
export function grown(column: Float64Array, length: number): Float64Array {
  const next = new Float64Array(length);
  next.set(column);
  return next;
}
