/** Options of the instrumentations, checked once, when they are created. */
import {
  type RecorderBasics, checkEntryKeys, describe, optionError, resolveBuckets, resolveRecorderBasics,
} from '@promwire/core/adapter';
import { DEFAULT_BATCH_BUCKETS, DEFAULT_INFERENCE_BUCKETS, DEFAULT_LOAD_BUCKETS } from './defaults';
import type { MlMetricsOptions, ModelNamer } from './types';

export const PKG = '@promwire/ml';

const KEYS: readonly string[] = [
  'registry', 'client', 'prefix', 'maxLabelValues', 'modelName', 'inferenceBuckets', 'batchBuckets', 'loadBuckets',
];

export interface ResolvedMlOptions extends RecorderBasics {
  pkg: string;
  modelName: string | ModelNamer | undefined;
  inferenceBuckets: readonly number[];
  batchBuckets: readonly number[];
  loadBuckets: readonly number[];
}

/** Checks the options of `entry` (`instrumentOnnxRuntime` …); throws a `TypeError` prefixed `@promwire/ml:`. */
export function resolveMlOptions(entry: string, options: MlMetricsOptions | undefined): ResolvedMlOptions {
  const o = checkEntryKeys(PKG, entry, options, KEYS);
  const modelName = o.modelName;
  if (modelName !== undefined && typeof modelName !== 'function' && (typeof modelName !== 'string' || modelName === '')) {
    throw optionError(PKG, `modelName must be a non-empty string or a function (source, options) => string | undefined, got ${describe(modelName)}`);
  }
  return {
    pkg: PKG,
    ...resolveRecorderBasics(PKG, o),
    modelName: modelName as string | ModelNamer | undefined,
    inferenceBuckets: resolveBuckets(PKG, o, 'inferenceBuckets', DEFAULT_INFERENCE_BUCKETS),
    batchBuckets: resolveBuckets(PKG, o, 'batchBuckets', DEFAULT_BATCH_BUCKETS),
    loadBuckets: resolveBuckets(PKG, o, 'loadBuckets', DEFAULT_LOAD_BUCKETS),
  };
}
