/**
 * Options of the generative-AI API metrics (the adapters' `genai` option, built by
 * `@promwire/ml`'s `genAiMetrics()`), checked once, and the route matchers they give.
 */
import { checkEntryKeys, describe, optionError } from '../options';

/** The operation of a GenAI route, as the OpenTelemetry GenAI conventions name it. */
export type GenAiOperation = 'chat' | 'text_completion' | 'embeddings';

/** A GenAI route whose operation is not implied by its path's last segments. */
export interface GenAiRoute {
  /** An exact path (`/api/chat`), or a route template (`/deployments/:name/chat/completions`). */
  path: string;
  operation: GenAiOperation;
}

/** How the GenAI metrics read OpenAI-compatible traffic. */
export interface GenAiOptions {
  /**
   * The routes read, by exact path or route template (`:param` matches one path segment). A
   * string's operation comes from how it ends: `/chat/completions` → `chat`, `/completions` →
   * `text_completion`, `/embeddings` → `embeddings`; give `{ path, operation }` otherwise.
   * Default {@link DEFAULT_GENAI_ROUTES}.
   */
  routes?: readonly (string | GenAiRoute)[];
  /** Longest SSE event kept while parsing, in characters; a longer one is skipped and counted. Default 1 MiB. */
  maxEventBytes?: number;
  /** Longest non-streamed body read for `usage`, in bytes; a longer one is left unread and counted. Default 8 MiB. */
  maxBodyBytes?: number;
}

/** The routes read by default: OpenAI's chat, completions and embeddings endpoints. */
export const DEFAULT_GENAI_ROUTES: readonly string[] = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings'];
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export const OPERATIONS: readonly GenAiOperation[] = ['chat', 'text_completion', 'embeddings'];
const GENAI_KEYS = ['routes', 'maxEventBytes', 'maxBodyBytes'];

/** One route: a literal `prefix` tested first (cheap), then the template's pattern if any. */
export interface RouteMatcher {
  prefix: string;
  pattern: RegExp | undefined;
  operation: number;
}

export interface ResolvedGenAiOptions {
  routes: readonly RouteMatcher[];
  /** What every route's literal prefix starts with (`/v1/` by default): one test rules most requests out. */
  prefix: string;
  maxEventBytes: number;
  maxBodyBytes: number;
}

/**
 * The GenAI settings of an adapter's `genai` option: undefined or true for the defaults, false
 * for none (undefined answer), an object of {@link GenAiOptions}. Throws a `TypeError` prefixed with `pkg`.
 */
export function resolveGenAiOptions(pkg: string, value: unknown): ResolvedGenAiOptions | undefined {
  if (value === false) return undefined;
  if (value !== undefined && value !== true && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw optionError(pkg, `genai must be true, false or the options of genAiMetrics(), got ${describe(value)}`);
  }
  const o = typeof value === 'object' ? checkEntryKeys(pkg, 'genai', value, GENAI_KEYS) : {};
  const routes = o.routes ?? DEFAULT_GENAI_ROUTES;
  if (!Array.isArray(routes) || routes.length === 0) {
    throw optionError(pkg, `genai.routes must be a non-empty array of paths or { path, operation }, got ${describe(routes)}`);
  }
  const matchers = (routes as unknown[]).map((r, i) => matcher(pkg, r, i));
  return {
    routes: matchers,
    prefix: matchers.map((m) => m.prefix).reduce(commonStart),
    maxEventBytes: size(pkg, o, 'maxEventBytes', DEFAULT_MAX_EVENT_BYTES),
    maxBodyBytes: size(pkg, o, 'maxBodyBytes', DEFAULT_MAX_BODY_BYTES),
  };
}

/** The operation index of the first route `url` (path and optional query) matches, or -1. */
export function matchRoute(options: ResolvedGenAiOptions, url: string): number {
  if (!url.startsWith(options.prefix)) return -1;
  const routes = options.routes;
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    if (!url.startsWith(r.prefix)) continue;
    if (r.pattern === undefined) {
      if (url.length === r.prefix.length || url.charCodeAt(r.prefix.length) === 63 /* ? */) return r.operation;
    } else {
      const q = url.indexOf('?');
      if (r.pattern.test(q === -1 ? url : url.slice(0, q))) return r.operation;
    }
  }
  return -1;
}

function matcher(pkg: string, route: unknown, i: number): RouteMatcher {
  let path: unknown = route;
  let operation: unknown;
  if (typeof route === 'object' && route !== null && !Array.isArray(route)) {
    const r = checkEntryKeys(pkg, `genai.routes[${i}]`, route, ['path', 'operation']);
    path = r.path;
    operation = r.operation;
    if (!OPERATIONS.includes(operation as GenAiOperation)) {
      throw optionError(pkg, `genai.routes[${i}].operation must be one of ${OPERATIONS.join(', ')}, got ${describe(operation)}`);
    }
  }
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw optionError(pkg, `genai.routes[${i}] must be a path starting with "/" or { path, operation }, got ${describe(route)}`);
  }
  operation ??= operationOf(path);
  if (operation === undefined) {
    throw optionError(pkg, `genai.routes[${i}] "${path}" does not end in /chat/completions, /completions or /embeddings: give { path, operation }`);
  }
  const param = path.search(/[:*]/);
  if (param === -1) return { prefix: path, pattern: undefined, operation: OPERATIONS.indexOf(operation as GenAiOperation) };
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return { prefix: path.slice(0, param), pattern: new RegExp(`^${source}$`), operation: OPERATIONS.indexOf(operation as GenAiOperation) };
}

function commonStart(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return a.slice(0, i);
}

function operationOf(path: string): GenAiOperation | undefined {
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/completions')) return 'text_completion';
  if (path.endsWith('/embeddings')) return 'embeddings';
  return undefined;
}

function size(pkg: string, o: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const value = o[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw optionError(pkg, `genai.${key} must be a positive integer, got ${describe(value)}`);
  }
  return value;
}
