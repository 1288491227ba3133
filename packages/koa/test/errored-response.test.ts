/**
 * A body stream that fails after the headers went out: Koa 3 destroys the response with the
 * error, and the request is recorded as 500, once, with in flight back to 0 and the bytes written.
 * (Koa 2 leaves such a response open until the socket times out: nothing to record until then.)
 * A client that resets the connection mid-stream is 499, whatever Koa's pipeline did first.
 */
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { eventually, scrape } from '../../../test/helpers/http';
import { KOA_VERSIONS, ROUTERS, TestServer } from './support';

const { Router } = ROUTERS[0]![1];

/** What the client got before the connection ended. */
function cutRequest(url: string): Promise<{ status: number; body: string; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', () => undefined);
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body, complete: res.complete }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(KOA_VERSIONS.filter(([name]) => name === 'Koa 3'))('%s: a streamed response cut short', (_, KoaVersion) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test('by a body stream that errors mid-way is recorded as 500, once, with in flight back to 0', async () => {
    server = new TestServer(KoaVersion, { responseSize: true });
    const router = new Router();
    router.get('/files/:name', (ctx) => {
      let sent = false;
      ctx.type = 'text/plain';
      ctx.body = new Readable({
        read() {
          if (sent) return void setImmediate(() => this.destroy(new Error('disk read failed')));
          sent = true;
          this.push('first chunk\n');
        },
      });
    });
    server.app.use(router.routes());
    const url = await server.start();

    const reply = await cutRequest(`${url}/files/a.txt`);
    expect([reply.status, reply.body, reply.complete]).toEqual([200, 'first chunk\n', false]);
    await eventually(async () => (await scrape(url)).sum('http_requests_total') === 1);
    const exp = await scrape(url);
    expect(exp.find('http_requests_total')).toEqual([
      expect.objectContaining({ labels: { method: 'GET', route: '/files/:name', status_code: '500' }, value: 1 }),
    ]);
    expect(exp.value('http_response_size_bytes_sum', { route: '/files/:name', status_code: '500' })).toBe(12);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
    expect(server.errors).toContainEqual(expect.objectContaining({ message: 'disk read failed' }));
  });

  /**
   * The client stops reading after the first chunk and leaves once the server has written three
   * more, so unread bytes make its close a reset. Koa's `pipeline(body, res)` then often destroys
   * the response with ERR_STREAM_PREMATURE_CLOSE before the response's `close`: the client still
   * went away first, so each is 499. A body that ends early on the server's side stays 500.
   */
  test('by a client that resets the connection is 499 every time, also when Koa\'s pipeline errors the response first, and aborted in the GenAI metrics; a body cut short by the server is 500', async () => {
    server = new TestServer(KoaVersion);
    let pushed = 0;
    const router = new Router();
    /** An endless body: `chunk` every millisecond, counted in `pushed`. */
    const endless = (chunk: string): Readable => {
      let timer: NodeJS.Timeout | undefined;
      return new Readable({
        read() {
          timer ??= setTimeout(() => {
            timer = undefined;
            pushed++;
            this.push(chunk);
          }, 1);
        },
        destroy(error, callback) {
          clearTimeout(timer);
          callback(error);
        },
      });
    };
    router.get('/ticks/:id', (ctx) => {
      ctx.type = 'text/plain';
      ctx.body = endless('tick\n');
    });
    router.post('/v1/chat/completions', (ctx) => {
      ctx.type = 'text/event-stream';
      ctx.body = endless('data: {"choices":[{"index":0,"delta":{"content":"tick"}}]}\n\n');
    });
    router.get('/short', (ctx) => {
      ctx.type = 'text/plain';
      let sent = false;
      ctx.body = new Readable({
        read() {
          if (sent) return void setImmediate(() => this.destroy()); // ends without an error: a premature close
          sent = true;
          this.push('partial\n');
        },
      });
    });
    server.app.use(router.routes());
    const url = await server.start();

    const resets = 30;
    for (let i = 0; i < 2 * resets; i++) {
      await new Promise<void>((resolve, reject) => {
        const path = i < resets ? `/ticks/${i}` : '/v1/chat/completions';
        const client = httpRequest(`${url}${path}`, { agent: false, method: i < resets ? 'GET' : 'POST' }, (res) => {
          res.on('error', () => undefined);
          res.once('data', () => {
            res.pause();
            const from = pushed;
            void eventually(() => pushed >= from + 3).then(() => {
              client.destroy();
              resolve();
            }, reject);
          });
        });
        client.on('error', () => undefined);
        client.end();
      });
    }
    const cut = await cutRequest(`${url}/short`);
    expect([cut.status, cut.body, cut.complete]).toEqual([200, 'partial\n', false]);

    await eventually(async () => (await scrape(url)).sum('http_requests_total') === 2 * resets + 1, 20000);
    const exp = await scrape(url);
    expect(exp.find('http_requests_total')).toEqual([
      expect.objectContaining({ labels: { method: 'GET', route: '/ticks/:id', status_code: '499' }, value: resets }),
      expect.objectContaining({ labels: { method: 'POST', route: '/v1/chat/completions', status_code: '499' }, value: resets }),
      expect.objectContaining({ labels: { method: 'GET', route: '/short', status_code: '500' }, value: 1 }),
    ]);
    // The GenAI metrics read the same close the same way: aborted, not a 5xx, no usage missing.
    expect(exp.find('gen_ai_server_requests_total').map((s) => [s.labels.error_type, s.value])).toEqual([['aborted', resets]]);
    expect(exp.sum('gen_ai_server_stream_usage_missing_total')).toBe(0);
    expect(exp.sum('gen_ai_server_requests_in_flight')).toBe(0);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });
});
