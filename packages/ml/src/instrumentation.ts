/**
 * One instrumentation of one runtime module, after OpenTelemetry's InstrumentationBase: the one
 * place that records every patch with its original, so patching is idempotent (a function
 * already wrapped by it is not wrapped again) and reversible ({@link Instrumentation.unpatch}).
 * It also keeps the `model` name of each model object it saw, by object, so they go together.
 * Nothing is kept in module state: the instrumentation is found from the functions it wrapped.
 */
import { MlMetrics, type ModelSeries } from './ml-metrics';
import { nameFromPath } from './model-name';
import { UNNAMED_MODEL } from './defaults';
import type { ResolvedMlOptions } from './options';

/** Marks a wrapper with its instrumentation, across copies of this package. */
const INSTRUMENTATION = Symbol.for('promwire.ml.instrumentation');

/** A function being wrapped: called with `Reflect.apply`, its `this` and arguments as given. */
export type AnyFunction = Function;

interface Patch {
  target: object;
  key: string;
  /** The property as it was: restored as is, or through its setter. */
  descriptor: PropertyDescriptor;
  original: AnyFunction;
  wrapper: AnyFunction;
}

/** The `model` and `runtime` labels of a model object, and its series once resolved. */
export interface ModelInfo {
  name: string;
  runtime: string;
  series: ModelSeries | undefined;
}

export class Instrumentation {
  /** Where inferences are recorded; undefined once unpatched (wrappers then call straight through). */
  metrics: MlMetrics | undefined;
  options: ResolvedMlOptions;
  /** Above 0 while a synchronous inference runs: the calls it makes itself are not counted again. */
  depth = 0;
  /** Returned to every caller that instrumented the module: removes the instrumentation. */
  readonly unpatch = (): void => this.remove();
  private readonly models = new WeakMap<object, ModelInfo>();
  private readonly patches: Patch[] = [];

  constructor(
    options: ResolvedMlOptions,
    /** Labels of a model object this instrumentation did not see loaded. */
    private readonly describe: (model: object, fallbackName: string) => { name: string; runtime: string },
  ) {
    this.options = options;
    this.metrics = new MlMetrics(options);
  }

  /** The active instrumentation that wrapped one of `targets` (object, key), if any. */
  static find(targets: readonly (readonly [object | undefined, string])[]): Instrumentation | undefined {
    for (const [target, key] of targets) {
      const fn = target === undefined ? undefined : current(target, key);
      const found: unknown = typeof fn === 'function' ? (fn as unknown as Record<symbol, unknown>)[INSTRUMENTATION] : undefined;
      // Duck-typed: another copy of this package may have instrumented the module first.
      if (typeof found === 'object' && found !== null && (found as Instrumentation).metrics !== undefined) return found as Instrumentation;
    }
    return undefined;
  }

  /** Records into a recorder built from `options` from now on (a later instrument call's options). */
  reconfigure(options: ResolvedMlOptions): void {
    this.metrics = new MlMetrics(options);
    this.options = options;
  }

  /**
   * Replaces the function at `target[key]` with `make(original)`, unless this instrumentation
   * wrapped it already. The property is an own data property that can be redefined, or an
   * accessor with a setter (the live bindings import-in-the-middle gives a hook), replaced
   * through it. Answers whether it is wrapped.
   */
  wrap(target: object | undefined, key: string, make: (original: AnyFunction) => AnyFunction): boolean {
    if (target === undefined) return false;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (descriptor === undefined) return false;
    const original = current(target, key);
    if (typeof original !== 'function') return false;
    if ((original as unknown as Record<symbol, unknown>)[INSTRUMENTATION] === this) return true;
    if (descriptor.set === undefined && !descriptor.writable && !descriptor.configurable) return false;
    const wrapper = make(original);
    Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
    Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
    Object.defineProperty(wrapper, INSTRUMENTATION, { value: this });
    try {
      if (descriptor.set !== undefined) Reflect.set(target, key, wrapper);
      else Object.defineProperty(target, key, { ...descriptor, value: wrapper });
    } catch {
      return false; // a module namespace object, or a frozen one
    }
    if (current(target, key) !== wrapper) return false;
    this.patches.push({ target, key, descriptor, original, wrapper });
    return true;
  }

  /** The series of `model` in the current recorder, resolved once per model object and recorder. */
  seriesOf(model: object, metrics: MlMetrics): ModelSeries {
    let info = this.models.get(model);
    if (info === undefined) {
      const fallback = this.options.modelName;
      info = { ...this.describe(model, typeof fallback === 'string' ? fallback : UNNAMED_MODEL), series: undefined };
      this.models.set(model, info);
    }
    const series = info.series;
    return series !== undefined && series.metrics === metrics ? series : (info.series = metrics.seriesFor(info.name, info.runtime));
  }

  /** Remembers the labels of a model object this instrumentation saw loaded. */
  remember(model: unknown, name: string, runtime: string): void {
    if (typeof model === 'object' && model !== null) this.models.set(model, { name, runtime, series: undefined });
  }

  /**
   * The `model` label of a load from `source` (with the loader's `loaderOptions`): the
   * `modelName` function's answer, else the file's base name, else `own` (the runtime's own
   * name for it), else the `modelName` string, else `unnamed`.
   */
  loadName(source: unknown, loaderOptions: object | undefined, own: string | undefined): string {
    const namer = this.options.modelName;
    if (typeof namer === 'function') {
      try {
        const name: unknown = namer(source as object, loaderOptions);
        if (typeof name === 'string' && name !== '') return name;
      } catch {
        // the user's namer can't break a load: the default name serves
      }
    }
    const fromPath = typeof source === 'string' ? nameFromPath(source) : undefined;
    if (fromPath !== undefined) return fromPath;
    if (own !== undefined && own !== '') return own;
    return typeof namer === 'string' ? namer : UNNAMED_MODEL;
  }

  private remove(): void {
    if (this.metrics === undefined) return;
    this.metrics = undefined;
    for (const { target, key, descriptor, original, wrapper } of this.patches.reverse()) {
      // Restore only what is still ours; a wrapper another library put on top keeps working,
      // and ours under it now calls straight through.
      if (current(target, key) !== wrapper) continue;
      if (descriptor.set !== undefined) Reflect.set(target, key, original);
      else Object.defineProperty(target, key, descriptor);
    }
    this.patches.length = 0;
  }
}

/** What `target[key]` holds: a data property's value, or what its accessor answers when it has a setter. */
function current(target: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor === undefined) return undefined;
  return descriptor.set !== undefined ? Reflect.get(target, key) : descriptor.value;
}
