import { parseExposition } from '../../../test/helpers/exposition';
import { eventually, request, scrape } from '../../../test/helpers/http';
import { KOA_VERSIONS, ROUTERS, TestServer, type RouterFlavour } from './support';

const cases = KOA_VERSIONS.flatMap(([koaName, KoaVersion]) =>
  ROUTERS.map(([routerName, flavour]) => [koaName, routerName, KoaVersion, flavour] as const),
);

describe.each(cases)('%s with %s', (_, __, KoaVersion, { Router, catchAll }: RouterFlavour) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /**
   * GET /api/v1/users/:id and /api/v1/users through three routers (a prefix and two
   * router.use mounts), a user-router middleware that denies `?deny`, a RegExp route, a route
   * whose handler falls through to a later one, and, `withCatchAll`, a catch-all route last.
   */
  async function start(withCatchAll = false): Promise<string> {
    server = new TestServer(KoaVersion);
    const users = new Router();
    users.use(async (ctx, next) => {
      if (ctx.query.deny !== undefined) ctx.throw(401, 'denied');
      await next();
    });
    users.get('/:id', (ctx) => void (ctx.body = `user ${ctx.params.id}`));
    users.get('/', (ctx) => void (ctx.body = 'all users'));
    users.post('/', (ctx) => {
      ctx.status = 201;
      ctx.body = 'created';
    });
    const v1 = new Router();
    v1.use('/users', users.routes(), users.allowedMethods());
    const api = new Router({ prefix: '/api' });
    api.use('/v1', v1.routes(), v1.allowedMethods());
    server.app.use(api.routes());
    server.app.use(api.allowedMethods());

    const misc = new Router();
    misc.get(/^\/files\/.+\.txt$/, (ctx) => void (ctx.body = 'file'));
    misc.get('/items/:id', (_ctx, next) => next());
    misc.get('/items/:slug', (ctx) => void (ctx.body = 'later route'));
    server.app.use(misc.routes());

    if (withCatchAll) {
      const fallback = new Router();
      fallback.get(catchAll, (ctx) => void (ctx.body = 'catch-all'));
      server.app.use(fallback.routes());
    }
    return server.start();
  }

  test.each<[string, { method?: string; path: string }, number, string]>([
    ['a nested route under prefix and mounts', { path: '/api/v1/users/42' }, 200, '/api/v1/users/:id'],
    ['the root route of a mounted router', { path: '/api/v1/users' }, 200, '/api/v1/users'],
    ['a POST on a mounted router', { method: 'POST', path: '/api/v1/users' }, 201, '/api/v1/users'],
    ['router middleware that throws before the route', { path: '/api/v1/users/42?deny=1' }, 401, '/api/v1/users/:id'],
    ['a RegExp route', { path: '/files/a/b.txt' }, 200, String(/^\/files\/.+\.txt$/)],
    ['a handler that falls through to a later route', { path: '/items/7' }, 200, '/items/:slug'],
    ['a path no route matches', { path: '/api/v2/users/1' }, 404, '__unmatched__'],
    ['a method no route allows (405)', { method: 'DELETE', path: '/api/v1/users/42' }, 405, '__unmatched__'],
  ])('%s', async (___, { method = 'GET', path }, status, route) => {
    const url = await start();
    expect((await request(`${url}${path}`, { method })).status).toBe(status);
    await eventually(async () => (await scrape(url)).sum('http_requests_total') === 1);
    const exp = await scrape(url);
    expect(exp.find('http_requests_total')).toHaveLength(1);
    expect(exp.value('http_requests_total', { method, route, status_code: String(status) })).toBe(1);
  });

  test('a catch-all route registered last does not shadow /metrics, and is labelled by its template', async () => {
    const url = await start(true);
    expect((await request(`${url}/nowhere/at/all`)).body).toBe('catch-all');
    await eventually(async () => (await scrape(url)).sum('http_requests_total') === 1);
    const reply = await request(`${url}/metrics`);
    expect(reply.status).toBe(200);
    const exp = parseExposition(reply.body);
    expect(exp.find('http_requests_total')).toHaveLength(1);
    expect(exp.value('http_requests_total', { method: 'GET', route: catchAll, status_code: '200' })).toBe(1);
  });
});
