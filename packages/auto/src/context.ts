/**
 * What every instrumentation gets from the preload: its options, the patch record, lazily
 * built adapters, and the one way to report a problem.
 */
import type { Patches } from './patches';
import type { Instrumentation } from './types';

export interface AutoContext {
  readonly patches: Patches;
  /** True when `PROMWIRE_INSTRUMENTATIONS` keeps this one (default: all). */
  enabled(kind: Instrumentation): boolean;
  /**
   * The adapter options of `kind`: the environment's, then the config file's shared and own
   * entries; no endpoint (`path: false`: the metrics server serves); core's YIELDS set to `rank`.
   */
  options(kind: Instrumentation, rank: number): Record<PropertyKey, unknown>;
  /** The options of `@promwire/ml`: client, prefix, label cap and buckets from the environment, `modelName` and the rest from the file. */
  mlOptions(): Record<string, unknown>;
  /**
   * The adapter package (`@promwire/express` …) loaded from the preload's own place, or
   * undefined (reported once) when it is not installed or fails to load. Never throws.
   */
  adapter<T>(kind: Instrumentation, pkg: string): T | undefined;
  /**
   * `build()` once, at the first call, kept; a throw (options that clash with an adapter the app
   * built itself on the same registry …) is reported once and leaves `kind` unrecorded.
   */
  lazy<T>(kind: Instrumentation, build: () => T): () => T | undefined;
}

/** How readily each instrumentation gives a request up (core's YIELDS): an app's own adapter is 0. */
export const RANK = { nestjs: 1, framework: 2, http: 3 } as const;
