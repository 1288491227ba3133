/**
 * Trace ids for exemplars: the active OpenTelemetry span when `@opentelemetry/api` is installed
 * and a span is recording, else the request's W3C `traceparent` header.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** A `trace_id` exemplar on one bucket or counter. */
export interface Exemplar {
  traceId: string;
  value: number;
  /** Seconds since the epoch. */
  timestamp: number;
}

type ActiveTraceId = () => string | undefined;

const INVALID_TRACE_ID = '00000000000000000000000000000000';

function loadOtel(): ActiveTraceId | undefined {
  try {
    // Optional peer: absent in most apps, so it is looked up, never imported.
    const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
    return () => {
      const span = api.trace.getActiveSpan();
      if (span === undefined) return undefined;
      const id = span.spanContext().traceId;
      return id === INVALID_TRACE_ID ? undefined : id;
    };
  } catch {
    return undefined;
  }
}

/** Reads the trace id of the current request; built once per recorder. */
export function traceIdReader(): (headers: IncomingHttpHeaders) => string | undefined {
  const active = loadOtel();
  return (headers) => {
    if (active !== undefined) {
      const id = active();
      if (id !== undefined) return id;
    }
    const header = headers.traceparent;
    return typeof header === 'string' ? traceIdFromTraceparent(header) : undefined;
  };
}

/** The trace id of a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`), or undefined. */
export function traceIdFromTraceparent(header: string): string | undefined {
  if (header.length < 55 || header.charCodeAt(2) !== 45 /* - */ || header.charCodeAt(35) !== 45) {
    return undefined;
  }
  const id = header.slice(3, 35);
  return /^[0-9a-f]{32}$/.test(id) && id !== INVALID_TRACE_ID ? id : undefined;
}

export function exemplarText(ex: Exemplar): string {
  return ` # {trace_id="${ex.traceId}"} ${ex.value} ${ex.timestamp.toFixed(3)}`;
}
