/**
 * Native buckets against hand-computed values: the schema a bucket factor gives, the bucket of a
 * value (bounds are 2^(k / 2^schema), upper bound inclusive), the zero bucket, schema reduction
 * at the bucket cap, reset, and the spans-and-deltas encoding.
 */
import { NativeBuckets, bucketKey, schemaForFactor, spansOf, upperBound } from '../src/native/native-buckets';
import { resolveNativeSettings, type NativeSettings } from '../src/native/native-options';

const settings = (over: Partial<NativeSettings> = {}): NativeSettings => ({ classic: false, schema: 3, zeroThreshold: 2 ** -128, maxBuckets: 160, ...over });

describe('schemaForFactor', () => {
  test.each([
    // factor, floor(log2(log2(factor))), schema
    [1.1, 3], // log2(log2 1.1) = -2.86 → 3; width factor 2^(1/8) = 1.0905
    [1.01, 7], // -6.12 → 7
    [1.5, 1], // log2(0.585) = -0.77 → 1
    [2, 0], // log2(1) = 0
    [4, -1], // log2(2) = 1
    [65536, -4], // log2(16) = 4
    [1.001, 8], // -9.4 → 10, clamped to 8
    [1e10, -4], // 5.05 → -5, clamped to -4
  ])('factor %p → schema %p', (factor, schema) => {
    expect(schemaForFactor(factor)).toBe(schema);
  });
});

describe('bucketKey', () => {
  test.each([
    // value, schema, key: value is in (2^((key-1)/2^schema), 2^(key/2^schema)]
    [1, 3, 0],
    [2, 3, 8],
    [0.5, 3, -8],
    [1.5, 3, 5], // (2^(4/8), 2^(5/8)] = (1.4142, 1.5422]
    [1.4142135623730951, 3, 4], // exactly 2^(4/8): closes bucket 4
    [0.1, 3, -26], // log2(0.1) × 8 = -26.58 → ⌈⌉ = -26
    [1000, 3, 80], // log2(1000) × 8 = 79.73 → 80
    [1.5, 0, 1], // (1, 2]
    [2, 0, 1],
    [3, 0, 2],
    [4, -1, 1], // (1, 4]
    [3, -1, 1],
    [5, -1, 2], // (4, 16]
    [17, -2, 2], // (16, 256]
    [Number.MIN_VALUE, 0, -1074], // subnormal 2^-1074 closes bucket -1074
    [3 * 2 ** -1070, 0, -1068], // subnormal in (2^-1069, 2^-1068]
  ])('%p at schema %p → %p', (value, schema, key) => {
    expect(bucketKey(value, schema)).toBe(key);
  });

  test('every key agrees with the bounds it names, at every schema', () => {
    const values = [1e-9, 0.0003, 0.004, 0.02, 0.07, 0.3, 0.9, 1.3, 7, 42, 999, 123456, 7e12];
    for (let schema = -4; schema <= 8; schema++) {
      for (const v of values) {
        const key = bucketKey(v, schema);
        expect(v).toBeGreaterThan(upperBound(key - 1, schema) * (1 - 1e-12));
        expect(v).toBeLessThanOrEqual(upperBound(key, schema) * (1 + 1e-12));
      }
    }
  });
});

describe('NativeBuckets', () => {
  test('positive, negative and zero buckets', () => {
    const b = new NativeBuckets(settings({ schema: 0, zeroThreshold: 0.01 }));
    for (const v of [0, 0.005, -0.01, 0.02, 1.5, 1.7, -3, NaN]) b.observe(v);
    expect(b.zeroCount).toBe(4); // 0, 0.005, -0.01 (|v| ≤ threshold) and NaN
    expect([...b.positive].sort((x, y) => x[0] - y[0])).toEqual([[-5, 1], [1, 2]]); // 0.02 ∈ (2^-6, 2^-5]
    expect([...b.negative]).toEqual([[2, 1]]); // -3: 3 ∈ (2, 4]
  });

  test('past the cap the schema drops, merging key k into ⌈k / 2⌉, until it fits', () => {
    const b = new NativeBuckets(settings({ schema: 0, maxBuckets: 4 }));
    for (const v of [1, 2, 4, 8]) b.observe(v); // keys 0, 1, 2, 3
    expect(b.schema).toBe(0);
    b.observe(16); // key 4: five buckets
    expect(b.schema).toBe(-1);
    expect(new Map(b.positive)).toEqual(new Map([[0, 1], [1, 2], [2, 2]]));
    b.observe(0.25); // schema -1: 0.25 closes (2^-4, 2^-2], key -1: four buckets, within the cap
    expect(b.schema).toBe(-1);
    b.observe(-0.25); // a fifth: schema -2, where bucket 0 is (2^-4, 1] and bucket 1 is (1, 16]
    expect(b.schema).toBe(-2);
    expect(new Map(b.positive)).toEqual(new Map([[0, 2], [1, 4]]));
    expect(new Map(b.negative)).toEqual(new Map([[0, 1]]));
  });

  test('merging negative keys rounds towards +∞ (ceil), as the bounds require', () => {
    const b = new NativeBuckets(settings({ schema: 1, maxBuckets: 2 }));
    b.observe(2 ** -1.5); // key -3 at schema 1: (2^-2, 2^-1.5]
    b.observe(2 ** -1); // key -2
    b.observe(2 ** -0.5); // key -1 → three buckets: schema 0
    expect(b.schema).toBe(0);
    // at schema 0: 2^-1.5 ∈ (2^-2, 2^-1] key -1; 2^-1 key -1; 2^-0.5 ∈ (2^-1, 1] key 0
    expect(new Map(b.positive)).toEqual(new Map([[-1, 2], [0, 1]]));
    for (const [key] of b.positive) expect(bucketKey(key === 0 ? 2 ** -0.5 : 2 ** -1.5, 0)).toBe(key);
  });

  test('the schema stops at -4', () => {
    const b = new NativeBuckets(settings({ schema: -4, maxBuckets: 1 }));
    b.observe(1); b.observe(1e30);
    expect(b.schema).toBe(-4);
    expect(b.positive.size).toBe(2);
  });

  test('reset restores the configured schema and zero threshold and empties every bucket', () => {
    const b = new NativeBuckets(settings({ schema: 2, maxBuckets: 1 }));
    b.observe(1); b.observe(100); b.observe(0);
    expect(b.schema).toBeLessThan(2);
    b.reset();
    expect({ schema: b.schema, zero: b.zeroCount, pos: b.positive.size, neg: b.negative.size, threshold: b.zeroThreshold })
      .toEqual({ schema: 2, zero: 0, pos: 0, neg: 0, threshold: 2 ** -128 });
  });
});

describe('spansOf', () => {
  test('spans, gaps of up to two buckets filled with zeros, counts as deltas', () => {
    const buckets = new Map([[10, 4], [-2, 1], [3, 1], [-1, 2], [2, 5]]);
    // keys -2 -1 [0 1 empty] 2 3 | gap of 6 | 10
    expect(spansOf(buckets)).toEqual({
      spans: [{ offset: -2, length: 6 }, { offset: 6, length: 1 }],
      deltas: [1, 1, -2, 0, 5, -4, 3],
    });
  });

  test('no buckets, no spans', () => {
    expect(spansOf(new Map())).toEqual({ spans: [], deltas: [] });
  });
});

describe('native options', () => {
  test.each<[Record<string, unknown>, RegExp]>([
    [{ histograms: 'sparse' }, /histograms must be 'classic', 'native' or 'both', got "sparse"/],
    [{ histograms: 'native', nativeHistogramBucketFactor: 1 }, /nativeHistogramBucketFactor must be a finite number above 1, got number 1/],
    [{ histograms: 'native', nativeHistogramBucketFactor: '1.1' }, /nativeHistogramBucketFactor must be a finite number above 1/],
    [{ histograms: 'both', nativeHistogramZeroThreshold: -1 }, /nativeHistogramZeroThreshold must be a finite number ≥ 0, got number -1/],
    [{ histograms: 'both', nativeHistogramMaxBuckets: 0 }, /nativeHistogramMaxBuckets must be a positive integer, got number 0/],
    [{ nativeHistogramBucketFactor: 1.2 }, /nativeHistogramBucketFactor needs histograms: 'native' or 'both'/],
  ])('%p is refused', (options, message) => {
    expect(() => resolveNativeSettings('@promwire/core', options)).toThrow(message);
    expect(() => resolveNativeSettings('@promwire/core', options)).toThrow(TypeError);
  });

  test('defaults: schema 3 (factor 1.1), zero threshold 2^-128, 160 buckets; classic has none', () => {
    expect(resolveNativeSettings('p', { histograms: 'native' })).toEqual({ classic: false, schema: 3, zeroThreshold: 2 ** -128, maxBuckets: 160 });
    expect(resolveNativeSettings('p', { histograms: 'both', nativeHistogramBucketFactor: 2 })).toEqual({ classic: true, schema: 0, zeroThreshold: 2 ** -128, maxBuckets: 160 });
    expect(resolveNativeSettings('p', {})).toBeUndefined();
  });
});
