/**
 * One lifecycle's GenAI settings: which routes are read, how the adapter finds the parsed
 * request body, and the recorder, registered at the first GenAI request (an app with no GenAI
 * route shows no GenAI families).
 */
import type { Registry } from '../prom';
import { GenAiMetrics } from './genai-metrics';
import { type ResolvedGenAiOptions, matchRoute } from './options';

export class GenAiTracker {
  /** Undefined until the first GenAI request; null when registering failed (reported once). */
  private metrics: GenAiMetrics | null | undefined = undefined;

  constructor(
    private readonly pkg: string,
    readonly options: ResolvedGenAiOptions,
    private readonly registry: Registry,
    private readonly prefix: string,
    private readonly maxLabelValues: number,
    /** The request body the framework's parser produced, from the request user callbacks receive. */
    readonly bodyOf: ((req: unknown) => unknown) | undefined,
  ) {}

  /** The operation index of a GenAI request to `url`, or -1 for any other request. */
  operationOf(url: string): number {
    return matchRoute(this.options, url);
  }

  /** The recorder, registered now if need be; undefined when its names clash in the registry. */
  recorder(): GenAiMetrics | undefined {
    if (this.metrics === undefined) {
      try {
        this.metrics = new GenAiMetrics(this.pkg, this.registry, this.prefix, this.maxLabelValues);
      } catch (error) {
        this.metrics = null;
        process.emitWarning(`${(error as Error).message} (GenAI metrics are off for this instance)`, 'PromwireWarning');
      }
    }
    return this.metrics ?? undefined;
  }

  /** The parsed body of `req`, or undefined; a throwing getter reads as none. */
  body(req: unknown): unknown {
    if (this.bodyOf === undefined) return undefined;
    try {
      return this.bodyOf(req);
    } catch {
      return undefined;
    }
  }
}
