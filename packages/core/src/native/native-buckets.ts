/**
 * Sparse exponential buckets of one native-histogram series, as Prometheus defines them: at
 * schema `s`, bucket `k` holds the values in (2^((k-1)/2^s), 2^(k/2^s)], its negative twin the
 * same range below zero; values within `zeroThreshold` of zero go to the zero bucket. Only
 * buckets that were hit exist. When more than `maxBuckets` exist, the schema drops by one
 * (each pair of neighbours merges), as often as needed. Count and sum are not kept here: the
 * histogram family keeps them once for its classic and native parts.
 */
import type { NativeSettings } from './native-options';

/** Lowest schema Prometheus accepts: bucket width factor 2^16. */
export const MIN_SCHEMA = -4;
/** Highest schema Prometheus accepts: bucket width factor 2^(1/256). */
export const MAX_SCHEMA = 8;

/**
 * The schema of a bucket width factor: the highest resolution whose factor between neighbouring
 * bounds (2^(2^-schema)) is at most `factor`, clamped to −4 … 8 (as client_golang picks it).
 * 1.1 gives schema 3 (factor 2^(1/8) ≈ 1.0905).
 *
 * @example
 * schemaForFactor(1.1); // 3
 * schemaForFactor(2); // 0
 */
export function schemaForFactor(factor: number): number {
  const floor = Math.floor(Math.log2(Math.log2(factor)));
  return Math.min(MAX_SCHEMA, Math.max(MIN_SCHEMA, 0 - floor));
}

/**
 * The ratio between the upper and lower bound of every bucket at `schema`, 2^(2^-schema)
 * (schema 3: 1.0905). A quantile Prometheus estimates lies in the same bucket as the true one, so
 * its relative error is below this factor − 1 (schema 3: 9.05 %).
 */
export function bucketWidthFactor(schema: number): number {
  return 2 ** (2 ** -schema);
}

/** The upper bound of bucket `key` at `schema`: 2^(key / 2^schema). */
export function upperBound(key: number, schema: number): number {
  return 2 ** (key * 2 ** -schema);
}

/**
 * Fractions of the bucket bounds within one power of two, [0.5, 1), per positive schema, computed
 * as 2^(i / 2^schema) / 2. client_golang writes these as literals, some one unit in the last
 * place lower (2^(4/8) / 2: 0.7071067811865475 there, the correctly rounded …476 here), so a
 * value within one ulp of such a bound may land one bucket apart from client_golang's choice.
 */
const FRACTIONS: readonly (readonly number[])[] = Array.from({ length: MAX_SCHEMA + 1 }, (_, schema) =>
  Array.from({ length: 2 ** schema }, (_, i) => 2 ** (i / 2 ** schema) / 2),
);

/** Scratch space to read a double's exponent bits (frexp); shared, never held across calls. */
const SCRATCH = new Float64Array(1);
const SCRATCH_HIGH = new Uint32Array(SCRATCH.buffer, 4, 1);

/**
 * The key of the bucket holding the finite, positive `value` at `schema`. The value is split as
 * frac × 2^exp with frac in [0.5, 1); the power of two picks the group of 2^schema buckets and
 * a binary search of frac among the group's bounds the bucket (an exact bound belongs to the
 * bucket it closes). Infinity lands one past the bucket of the largest double.
 *
 * @example
 * bucketKey(1, 3); // 0: (2^(-1/8), 1]
 * bucketKey(1.5, 0); // 1: (1, 2]
 */
export function bucketKey(value: number, schema: number): number {
  if (value === Infinity) return bucketKey(Number.MAX_VALUE, schema) + 1;
  SCRATCH[0] = value;
  let biased = (SCRATCH_HIGH[0]! >>> 20) & 0x7ff;
  let shift = 0;
  if (biased === 0) {
    // Subnormal: scale into the normal range first.
    SCRATCH[0] = value * 2 ** 64;
    biased = (SCRATCH_HIGH[0]! >>> 20) & 0x7ff;
    shift = 64;
  }
  const exp = biased - 1022 - shift;
  SCRATCH_HIGH[0] = (SCRATCH_HIGH[0]! & 0x800fffff) | (1022 << 20);
  const frac = SCRATCH[0]!;
  if (schema > 0) {
    const bounds = FRACTIONS[schema]!;
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bounds[mid]! < frac) lo = mid + 1;
      else hi = mid;
    }
    return lo + (exp - 1) * bounds.length;
  }
  const key = frac === 0.5 ? exp - 1 : exp;
  return Math.ceil(key / 2 ** -schema) + 0; // + 0: never -0
}

export class NativeBuckets {
  schema: number;
  zeroThreshold: number;
  zeroCount = 0;
  readonly positive = new Map<number, number>();
  readonly negative = new Map<number, number>();

  constructor(private readonly settings: NativeSettings) {
    this.schema = settings.schema;
    this.zeroThreshold = settings.zeroThreshold;
  }

  /** Counts `value` in its bucket (NaN in the zero bucket, so the buckets add up to the count). */
  observe(value: number): void {
    if (value > this.zeroThreshold) add(this.positive, bucketKey(value, this.schema));
    else if (value < -this.zeroThreshold) add(this.negative, bucketKey(-value, this.schema));
    else {
      this.zeroCount++;
      return;
    }
    if (this.positive.size + this.negative.size > this.settings.maxBuckets) this.reduce();
  }

  /** Halves the resolution until the bucket count is within the cap, or the schema is −4. */
  private reduce(): void {
    while (this.positive.size + this.negative.size > this.settings.maxBuckets && this.schema > MIN_SCHEMA) {
      this.schema--;
      merged(this.positive);
      merged(this.negative);
    }
  }

  /** Back to the configured schema and zero threshold, every bucket empty (client_golang's reset). */
  reset(): void {
    this.schema = this.settings.schema;
    this.zeroThreshold = this.settings.zeroThreshold;
    this.zeroCount = 0;
    this.positive.clear();
    this.negative.clear();
  }
}

function add(buckets: Map<number, number>, key: number): void {
  buckets.set(key, (buckets.get(key) ?? 0) + 1);
}

/** Replaces the buckets with those one schema lower: key k joins ⌈k / 2⌉. */
function merged(buckets: Map<number, number>): void {
  const entries = [...buckets];
  buckets.clear();
  for (const [key, count] of entries) {
    const wider = Math.ceil(key / 2) + 0;
    buckets.set(wider, (buckets.get(wider) ?? 0) + count);
  }
}

/** A run of consecutive bucket keys and the delta-encoded counts of its buckets. */
export interface Spans {
  spans: { offset: number; length: number }[];
  deltas: number[];
}

/**
 * The buckets as the protobuf exposition carries them: keys ascending in spans (the first span's
 * offset is its first key, each later one's the gap since the previous span), a gap of one or
 * two empty buckets filled with zeros rather than starting a span (cheaper on the wire, as
 * client_golang does), and each count as the difference from the previous bucket's.
 */
export function spansOf(buckets: ReadonlyMap<number, number>): Spans {
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  let previousKey = 0;
  let previousCount = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const gap = key - previousKey - 1;
    if (i === 0 || gap > 2) {
      spans.push({ offset: i === 0 ? key : gap, length: 0 });
    } else {
      for (let g = 0; g < gap; g++) {
        deltas.push(0 - previousCount);
        previousCount = 0;
        spans[spans.length - 1]!.length++;
      }
    }
    const count = buckets.get(key)!;
    deltas.push(count - previousCount);
    previousCount = count;
    spans[spans.length - 1]!.length++;
    previousKey = key;
  }
  return { spans, deltas };
}
