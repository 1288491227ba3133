/**
 * prependRequestListener on real `http.createServer` servers (listen(0)): the listener runs
 * before the handler with the server as `this`, the server keeps one listener, which still
 * lists and removes as the handler; servers with none, several or a `once` listener get it
 * prepended.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { prependRequestListener } from '../src/adapter';
import { listen, type Listening, request } from '../../../test/helpers/http';

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function get(server: Server): Promise<number> {
  const listening = await listen(server);
  open.push(listening);
  return (await request(`${listening.url}/x`)).status;
}

describe('prependRequestListener', () => {
  test('one handler: one function calls the listener, then the handler, both with the server as this', async () => {
    const seen: string[] = [];
    const handler = function (this: unknown, _req: IncomingMessage, res: ServerResponse): void {
      seen.push(this === server ? 'handler on server' : 'handler elsewhere');
      res.end('ok');
    };
    const server = createServer(handler);
    prependRequestListener(server, function (this: unknown, req: IncomingMessage) {
      seen.push(`${this === server ? 'listener on server' : 'listener elsewhere'} ${req.url}`);
    });
    expect(server.rawListeners('request')).toHaveLength(1);
    expect(server.listeners('request')).toEqual([handler]);
    expect(await get(server)).toBe(200);
    expect(seen).toEqual(['listener on server /x', 'handler on server']);
  });

  test('removing the handler removes the listener with it', () => {
    const handler = (): void => undefined;
    const server = createServer(handler);
    prependRequestListener(server, () => undefined);
    server.removeListener('request', handler);
    expect(server.rawListeners('request')).toHaveLength(0);
  });

  test.each([
    ['no listener', (server: Server) => server],
    ['two listeners', (server: Server) => server.on('request', () => undefined).on('request', (_req, res) => void res.end('ok'))],
    ['a once listener', (server: Server) => server.once('request', (_req, res) => void res.end('ok'))],
  ])('%s: the listener is prepended', (_name, setup) => {
    const server = setup(createServer());
    const before = server.rawListeners('request');
    const listener = (): void => undefined;
    prependRequestListener(server, listener);
    expect(server.rawListeners('request')).toEqual([listener, ...before]);
  });
});
