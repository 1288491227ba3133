/**
 * The wrappers put around a runtime's functions. Each keeps `this`, the arguments, sync or
 * async behaviour, the return value and the thrown error exactly as they were: the call goes
 * through `Reflect.apply` with the caller's `this` and `arguments`, a result is returned as is
 * (a promise resolves to the runtime's own object), an error is rethrown as the same object.
 * Nothing is copied. Per call, V8's new space grows by about 40 bytes for a synchronous
 * inference and about 300 for an asynchronous one, most of it the app's promise, its reaction
 * and the two closures it calls (`node bench/ml.mjs --bytes`, Node 20).
 */
import { performance } from 'node:perf_hooks';
import type { AnyFunction, Instrumentation } from './instrumentation';

/** Reads the batch size from a call's first argument, -1 for none. */
export type BatchOf = (input: unknown) => number;

/** A synchronous inference (`predict`, `execute`): timed while it runs. */
export function syncInference(inst: Instrumentation, original: AnyFunction, batchOf: BatchOf): AnyFunction {
  return function inference(this: unknown) {
    const metrics = inst.metrics;
    if (metrics === undefined || inst.depth > 0 || typeof this !== 'object' || this === null) {
      return Reflect.apply(original, this, arguments);
    }
    const series = inst.seriesOf(this, metrics);
    const batch = batchOf(arguments[0]);
    metrics.begin(series);
    inst.depth++;
    let ok = false;
    const start = performance.now();
    try {
      const result: unknown = Reflect.apply(original, this, arguments);
      ok = true;
      return result;
    } finally {
      inst.depth--;
      metrics.end(series, start, ok, batch);
    }
  };
}

/** An asynchronous inference (`session.run`, `executeAsync`): timed until its promise settles. */
export function asyncInference(inst: Instrumentation, original: AnyFunction, batchOf: BatchOf): AnyFunction {
  return function inference(this: unknown) {
    const metrics = inst.metrics;
    if (metrics === undefined || inst.depth > 0 || typeof this !== 'object' || this === null) {
      return Reflect.apply(original, this, arguments);
    }
    const series = inst.seriesOf(this, metrics);
    const batch = batchOf(arguments[0]);
    metrics.begin(series);
    const start = performance.now();
    let pending: unknown;
    try {
      pending = Reflect.apply(original, this, arguments);
    } catch (error) {
      metrics.end(series, start, false, batch);
      throw error;
    }
    if (!isPromiseLike(pending)) {
      metrics.end(series, start, true, batch);
      return pending;
    }
    return pending.then(
      (result) => {
        metrics.end(series, start, true, batch);
        return result;
      },
      (error: unknown) => {
        metrics.end(series, start, false, batch);
        throw error;
      },
    );
  };
}

/** How a load call is read: its source and loader options, and the runtime's own name for a model. */
export interface LoadReader {
  /** The source (path, bytes, IOHandler) and the options object of a load call's arguments. */
  source(args: IArguments): readonly [unknown, object | undefined];
  /** The runtime's own name of the model (a session `logId`, a LayersModel `name`), if any. */
  ownName(model: unknown, loaderOptions: object | undefined): string | undefined;
  /** The `runtime` label, read when the load settles. */
  runtime(): string;
}

/**
 * A model load (`InferenceSession.create`, `loadLayersModel`, `loadGraphModelSync`): timed until
 * it returns or settles; the model it gives is remembered with its name for its inferences.
 */
export function load(inst: Instrumentation, original: AnyFunction, reader: LoadReader): AnyFunction {
  return function load(this: unknown) {
    const metrics = inst.metrics;
    if (metrics === undefined) return Reflect.apply(original, this, arguments);
    const [source, loaderOptions] = reader.source(arguments);
    const start = performance.now();
    const settle = (model: unknown, ok: boolean): void => {
      const seconds = (performance.now() - start) / 1000;
      const runtime = reader.runtime();
      const name = inst.loadName(source, loaderOptions, reader.ownName(ok ? model : undefined, loaderOptions));
      metrics.loaded(name, runtime, seconds, ok);
      if (ok) inst.remember(model, name, runtime);
    };
    let pending: unknown;
    try {
      pending = Reflect.apply(original, this, arguments);
    } catch (error) {
      settle(undefined, false);
      throw error;
    }
    if (!isPromiseLike(pending)) {
      settle(pending, true);
      return pending;
    }
    return pending.then(
      (model) => {
        settle(model, true);
        return model;
      },
      (error: unknown) => {
        settle(undefined, false);
        throw error;
      },
    );
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
