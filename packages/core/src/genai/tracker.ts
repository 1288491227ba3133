/**
 * One lifecycle's GenAI settings: which routes are read, how the adapter finds the parsed
 * request body, and the recorder, registered at the first GenAI request (an app with no GenAI
 * route shows no GenAI families).
 */
import type { Registry } from '../prom';
import { GenAiMetrics } from './genai-metrics';
import { type ResolvedGenAiOptions, matchRoute } from './options';

export class GenAiTracker {
  /** The routes' common prefix's second character code, -1 when it has none. */
  private readonly second: number;
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
  ) {
    this.second = options.prefix.length > 1 ? options.prefix.charCodeAt(1) : -1;
  }

  /**
   * False when `url` cannot be a GenAI route: it does not start as every route does (`/v1/` by
   * default). The second character first, which rules most paths out in a few instructions.
   */
  mayMatch(url: string | undefined): boolean {
    const second = this.second;
    return url !== undefined && (second < 0 || url.charCodeAt(1) === second) && url.startsWith(this.options.prefix);
  }

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
