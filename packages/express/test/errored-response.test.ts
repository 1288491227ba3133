/**
 * A response the server destroys with an error after its headers went out (a body stream that
 * fails mid-way) is recorded as 500, once, with in flight back to 0, and with the bytes that were
 * written. The client sees a cut response; the count must not depend on what the client did.
 */
import { createServer, request as httpRequest } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { metrics } from '@promwire/express';
import { eventually, listen, scrape, type Listening } from '../../../test/helpers/http';

type ExpressModule = typeof import('express');

const versions: [string, ExpressModule][] = [
  ['express 5', require('express') as ExpressModule],
  ['express 4', require('express4') as ExpressModule],
];

/** What the client got before the connection ended: status, body bytes, and whether it was cut. */
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

/** A body that sends `first` and then fails once it has been written. */
function failingBody(first: string): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(first);
        return;
      }
      setImmediate(() => this.destroy(new Error('disk read failed')));
    },
  });
}

describe.each(versions)('%s: a response destroyed with an error after its headers', (_, express) => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(build: (app: Express) => void): Promise<string> {
    const app = express();
    app.use(metrics({ registry: new Registry(), defaultMetrics: false, responseSize: true }));
    build(app);
    server = await listen(createServer(app));
    return server.url;
  }

  test.each<[string, (app: Express) => void]>([
    [
      'a piped body stream that errors mid-way',
      (app) =>
        app.get('/files/:name', (req, res) => {
          res.type('text/plain');
          pipeline(failingBody('first chunk\n'), res, () => undefined);
        }),
    ],
    [
      'a handler that destroys the response with an error',
      (app) =>
        app.get('/files/:name', (req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first chunk\n', () => res.destroy(new Error('upstream failed')));
        }),
    ],
  ])('%s is recorded as 500, once, with in flight back to 0', async (__, build) => {
    const url = await start(build);
    const reply = await cutRequest(`${url}/files/a.txt`);
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('first chunk\n');
    expect(reply.complete).toBe(false);

    await eventually(async () => (await scrape(url)).sum('http_requests_total') === 1);
    const exp = await scrape(url);
    expect(exp.find('http_requests_total')).toEqual([
      expect.objectContaining({ labels: { method: 'GET', route: '/files/:name', status_code: '500' }, value: 1 }),
    ]);
    expect(exp.value('http_request_duration_seconds_count', { route: '/files/:name', status_code: '500' })).toBe(1);
    expect(exp.value('http_response_size_bytes_sum', { route: '/files/:name', status_code: '500' })).toBe(12);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });
});
