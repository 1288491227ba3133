/** Type tests of the native-histogram options and createHistogram, checked by `npx tsc -p tsconfig.typetest.json`. */
import { expectTypeOf } from 'expect-type';
import { Registry } from 'prom-client';
import {
  type HistogramMetric, type HistogramMode, type HistogramSeries, type HttpMetricsOptions, createHistogram, createHttpMetrics,
} from '../src';

const registry = new Registry();

// The recorder takes the mode and the three native options; the mode is a closed union.
createHttpMetrics({ registry, histograms: 'native', nativeHistogramBucketFactor: 1.05, nativeHistogramZeroThreshold: 1e-9, nativeHistogramMaxBuckets: 100 });
createHttpMetrics({ registry, histograms: 'both' });
// @ts-expect-error: not a histogram mode
createHttpMetrics({ registry, histograms: 'sparse' });
// @ts-expect-error: the factor is a number
createHttpMetrics({ registry, histograms: 'native', nativeHistogramBucketFactor: '1.1' });
expectTypeOf<HistogramMode>().toEqualTypeOf<'classic' | 'native' | 'both'>();
expectTypeOf<HttpMetricsOptions['histograms']>().toEqualTypeOf<HistogramMode | undefined>();

// createHistogram: name and help required; labels(...) gives a series; observe takes a number.
const jobs = createHistogram({ name: 'job_seconds', help: 'Jobs.', labelNames: ['queue'], histograms: 'native', registry });
expectTypeOf(jobs).toEqualTypeOf<HistogramMetric>();
expectTypeOf(jobs.labels('mail')).toEqualTypeOf<HistogramSeries>();
expectTypeOf(jobs.observe).parameters.toEqualTypeOf<[number]>();
// @ts-expect-error: help is required
createHistogram({ name: 'x' });
// @ts-expect-error: observe takes a number
jobs.labels('mail').observe('1');
