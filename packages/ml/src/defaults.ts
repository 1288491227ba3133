/** Default bucket layouts (SPEC: "ML inference"). */

/** Upper bounds of `ml_inference_duration_seconds`, in seconds: 0.5 ms to 10 s. */
export const DEFAULT_INFERENCE_BUCKETS: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** Upper bounds of `ml_inference_batch_size`: powers of 2 from 1 to 256. */
export const DEFAULT_BATCH_BUCKETS: readonly number[] = Object.freeze([1, 2, 4, 8, 16, 32, 64, 128, 256]);

/**
 * Upper bounds of `ml_model_load_duration_seconds`, in seconds: 5 ms (a small model from a
 * buffer) to 2 minutes (a large model read from disk and optimised).
 */
export const DEFAULT_LOAD_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
]);

/** The `model` value of a model with no file name and no name given. */
export const UNNAMED_MODEL = 'unnamed';
