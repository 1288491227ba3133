/**
 * A body stream that fails after the headers went out: Koa 3 destroys the response with the
 * error, and the request is recorded as 500, once, with in flight back to 0 and the bytes written.
 * (Koa 2 leaves such a response open until the socket times out: nothing to record until then.)
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

describe.each(KOA_VERSIONS.filter(([name]) => name === 'Koa 3'))('%s: a body stream that errors mid-way', (_, KoaVersion) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test('is recorded as 500, once, with in flight back to 0', async () => {
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
});
