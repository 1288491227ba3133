/**
 * The worker side of cluster aggregation: answers the primary's `collect` with the values of
 * the registries handed to {@link answerPrimary}. It never binds a port.
 *
 * A worker process has one IPC channel, so it has one responder, whatever number of
 * registries (and of promwire copies) use it: the responder lives on `process` under a
 * registered symbol, and answers once per request with every registry's metrics.
 */
import type { MetricObjectWithValues, Registry } from '../prom';
import { COLLECT, ERROR, FINAL, HELLO, METRICS, READY, type ToPrimary, type WireMetric, encodeMetrics, isOurs } from './protocol';

const RESPONDER = Symbol.for('@promwire/core.clusterWorker');

interface Responder {
  registries: Set<Registry>;
  listener: (message: unknown) => void;
}

type ProcessWithResponder = NodeJS.Process & { [RESPONDER]?: Responder };

/** Sends to the primary if the channel is open; a closed channel is not an error here. */
function send(message: ToPrimary): Promise<void> {
  return new Promise((resolve) => {
    if (typeof process.send !== 'function' || !process.connected) return resolve();
    try {
      process.send(message, undefined, {}, () => resolve());
    } catch {
      resolve();
    }
  });
}

async function metricsOf(registries: Iterable<Registry>): Promise<WireMetric[]> {
  const answers = await Promise.all([...registries].map((r) => r.getMetricsAsJSON()));
  return encodeMetrics(answers.flat() as MetricObjectWithValues[]);
}

/**
 * Answers the primary's requests with `registry`'s metrics (besides any registry already
 * answering), and tells the primary this worker is ready. The answer resolves to a `close` that
 * stops answering with `registry`; closing the last one first sends the primary the final values,
 * which it keeps as this worker's once it has gone.
 */
export function answerPrimary(registry: Registry): () => Promise<void> {
  const proc = process as ProcessWithResponder;
  let responder = proc[RESPONDER];
  if (responder === undefined) {
    const registries = new Set<Registry>();
    const listener = (message: unknown): void => {
      if (!isOurs(message)) return;
      if (message.type === HELLO) {
        void send({ type: READY });
      } else if (message.type === COLLECT && typeof message.id === 'number') {
        const id = message.id;
        metricsOf(registries).then(
          (metrics) => send({ type: METRICS, id, metrics }),
          (error: unknown) => send({ type: ERROR, id, message: error instanceof Error ? error.message : String(error) }),
        );
      }
    };
    responder = proc[RESPONDER] = { registries, listener };
    process.on('message', listener);
  }
  const wasAnswering = responder.registries.size > 0;
  responder.registries.add(registry);
  if (!wasAnswering) void send({ type: READY });

  const own = responder;
  let closing: Promise<void> | undefined;
  return () =>
    (closing ??= (async () => {
      if (!own.registries.has(registry)) return;
      if (own.registries.size === 1) {
        const metrics = await metricsOf(own.registries).catch(() => undefined);
        if (metrics !== undefined) await send({ type: FINAL, metrics });
        process.off('message', own.listener);
        if (proc[RESPONDER] === own) delete proc[RESPONDER];
      }
      own.registries.delete(registry);
    })());
}
