// The "floor" variants: what a hand-written use of prom-client costs per request, a counter,
// a duration histogram and an in-flight gauge updated with label objects in the same hook
// pair as the no-op variant. Nothing here is tuned; it is the naive way.
import client from 'prom-client';
import { DURATION_BUCKETS } from './common.mjs';

const LABELS = ['method', 'route', 'status_code'];

export function floorMetrics() {
  const registry = new client.Registry();
  const requests = new client.Counter({
    name: 'http_requests_total', help: 'Requests.', labelNames: LABELS, registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds', help: 'Duration.', labelNames: LABELS,
    buckets: DURATION_BUCKETS, registers: [registry],
  });
  const inFlight = new client.Gauge({
    name: 'http_requests_in_flight', help: 'In flight.', labelNames: ['method'], registers: [registry],
  });

  /** Records one finished request; `start` is `performance.now()` at arrival. */
  function record(method, route, status, start) {
    const labels = { method, route, status_code: String(status) };
    requests.inc(labels);
    duration.observe(labels, (performance.now() - start) / 1000);
    inFlight.dec({ method });
  }

  return {
    registry,
    begin(method) {
      inFlight.inc({ method });
      return performance.now();
    },
    record,
    /** Node (req, res) handler serving the floor's registry. */
    async handle(req, res) {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(body);
    },
  };
}
