/**
 * Lifecycles with a YIELDS rank (what @promwire/auto builds) give a request up to a lower rank
 * that reaches it later: counted once, by the lowest rank, with that lifecycle's options and
 * route; in flight back to 0 on every registry; byte counting carried over. A higher rank
 * arriving later, or an equal one, changes nothing. Real http server, parsed exposition.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import { type AdapterOptions, METRICS_REQUEST, type RequestLifecycle, YIELDS, createLifecycle } from '../src/adapter';
import { renderRegistry } from '../src/exposition';
import { parseExposition, type Exposition } from '../../../test/helpers/exposition';
import { listen, type Listening, request, requestAbortedWhen } from '../../../test/helpers/http';

type Lifecycle = RequestLifecycle<IncomingMessage, ServerResponse>;
const open: Listening[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

function lifecycle(registry: Registry, yields: number | undefined, options: AdapterOptions<IncomingMessage, ServerResponse> = {}): Lifecycle {
  const o = { registry, defaultMetrics: false, path: '/metrics', ...options } as AdapterOptions<IncomingMessage, ServerResponse>;
  if (yields !== undefined) (o as Record<symbol, unknown>)[YIELDS] = yields;
  return createLifecycle('test', o);
}

async function exposition(registry: Registry): Promise<Exposition> {
  return parseExposition(await renderRegistry(registry, false));
}

/** A server whose requests pass `chain` in order (each arrives; a route given by the last that recorded). */
async function serve(chain: Lifecycle[], handler: (req: IncomingMessage, res: ServerResponse) => void, atServer?: Lifecycle): Promise<{ url: string; closed: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    for (const l of chain) {
      const state = l.arrive(req, res, req, res);
      if (state === METRICS_REQUEST) return void res.end('metrics');
      if (state !== undefined) l.route(state, '/things/:id');
    }
    handler(req, res);
  });
  const waiting: Promise<void>[] = [];
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    atServer?.arriveAtServer(req, res);
    waiting.push(new Promise((resolve) => res.on('close', () => setImmediate(resolve))));
  });
  const listening = await listen(server);
  open.push(listening);
  return { url: listening.url, closed: () => waiting.shift()! };
}

test('a lower rank takes a request over: counted once, by it, with its options; in flight 0 on both', async () => {
  const auto = new Registry();
  const own = new Registry();
  const generic = lifecycle(auto, 3);
  const framework = lifecycle(auto, 2, { responseSize: true });
  const explicit = lifecycle(own, undefined, { prefix: 'app_', responseSize: true });
  const { url, closed } = await serve([framework, explicit], (_req, res) => res.end('hello'), generic);
  expect((await request(`${url}/things/1`)).body).toBe('hello');
  await closed();
  const a = await exposition(auto);
  const o = await exposition(own);
  expect(a.sum('http_requests_total')).toBe(0);
  expect(a.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  expect(o.value('app_http_requests_total', { method: 'GET', route: '/things/:id', status_code: '200' })).toBe(1);
  expect(o.value('app_http_response_size_bytes_sum', { method: 'GET', route: '/things/:id', status_code: '200' })).toBe(5);
  expect(o.value('app_http_requests_in_flight', { method: 'GET' })).toBe(0);
});

test('a higher or equal rank arriving later changes nothing; the generic one alone counts __unmatched__', async () => {
  const registry = new Registry();
  const explicit = lifecycle(registry, undefined);
  const framework = lifecycle(registry, 2);
  const other = lifecycle(registry, 2);
  const first = await serve([explicit, framework], (_req, res) => res.end('a'));
  await request(`${first.url}/x`);
  await first.closed();
  const second = await serve([framework, other], (_req, res) => res.end('b'));
  await request(`${second.url}/x`);
  await second.closed();
  const alone = await serve([], (_req, res) => ((res.statusCode = 404), res.end()), lifecycle(registry, 3));
  await request(`${alone.url}/nowhere`);
  await alone.closed();
  const exp = await exposition(registry);
  expect(exp.value('http_requests_total', { method: 'GET', route: '/things/:id', status_code: '200' })).toBe(2);
  expect(exp.value('http_requests_total', { method: 'GET', route: '__unmatched__', status_code: '404' })).toBe(1);
  expect(exp.sum('http_requests_total')).toBe(3);
  expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
});

test("the winner's skip and metrics path drop the request for the one it outranks; an abort is one 499", async () => {
  const auto = new Registry();
  const own = new Registry();
  const generic = lifecycle(auto, 3, { path: false });
  const explicit = lifecycle(own, undefined, { skip: (req) => req.url === '/skipped' });
  let handled!: () => void;
  const handling = new Promise<void>((resolve) => (handled = resolve));
  const { url, closed } = await serve([explicit], (req, res) => {
    if (req.url === '/slow') handled();
    else res.end('ok');
  }, generic);
  await request(`${url}/skipped`);
  await closed();
  await request(`${url}/metrics`);
  await closed();
  await requestAbortedWhen(`${url}/slow`, handling);
  await closed();
  const a = await exposition(auto);
  const o = await exposition(own);
  expect(a.sum('http_requests_total')).toBe(0);
  expect(a.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  expect(o.find('http_requests_total').map((s) => [s.labels.route, s.labels.status_code, s.value])).toEqual([['/things/:id', '499', 1]]);
  expect(o.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
});

test('the rank is checked', () => {
  expect(() => lifecycle(new Registry(), -1)).toThrow('test: the YIELDS option must be a non-negative integer, got -1');
});
