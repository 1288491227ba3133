/**
 * `@promwire/ml`: Prometheus metrics for ML inference in Node, by wrapping the inference runtime
 * in process: model loads, inference durations, inferences in flight and batch sizes.
 */
export { instrumentOnnxRuntime } from './onnxruntime';
export { instrumentTfjs } from './tfjs';
export { genAiMetrics } from './genai';
export { DEFAULT_BATCH_BUCKETS, DEFAULT_INFERENCE_BUCKETS, DEFAULT_LOAD_BUCKETS, UNNAMED_MODEL } from './defaults';
export type { GenAiOperation, GenAiOptions, GenAiRoute } from '@promwire/core';
export type { MlMetricsOptions, ModelNamer, ModelSource, OnnxRuntimeModule, TfjsModule, Unpatch } from './types';
