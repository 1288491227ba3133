import { createServer, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Gauge, Registry } from 'prom-client';
import { createHttpMetrics, createMetricsEndpoint, metricsHandler } from '../src';
import { listen, request, type Listening, type Reply } from '../../../test/helpers/http';
import { parseExposition } from '../../../test/helpers/exposition';

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/**
 * A registry with some promwire traffic and a gauge whose collector counts renders (one `get()`
 * per render) and holds each render until `hold` resolves; `failWith` makes the held render throw.
 */
function countingRegistry() {
  const registry = new Registry();
  const recorder = createHttpMetrics({ registry, defaultMetrics: false });
  const state = recorder.begin({}, {}, { method: 'GET', headers: {} })!;
  state.route = '/a';
  recorder.end(state, 200);
  const control = { renders: 0, hold: Promise.resolve(), failWith: undefined as Error | undefined };
  new Gauge({
    name: 'renders',
    help: 'Renders of this registry so far.',
    registers: [registry],
    async collect() {
      control.renders += 1;
      this.set(control.renders);
      await control.hold;
      if (control.failWith !== undefined) throw control.failWith;
    },
  });
  return { registry, control };
}

/** A server whose `arrived(n)` resolves when n requests have reached the handler. */
async function countingServer(registry: Registry) {
  const handler = metricsHandler({ registry });
  let arrivals = 0;
  const waiting: { n: number; resolve: () => void }[] = [];
  const server = await listen(
    createServer((req, res) => {
      arrivals += 1;
      for (const w of waiting) if (arrivals >= w.n) w.resolve();
      void handler(req, res);
    }),
  );
  const arrived = (n: number) => new Promise<void>((resolve) => (arrivals >= n ? resolve() : waiting.push({ n, resolve })));
  return { server, arrived };
}

describe('single-flight scrapes', () => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test('50 simultaneous scrapes of one format share one render, and all get the whole exposition', async () => {
    const { registry, control } = countingRegistry();
    const s = await countingServer(registry);
    server = s.server;
    // The first render cannot finish before the server has seen all 50 scrapes.
    control.hold = s.arrived(50);
    const replies = await Promise.all(Array.from({ length: 50 }, () => request(server!.url)));

    expect(control.renders).toBe(1);
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.body).toBe(replies[0]!.body);
    }
    const exposition = parseExposition(replies[0]!.body);
    expect(exposition.value('renders')).toBe(1);
    expect(exposition.value('http_requests_total', { route: '/a', status_code: '200' })).toBe(1);
  });

  test('each format has its own render in flight; gzip scrapes share the plain one', async () => {
    const { registry, control } = countingRegistry();
    const s = await countingServer(registry);
    server = s.server;
    control.hold = s.arrived(45);
    const scrapes = (n: number, headers: Record<string, string>) =>
      Array.from({ length: n }, () => request(server!.url, { headers }));
    const [text, om, gz] = await Promise.all([
      Promise.all(scrapes(15, {})),
      Promise.all(scrapes(15, { accept: OPENMETRICS })),
      Promise.all(scrapes(15, { 'accept-encoding': 'gzip' })),
    ]);

    expect(control.renders).toBe(2);
    const bodies = (replies: Reply[]) => new Set(replies.map((r) => `${r.status} ${r.headers['content-type']} ${r.body}`));
    expect(bodies(text).size).toBe(1);
    expect(bodies(om).size).toBe(1);
    expect(bodies(gz)).toEqual(bodies(text));
    expect(gz.every((r) => r.headers['content-encoding'] === 'gzip')).toBe(true);
    expect(om[0]!.body.endsWith('# EOF\n')).toBe(true);
    expect(parseExposition(om[0]!.body).value('http_requests_total', { route: '/a' })).toBe(1);
  });

  test('scrapes that share a render share its gzip body', async () => {
    const { registry, control } = countingRegistry();
    let release!: () => void;
    control.hold = new Promise<void>((resolve) => (release = resolve));
    const endpoint = createMetricsEndpoint({ registry });
    const req = { method: 'GET', headers: { 'accept-encoding': 'gzip' } } as IncomingMessage;
    const pending = [endpoint.respond(req), endpoint.respond(req), endpoint.respond(req)];
    release();
    const [a, b, c] = await Promise.all(pending);
    expect(control.renders).toBe(1);
    expect(b!.body).toBe(a!.body);
    expect(c!.body).toBe(a!.body);
    expect(parseExposition(gunzipSync(a!.body).toString('utf8')).value('renders')).toBe(1);
  });

  test('a scrape after the render finished renders anew: sequential scrapes never get stale data', async () => {
    const { registry, control } = countingRegistry();
    server = await listen(createServer(metricsHandler({ registry })));
    for (let i = 1; i <= 3; i++) {
      const reply = await request(server.url);
      expect(control.renders).toBe(i);
      expect(parseExposition(reply.body).value('renders')).toBe(i);
    }
  });

  test('a shared render that fails gives every waiter the 500, and the next scrape renders anew', async () => {
    const { registry, control } = countingRegistry();
    const s = await countingServer(registry);
    server = s.server;
    control.hold = s.arrived(50);
    control.failWith = new Error('sensor unplugged');
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      request(server!.url, { headers: i % 2 === 0 ? { 'accept-encoding': 'gzip' } : {} })));

    expect(control.renders).toBe(1);
    for (const reply of replies) {
      expect(reply.status).toBe(500);
      expect(reply.body).toBe('Error collecting metrics: sensor unplugged\n');
    }
    control.failWith = undefined;
    const after = await request(server.url);
    expect(after.status).toBe(200);
    expect(control.renders).toBe(2);
    expect(parseExposition(after.body).value('renders')).toBe(2);
  });
});
