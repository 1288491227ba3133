/**
 * The native-histogram options of the HTTP recorder and of {@link createHistogram}, checked once
 * at construction. Names follow client_golang's `NativeHistogram…` options.
 */
import { NATIVE_KEYS, describe, optionError } from '../options';
import { schemaForFactor } from './native-buckets';

/** Which parts a histogram exposes: classic buckets, native buckets, or both. */
export type HistogramMode = 'classic' | 'native' | 'both';

/** Native-histogram options, shared by the HTTP recorder and `createHistogram`. */
export interface NativeHistogramOptions {
  /**
   * `'classic'` (default): fixed buckets only. `'native'`: the protobuf exposition carries native
   * (sparse exponential) buckets and no classic ones. `'both'`: the protobuf exposition carries
   * both. The text formats always show the classic histogram, with the configured buckets.
   */
  histograms?: HistogramMode;
  /**
   * Largest ratio between neighbouring native bucket bounds; the schema is the highest resolution
   * within it (1.1 → schema 3, ratio 2^(1/8) ≈ 1.09). Must be above 1. Default 1.1.
   */
  nativeHistogramBucketFactor?: number;
  /** Values within this distance of zero count in the zero bucket. Default 2^-128 (client_golang's). */
  nativeHistogramZeroThreshold?: number;
  /**
   * Most native buckets one series keeps; past it the resolution halves (the schema drops by one,
   * neighbouring buckets merge) until it fits. Default 160.
   */
  nativeHistogramMaxBuckets?: number;
}

/** Default `nativeHistogramBucketFactor`. */
export const DEFAULT_NATIVE_BUCKET_FACTOR = 1.1;
/** Default `nativeHistogramZeroThreshold`: 2^-128, as client_golang. */
export const DEFAULT_NATIVE_ZERO_THRESHOLD = 2 ** -128;
/** Default `nativeHistogramMaxBuckets`: the Java client's and OpenTelemetry's 160. */
export const DEFAULT_NATIVE_MAX_BUCKETS = 160;

/** Native settings after validation: what every series of one family starts from. */
export interface NativeSettings {
  /** Whether classic buckets go into the protobuf exposition too (`'both'`). */
  classic: boolean;
  schema: number;
  zeroThreshold: number;
  maxBuckets: number;
}

/**
 * The native settings of `options`, or undefined for `histograms: 'classic'` (after checking
 * that no native option is given without native histograms). Throws a `TypeError` prefixed
 * with `pkg`.
 */
export function resolveNativeSettings(pkg: string, o: Readonly<Record<string, unknown>>): NativeSettings | undefined {
  const mode = o.histograms ?? 'classic';
  if (mode !== 'classic' && mode !== 'native' && mode !== 'both') {
    throw optionError(pkg, `histograms must be 'classic', 'native' or 'both', got ${describe(mode)}`);
  }
  const factor = o.nativeHistogramBucketFactor ?? DEFAULT_NATIVE_BUCKET_FACTOR;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 1) {
    throw optionError(pkg, `nativeHistogramBucketFactor must be a finite number above 1, got ${describe(factor)}`);
  }
  const zeroThreshold = o.nativeHistogramZeroThreshold ?? DEFAULT_NATIVE_ZERO_THRESHOLD;
  if (typeof zeroThreshold !== 'number' || !Number.isFinite(zeroThreshold) || zeroThreshold < 0) {
    throw optionError(pkg, `nativeHistogramZeroThreshold must be a finite number ≥ 0, got ${describe(zeroThreshold)}`);
  }
  const maxBuckets = o.nativeHistogramMaxBuckets ?? DEFAULT_NATIVE_MAX_BUCKETS;
  if (typeof maxBuckets !== 'number' || !Number.isInteger(maxBuckets) || maxBuckets < 1) {
    throw optionError(pkg, `nativeHistogramMaxBuckets must be a positive integer, got ${describe(maxBuckets)}`);
  }
  if (mode === 'classic') {
    const given = NATIVE_KEYS.slice(1).find((key) => o[key] !== undefined);
    if (given !== undefined) throw optionError(pkg, `${given} needs histograms: 'native' or 'both' (histograms is 'classic')`);
    return undefined;
  }
  return { classic: mode === 'both', schema: schemaForFactor(factor), zeroThreshold, maxBuckets };
}

/**
 * The native settings as a family's `settings` record, so a second registration of the family
 * with other native options is refused by name (the schema stands for `nativeHistogramBucketFactor`).
 */
export function nativeSettingsRecord(native: NativeSettings | undefined): Record<string, unknown> {
  if (native === undefined) return { histograms: 'classic' };
  return {
    histograms: native.classic ? 'both' : 'native',
    'nativeHistogramBucketFactor (as a schema)': native.schema,
    nativeHistogramZeroThreshold: native.zeroThreshold,
    nativeHistogramMaxBuckets: native.maxBuckets,
  };
}
