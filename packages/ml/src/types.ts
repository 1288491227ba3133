/** Public types of @promwire/ml. */
import type { ClientName, Registry } from '@promwire/core';

/**
 * What a model was loaded from, as the runtime was given it: a file path or URL (string), the
 * model's bytes (`Uint8Array`, `ArrayBuffer`), or a loader object (a TF.js `IOHandler`).
 */
export type ModelSource = string | Uint8Array | ArrayBufferLike | object;

/**
 * Names a model from its load arguments: `source` and the options object given to the loader
 * (ONNX Runtime's session options, TF.js's load options), or undefined. Return undefined for
 * the default name. Called once per load; a throw or a non-string counts as undefined.
 */
export type ModelNamer = (source: ModelSource, options: object | undefined) => string | undefined;

/** Options of {@link instrumentOnnxRuntime} and {@link instrumentTfjs}. */
export interface MlMetricsOptions {
  /** Registry to record into (a prom-client or @prometheus-io/client one). Default: the client's global registry. */
  registry?: Registry;
  /**
   * Which client's global registry to use when no `registry` is given. Default: `PROMWIRE_CLIENT`,
   * else the one installed; with both installed, `'@prometheus-io/client'` and a warning.
   */
  client?: ClientName;
  /** Prepended to every metric name, e.g. `myapp_`. Default `''`. */
  prefix?: string;
  /** Distinct `model` values kept before `__overflow__`. Default 1000. */
  maxLabelValues?: number;
  /**
   * The `model` label. A function names every load (see {@link ModelNamer}); a string names the
   * models that have no file name (loaded from bytes or a loader object, or created before
   * instrumentation). Default: the file's base name without its extension (`/models/iris.onnx`
   * → `iris`; for TF.js's `…/iris/model.json`, the folder: `iris`), else ONNX Runtime's
   * per-session `logId` or a TF.js LayersModel's own `name`, else `unnamed`.
   */
  modelName?: string | ModelNamer;
  /** Upper bounds of `ml_inference_duration_seconds`, in seconds. Default {@link DEFAULT_INFERENCE_BUCKETS}. */
  inferenceBuckets?: readonly number[];
  /** Upper bounds of `ml_inference_batch_size`. Default {@link DEFAULT_BATCH_BUCKETS}. */
  batchBuckets?: readonly number[];
  /** Upper bounds of `ml_model_load_duration_seconds`, in seconds. Default {@link DEFAULT_LOAD_BUCKETS}. */
  loadBuckets?: readonly number[];
}

/**
 * Removes the instrumentation: every patched function is restored (or, when other code wrapped
 * it since, left to call straight through), and nothing more is recorded. Calling it again does
 * nothing.
 */
export type Unpatch = () => void;

/**
 * The parts of the `onnxruntime-node` module (or `onnxruntime-web`, `onnxruntime-common`) that
 * are instrumented: `InferenceSession.create` and the sessions' `run`.
 */
export interface OnnxRuntimeModule {
  readonly InferenceSession: { create(...args: never[]): unknown };
  readonly env?: { readonly versions?: Readonly<Record<string, string | undefined>> } | undefined;
}

/**
 * The parts of the `@tensorflow/tfjs` (or `@tensorflow/tfjs-node`) module that are
 * instrumented: the loaders and the model classes.
 */
export interface TfjsModule {
  readonly loadLayersModel?: (...args: never[]) => unknown;
  readonly loadGraphModel?: (...args: never[]) => unknown;
  readonly loadGraphModelSync?: (...args: never[]) => unknown;
  readonly LayersModel?: { readonly prototype: object };
  readonly Sequential?: { readonly prototype: object };
  readonly GraphModel?: { readonly prototype: object };
  readonly getBackend?: () => string;
  readonly version?: Readonly<Record<string, string | undefined>>;
}
