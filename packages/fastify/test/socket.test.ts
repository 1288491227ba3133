/**
 * The plugin on a real listening socket: clients that go away (499, counted once, in flight
 * back to 0) and response sizes as the bytes written to the connection.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { abortedRequest, eventually, request, requestAbortedWhen, scrape } from '../../../test/helpers/http';
import { VERSIONS, appWith } from './fastify-versions';

/** POSTs `body` and destroys the socket once `ready` resolves; resolves when the client side has closed. */
function abortedPost(url: string, body: string, ready: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } });
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    req.end(body);
    void ready.then(() => req.destroy());
  });
}

async function listening(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

describe.each(VERSIONS)('@promwire/fastify on %s: a real socket', (_name, fastify) => {
  let app: FastifyInstance;
  let base: string;
  /** Resolves when a handler has the request (and, for a POST, its body). */
  let arrived: Promise<void>;
  let markArrived: () => void;
  /** Resolves when that handler has sent its late answer, after its client left. */
  let answered: Promise<void>;
  let markAnswered: () => void;
  /** How long the slow handler ran, measured inside it: a lower bound of the request's duration. */
  let slowHandlerSeconds: number;

  beforeEach(async () => {
    arrived = new Promise((resolve) => (markArrived = resolve));
    answered = new Promise((resolve) => (markAnswered = resolve));
    ({ app } = await appWith(fastify, { responseSize: true, sizeBuckets: [10, 100, 10_000] }));
    const answersWhenClientLeft = async (_request: FastifyRequest, reply: FastifyReply): Promise<string> => {
      const closed = new Promise((resolve) => reply.raw.once('close', resolve));
      markArrived();
      await closed;
      setImmediate(markAnswered);
      return 'late';
    };
    app.get('/gone/:id', answersWhenClientLeft);
    app.post('/gone', answersWhenClientLeft);
    app.get('/slow/:id', async () => {
      const handled = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 300));
      slowHandlerSeconds = (performance.now() - handled) / 1000;
      return 'late';
    });
    // Never ends by itself: the stream is destroyed when its client leaves.
    app.get('/trickle', async (_request, reply) => {
      const body = new Readable({ read() {} });
      body.push('first chunk\n');
      return reply.type('text/plain').send(body);
    });
    app.get('/text', async () => 'x'.repeat(1000));
    app.get('/json', async () => ({ a: 'é' }));
    app.get('/stream', async (_request, reply) => reply.type('text/plain').send(Readable.from(['abc', 'defgh'])));
    base = await listening(app);
  });

  afterEach(async () => {
    await app.close();
  });

  it.each([
    ['a GET whose client leaves before the handler answers', (url: string) => requestAbortedWhen(`${url}/gone/1`, arrived), 'GET', '/gone/:id'],
    ['a POST whose body was read before its client left', (url: string) => abortedPost(`${url}/gone`, '{"name":"ada"}', arrived), 'POST', '/gone'],
  ])('records %s once as 499, with in flight back to 0', async (_case, abort, method, route) => {
    await abort(base);
    await eventually(async () => (await scrape(base)).value('http_requests_total', { method, route }) === 1);
    let m = await scrape(base);
    expect(m.value('http_requests_total', { method, route, status_code: '499' })).toBe(1);
    expect(m.value('http_requests_in_flight', { method })).toBe(0);

    // The handler answers the closed connection: still one request, still 499. A request after
    // that answer, once recorded, proves the answer was handled.
    await answered;
    expect((await request(`${base}/text`)).status).toBe(200);
    await eventually(async () => (await scrape(base)).value('http_requests_total', { route: '/text' }) === 1);
    m = await scrape(base);
    expect(m.find('http_requests_total', { method, route })).toEqual([
      expect.objectContaining({ labels: { method, route, status_code: '499' }, value: 1 }),
    ]);
    expect(m.sum('http_requests_total')).toBe(2);
    expect(m.value('http_request_duration_seconds_count', { method, route, status_code: '499' })).toBe(1);
    expect(m.sum('http_requests_in_flight')).toBe(0);
  });

  it('records a client that leaves in the middle of a streamed response as 499', async () => {
    await abortedRequest(`${base}/trickle`, 0, true);
    await eventually(async () => (await scrape(base)).value('http_requests_total', { route: '/trickle' }) === 1);
    const m = await scrape(base);
    expect(m.value('http_requests_total', { route: '/trickle', status_code: '499' })).toBe(1);
    expect(m.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  it('records a slow request that completes with its status and duration', async () => {
    const reply = await request(`${base}/slow/2`);
    expect(reply.status).toBe(200);
    await eventually(async () => (await scrape(base)).value('http_requests_total', { route: '/slow/:id' }) === 1);
    const m = await scrape(base);
    expect(m.value('http_requests_total', { route: '/slow/:id', status_code: '200' })).toBe(1);
    // The handler's own run time is a lower bound of the duration however busy the machine:
    // every bucket below it is empty. How much longer the request took depends on the machine,
    // so no upper bound is asserted.
    const buckets = m.find('http_request_duration_seconds_bucket', { route: '/slow/:id' });
    const below = buckets.filter((b) => Number(b.labels.le) < slowHandlerSeconds);
    expect(below.length).toBeGreaterThan(0);
    for (const bucket of below) expect([bucket.labels.le, bucket.value]).toEqual([bucket.labels.le, 0]);
    expect(m.value('http_request_duration_seconds_bucket', { route: '/slow/:id', le: '+Inf' })).toBe(1);
    expect(m.value('http_request_duration_seconds_sum', { route: '/slow/:id' })).toBeGreaterThanOrEqual(slowHandlerSeconds);
  });

  it('records response sizes as the bytes written, for strings, JSON and streams', async () => {
    for (const path of ['/text', '/json', '/stream']) expect((await request(`${base}${path}`)).status).toBe(200);
    const m = await scrape(base);
    expect(m.value('http_response_size_bytes_sum', { route: '/text' })).toBe(1000);
    expect(m.value('http_response_size_bytes_sum', { route: '/json' })).toBe(Buffer.byteLength('{"a":"é"}'));
    expect(m.value('http_response_size_bytes_sum', { route: '/stream' })).toBe(8);
    expect(m.value('http_response_size_bytes_bucket', { route: '/text', le: '100' })).toBe(0);
    expect(m.value('http_response_size_bytes_bucket', { route: '/text', le: '10000' })).toBe(1);
  });
});
