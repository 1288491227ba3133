/**
 * Responses that finish on a kept-alive connection: Node detaches the socket before the
 * response's `close`, which core reads to record the status. Every status must land, on one
 * connection and on connections closed after each response.
 */
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { metrics } from '../src';
import { listen, scrape, type Listening } from '../../../test/helpers/http';

type ExpressModule = typeof import('express');

const versions: [string, ExpressModule][] = [
  ['express 5', require('express') as ExpressModule],
  ['express 4', require('express4') as ExpressModule],
];

/** [method, path, status sent, route template]. */
const CASES: [string, string, number, string][] = [
  ['GET', '/json/1', 200, '/json/:id'],
  ['POST', '/created', 201, '/created'],
  ['DELETE', '/empty/2', 204, '/empty/:id'],
  ['GET', '/stream', 200, '/stream'],
  ['HEAD', '/json/3', 200, '/json/:id'],
  ['GET', '/teapot', 418, '/teapot'],
  ['GET', '/missing', 404, '__unmatched__'],
];

function routes(app: Express): void {
  app.get('/json/:id', (req, res) => void res.json({ id: req.params.id }));
  app.post('/created', (req, res) => void res.status(201).send('made'));
  app.delete('/empty/:id', (req, res) => void res.status(204).end());
  app.get('/stream', (req, res) => {
    res.write('a');
    setImmediate(() => res.end('b'));
  });
  app.get('/teapot', (req, res) => void res.sendStatus(418));
}

/** One request through `agent`; answers the status and the socket it went over. */
function send(url: string, method: string, agent: Agent): Promise<{ status: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: req.socket as Socket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(versions)('%s', (_, express) => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test.each([
    ['over one kept-alive connection', true],
    ['over a connection closed after each response', false],
  ])('every status is recorded %s', async (__, keepAlive) => {
    const registry = new Registry();
    const app = express();
    app.use(metrics({ registry, defaultMetrics: false }));
    routes(app);
    server = await listen(createServer(app));
    const agent = new Agent({ keepAlive, maxSockets: 1 });
    try {
      const sockets = new Set<Socket>();
      for (let round = 0; round < 3; round++) {
        for (const [method, path, status] of CASES) {
          const reply = await send(`${server.url}${path}`, method, agent);
          expect(reply.status).toBe(status);
          sockets.add(reply.socket);
        }
      }
      expect(sockets.size).toBe(keepAlive ? 1 : CASES.length * 3);
    } finally {
      agent.destroy();
    }
    const exp = await scrape(server.url);
    for (const [method, , status, route] of CASES) {
      // GET and HEAD of /json/:id are separate series; each case ran 3 times.
      expect(exp.value('http_requests_total', { method, route, status_code: String(status) })).toBe(3);
    }
    expect(exp.sum('http_requests_total')).toBe(CASES.length * 3);
    expect(exp.sum('http_requests_in_flight')).toBe(0);
  });
});
