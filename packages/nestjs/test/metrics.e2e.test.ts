import { Inject, Injectable, Module, type INestApplication, VersioningType } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { RouterModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import {
  METRICS_OPTIONS, METRICS_REGISTRY, MetricsModule, type MetricsModuleOptions, type MetricsOptionsFactory,
  makeCounterProvider, makeGaugeProvider,
} from '../src';
import { parseExposition, type Exposition } from '../../../test/helpers/exposition';
import { eventually, request, requestAbortedWhen, scrape } from '../../../test/helpers/http';
import { CatsModule, ZooModule } from './fixtures';
import { fastifyCompress, nestVersion } from './fastify-compress';

/*
 * light-my-request 6.8 (Fastify 5's `inject`) requires cookie 2, an ES module, which jest cannot
 * `require` on Node 20: its one import is given from the CommonJS cookie, as in
 * packages/fastify/test/fastify-versions.ts. Fastify 4's (NestJS 10) needs nothing.
 */
jest.mock('../../../node_modules/light-my-request/node_modules/cookie/dist/index.js', () => {
  const { serialize } = jest.requireActual<{ serialize: (name: string, value: string) => string }>('cookie');
  return { stringifySetCookie: ({ name, value }: { name: string; value: string }) => serialize(name, value) };
});

type Platform = 'express' | 'fastify';

interface Started {
  app: INestApplication;
  url: string;
  registry: Registry;
}

const platforms: Platform[] = ['express', 'fastify'];

const METRICS_REGISTRY_HOLDER = 'TEST_REGISTRY_HOLDER';
const holder: { registry: Registry } = { registry: new Registry() };

const existingOptions = {
  provide: 'EXISTING_OPTIONS',
  useFactory: (): MetricsOptionsFactory => ({
    createMetricsOptions: () => ({ registry: holder.registry, defaultMetrics: false, prefix: 'ex_' }),
  }),
};

@Module({
  providers: [{ provide: METRICS_REGISTRY_HOLDER, useValue: holder }, existingOptions],
  exports: [METRICS_REGISTRY_HOLDER, existingOptions.provide],
})
class HolderModule {}

@Injectable()
class OptionsFactory implements MetricsOptionsFactory {
  constructor(@Inject(METRICS_REGISTRY_HOLDER) private readonly holder: { registry: Registry }) {}
  createMetricsOptions(): MetricsModuleOptions {
    return { registry: this.holder.registry, defaultMetrics: false, prefix: 'cls_' };
  }
}


describe.each(platforms)(`NestJS ${nestVersion} on %s`, (platform) => {
  let started: Started | undefined;
  afterEach(async () => {
    await started?.app.close();
    started = undefined;
  });

  async function start(
    metrics: (registry: Registry) => ReturnType<typeof MetricsModule.forRoot> = (registry) =>
      MetricsModule.forRoot({ registry, defaultMetrics: false }),
    setup: (app: INestApplication) => Promise<void> | void = () => undefined,
  ): Promise<Started> {
    const registry = new Registry();
    const moduleRef = await Test.createTestingModule({
      imports: [metrics(registry), CatsModule, ZooModule, RouterModule.register([{ path: 'zoo', module: ZooModule }])],
    }).compile();
    const app =
      platform === 'express'
        ? moduleRef.createNestApplication<NestExpressApplication>(new ExpressAdapter(), { logger: false })
        : moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    app.setGlobalPrefix('api');
    app.enableVersioning({ type: VersioningType.URI });
    await setup(app);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    started = { app, url: `http://127.0.0.1:${port}`, registry };
    return started;
  }

  /** Scrapes once `total` requests are recorded and nothing is left in flight. */
  async function settled(url: string, total: number, prefix = '', path = '/metrics', headers: Record<string, string> = {}): Promise<Exposition> {
    await eventually(async () => {
      const exp = await scrape(url, path, headers);
      return exp.sum(`${prefix}http_requests_total`) === total && exp.sum(`${prefix}http_requests_in_flight`) === 0;
    });
    return scrape(url, path, headers);
  }

  test('labels requests with the versioned, prefixed Nest route template', async () => {
    const { url } = await start();
    expect((await request(`${url}/api/v1/cats/7`)).status).toBe(200);
    expect((await request(`${url}/api/v1/cats/8`)).status).toBe(200);
    expect((await request(`${url}/api/misc/shown`)).status).toBe(200);
    const exp = await settled(url, 3);
    expect(exp.value('http_requests_total', { method: 'GET', route: '/api/v1/cats/:id', status_code: '200' })).toBe(2);
    expect(exp.value('http_requests_total', { method: 'GET', route: '/api/misc/shown', status_code: '200' })).toBe(1);
    expect(exp.value('http_request_duration_seconds_count', { route: '/api/v1/cats/:id', status_code: '200' })).toBe(2);
    expect(exp.find('http_requests_total')).toHaveLength(2);
  });

  test('includes the RouterModule path of the module', async () => {
    const { url } = await start();
    expect((await request(`${url}/api/zoo/animals/lion`)).status).toBe(200);
    const exp = await settled(url, 1);
    expect(exp.value('http_requests_total', { route: '/api/zoo/animals/:name', status_code: '200' })).toBe(1);
  });

  test("counts a guard's 403 and a pipe's 400 with the route", async () => {
    const { url } = await start();
    expect((await request(`${url}/api/v1/cats/7/secret`)).status).toBe(403);
    expect((await request(`${url}/api/v1/cats/7/secret`, { headers: { 'x-token': 'secret' } })).status).toBe(200);
    expect((await request(`${url}/api/v1/cats/not-a-number`)).status).toBe(400);
    const exp = await settled(url, 3);
    expect(exp.value('http_requests_total', { route: '/api/v1/cats/:id/secret', status_code: '403' })).toBe(1);
    expect(exp.value('http_requests_total', { route: '/api/v1/cats/:id/secret', status_code: '200' })).toBe(1);
    expect(exp.value('http_requests_total', { route: '/api/v1/cats/:id', status_code: '400' })).toBe(1);
  });

  test('counts a 404 as __unmatched__, never by its path', async () => {
    const { url } = await start();
    for (const path of ['/api/v1/dogs/1', '/nope', '/api/v2/cats/1']) expect((await request(`${url}${path}`)).status).toBe(404);
    const exp = await settled(url, 3);
    expect(exp.value('http_requests_total', { method: 'GET', route: '__unmatched__', status_code: '404' })).toBe(3);
    expect(exp.find('http_requests_total')).toHaveLength(1);
  });

  test('counts errors with the status Nest or an exception filter sent', async () => {
    const { url } = await start();
    expect((await request(`${url}/api/misc/fail`)).status).toBe(500);
    expect((await request(`${url}/api/misc/teapot`)).status).toBe(418);
    const exp = await settled(url, 2);
    expect(exp.value('http_requests_total', { route: '/api/misc/fail', status_code: '500' })).toBe(1);
    expect(exp.value('http_requests_total', { route: '/api/misc/teapot', status_code: '418' })).toBe(1);
  });

  test('counts requests answered before routing: middleware, malformed bodies', async () => {
    const { url } = await start();
    expect((await request(`${url}/api/misc/shown`, { headers: { 'x-block': '1' } })).status).toBe(401);
    const bad = await request(`${url}/api/v1/cats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"oops' });
    expect(bad.status).toBe(400);
    const exp = await settled(url, 2);
    expect(exp.value('http_requests_total', { method: 'GET', route: '__unmatched__', status_code: '401' })).toBe(1);
    // Express parses bodies before routing, Fastify after: the route is known on Fastify only.
    const route = platform === 'express' ? '__unmatched__' : '/api/v1/cats';
    expect(exp.value('http_requests_total', { method: 'POST', route, status_code: '400' })).toBe(1);
  });

  test('leaves out excluded controllers and handlers, even when a guard rejects', async () => {
    const { url } = await start();
    expect((await request(`${url}/api/health`)).status).toBe(200);
    expect((await request(`${url}/api/misc/hidden`)).status).toBe(200);
    expect((await request(`${url}/api/internal/state`)).status).toBe(403);
    expect((await request(`${url}/api/misc/shown`)).status).toBe(200);
    const exp = await settled(url, 1);
    expect(exp.find('http_requests_total').map((s) => s.labels.route)).toEqual(['/api/misc/shown']);
    expect(exp.find('http_request_duration_seconds_count').map((s) => s.labels.route)).toEqual(['/api/misc/shown']);
  });

  test('getRoute labels every recorded request, a throw counts as unmatched, excluded handlers stay out', async () => {
    const { url } = await start((registry) =>
      MetricsModule.forRoot({
        registry,
        defaultMetrics: false,
        getRoute: (req) => {
          if (req.headers['x-route'] === 'throw') throw new Error('no route');
          return req.headers['x-route'] as string | undefined;
        },
      }),
    );
    expect((await request(`${url}/api/v1/cats/1`, { headers: { 'x-route': 'cats' } })).status).toBe(200);
    expect((await request(`${url}/nope`, { headers: { 'x-route': 'nowhere' } })).status).toBe(404);
    expect((await request(`${url}/api/v1/cats/1`, { headers: { 'x-route': 'throw' } })).status).toBe(200);
    expect((await request(`${url}/api/health`, { headers: { 'x-route': 'health' } })).status).toBe(200);
    expect((await request(`${url}/api/internal/state`, { headers: { 'x-route': 'internal' } })).status).toBe(403);
    const exp = await settled(url, 3);
    expect(exp.value('http_requests_total', { route: 'cats', status_code: '200' })).toBe(1);
    expect(exp.value('http_requests_total', { route: 'nowhere', status_code: '404' })).toBe(1);
    expect(exp.value('http_requests_total', { route: '__unmatched__', status_code: '200' })).toBe(1);
  });

  test('exclude matches route templates, and the path of an unmatched request, as given', async () => {
    const { url } = await start((registry) =>
      MetricsModule.forRoot({ registry, defaultMetrics: false, exclude: ['/api/misc/shown', /^\/ignored\//] }),
    );
    expect((await request(`${url}/api/misc/shown`)).status).toBe(200);
    expect((await request(`${url}/ignored/1?x=1`)).status).toBe(404);
    expect((await request(`${url}/api/misc/hidden`)).status).toBe(200);
    expect((await request(`${url}/api/v1/cats/1`)).status).toBe(200);
    expect((await request(`${url}/elsewhere`)).status).toBe(404);
    const exp = await settled(url, 2);
    expect(exp.find('http_requests_total').map((s) => s.labels.route).sort()).toEqual(['/api/v1/cats/:id', '__unmatched__']);
  });

  test('counts a client that goes away as 499, with the route, once', async () => {
    const { url } = await start();
    // The client leaves once its request is in flight, and the handler answers 300 ms later.
    const inFlight = eventually(async () => (await scrape(url)).value('http_requests_in_flight', { method: 'GET' }) === 1);
    await requestAbortedWhen(`${url}/api/misc/slow`, inFlight);
    let exp = await settled(url, 1);
    expect(exp.value('http_requests_total', { route: '/api/misc/slow', status_code: '499' })).toBe(1);
    // A second slow request, started later, answers after the first one's late answer (timers of
    // equal delay fire in the order they were set): once it is recorded, the late answer was handled.
    expect((await request(`${url}/api/misc/slow`)).status).toBe(200);
    exp = await settled(url, 2);
    expect(exp.find('http_requests_total').map((s) => [s.labels.route, s.labels.status_code, s.value]).sort()).toEqual([
      ['/api/misc/slow', '200', 1],
      ['/api/misc/slow', '499', 1],
    ]);
  });

  test('serves an injected application metric from the same registry', async () => {
    const { url, registry } = await start();
    await request(`${url}/api/v1/cats/1`);
    await request(`${url}/api/v1/cats/2`);
    const exp = await settled(url, 2);
    expect(exp.types.get('cats_looked_up_total')).toBe('counter');
    expect(exp.value('cats_looked_up_total', { kind: 'one' })).toBe(2);
    expect(registry.getSingleMetric('cats_looked_up_total')).toBeDefined();
    expect(started!.app.get(METRICS_REGISTRY)).toBe(registry);
  });

  describe('the /metrics endpoint', () => {
    test('stays at the root under a global prefix, is not counted, and negotiates format and gzip', async () => {
      const { url } = await start();
      expect((await request(`${url}/api/metrics`)).status).toBe(404);
      const gz = await request(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
      expect(gz.status).toBe(200);
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const om = await request(`${url}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
      expect(om.headers['content-type']).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
      expect(om.body.endsWith('# EOF\n')).toBe(true);
      const exp = await settled(url, 1);
      expect(exp.value('http_requests_total', { route: '__unmatched__', status_code: '404' })).toBe(1);
      expect(exp.find('http_requests_total', { route: '/metrics' })).toHaveLength(0);
    });

    test('is protected by auth, and moves with the path option', async () => {
      const { url } = await start((registry) =>
        MetricsModule.forRoot({ registry, defaultMetrics: false, path: '/internal/metrics', auth: { bearer: 't0ken' } }),
      );
      const denied = await request(`${url}/internal/metrics`);
      expect(denied.status).toBe(401);
      expect(denied.headers['www-authenticate']).toMatch(/^Bearer/);
      expect((await request(`${url}/metrics`)).status).toBe(404);
      const exp = await settled(url, 1, '', '/internal/metrics', { authorization: 'Bearer t0ken' });
      expect(exp.value('http_requests_total', { route: '__unmatched__', status_code: '404' })).toBe(1);
    });

    test('answers 500 with the message when a collector throws', async () => {
      const { url, registry } = await start();
      registry.registerMetric({
        name: 'broken', help: 'throws', type: 'gauge', aggregator: 'sum',
        get: () => Promise.reject(new Error('collector exploded')),
      } as unknown as Parameters<Registry['registerMetric']>[0]);
      const reply = await request(`${url}/metrics`);
      expect(reply.status).toBe(500);
      expect(reply.body).toContain('collector exploded');
    });
  });

  describe('forRootAsync', () => {
    const CONFIG = 'TEST_METRICS_CONFIG';

    @Module({ providers: [{ provide: CONFIG, useValue: { prefix: 'cfg_' } }], exports: [CONFIG] })
    class ConfigModule {}

    test('builds the options with useFactory and inject', async () => {
      const { url } = await start((registry) =>
        MetricsModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: async (config: { prefix: string }) => ({ registry, defaultMetrics: false, prefix: config.prefix }),
        }),
      );
      await request(`${url}/api/v1/cats/3`);
      const exp = await settled(url, 1, 'cfg_');
      expect(exp.value('cfg_http_requests_total', { route: '/api/v1/cats/:id', status_code: '200' })).toBe(1);
      expect(exp.find('http_requests_total')).toHaveLength(0);
    });

    test('builds the options with useClass', async () => {
      const { url } = await start((registry) => {
        holder.registry = registry;
        return MetricsModule.forRootAsync({ imports: [HolderModule], useClass: OptionsFactory });
      });
      await request(`${url}/api/v1/cats/3`);
      const exp = await settled(url, 1, 'cls_');
      expect(exp.value('cls_http_requests_total', { route: '/api/v1/cats/:id' })).toBe(1);
    });
  });

  if (platform === 'fastify') {
    test('answers 405 to /metrics for other methods than GET and HEAD, as @promwire/fastify does, unrecorded', async () => {
      const { url } = await start();
      const post = await request(`${url}/metrics`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.allow).toBe('GET, HEAD');
      expect((await request(`${url}/metrics`, { method: 'HEAD' })).status).toBe(200);
      await request(`${url}/api/v1/cats/1`);
      const exp = await settled(url, 1);
      expect(exp.find('http_requests_total').map((s) => s.labels.route)).toEqual(['/api/v1/cats/:id']);
    });

    test('records requests made with inject(), with their route, and leaves excluded handlers out', async () => {
      const { app, url } = await start();
      const fastify = app as NestFastifyApplication;
      expect((await fastify.inject({ method: 'GET', url: '/api/v1/cats/9' })).statusCode).toBe(200);
      expect((await fastify.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
      expect((await fastify.inject({ method: 'GET', url: '/api/nowhere' })).statusCode).toBe(404);
      const exp = await settled(url, 2);
      expect(exp.value('http_requests_total', { route: '/api/v1/cats/:id', status_code: '200' })).toBe(1);
      expect(exp.value('http_requests_total', { route: '__unmatched__', status_code: '404' })).toBe(1);
    });

    test('serves /metrics with @fastify/compress registered, compressed once', async () => {
      const { url } = await start(undefined, async (app) => {
        await (app as NestFastifyApplication).register(fastifyCompress as Parameters<NestFastifyApplication['register']>[0], { threshold: 0 });
      });
      await request(`${url}/api/v1/cats/5`);
      const gz = await request(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers['content-encoding']).toBe('gzip');
      parseExposition(gz.body); // one gunzip gives the text: not compressed twice
      const br = await request(`${url}/metrics`, { headers: { 'accept-encoding': 'br' } });
      expect(br.status).toBe(200);
      const plain = await request(`${url}/metrics`);
      expect(plain.headers['content-encoding']).toBeUndefined();
      const exp = parseExposition(plain.body);
      expect(exp.value('http_requests_total', { route: '/api/v1/cats/:id', status_code: '200' })).toBe(1);
    });
  }
});

describe(`MetricsModule on NestJS ${nestVersion}`, () => {
  test('rejects a misspelt option at start-up with a message naming the package', async () => {
    const moduleRef = Test.createTestingModule({
      imports: [MetricsModule.forRoot({ registry: new Registry(), prefx: 'x' } as MetricsModuleOptions)],
    });
    await expect(moduleRef.compile()).rejects.toThrow('@promwire/nestjs: unknown option "prefx"');
  });

  test('rejects a getRoute that is not a function', async () => {
    const moduleRef = Test.createTestingModule({
      imports: [MetricsModule.forRoot({ registry: new Registry(), getRoute: '/fixed' } as unknown as MetricsModuleOptions)],
    });
    await expect(moduleRef.compile()).rejects.toThrow('@promwire/nestjs: getRoute must be a function, got string');
  });

  test('forRootAsync needs exactly one of useFactory, useClass and useExisting', () => {
    expect(() => MetricsModule.forRootAsync({})).toThrow(/exactly one of useFactory, useClass and useExisting, got 0/);
  });

  test('forRootAsync with useExisting reads the options from the existing provider, exported by token', async () => {
    holder.registry = new Registry();
    const ref = await Test.createTestingModule({
      imports: [MetricsModule.forRootAsync({ imports: [HolderModule], useExisting: 'EXISTING_OPTIONS' })],
    }).compile();
    expect(ref.get(METRICS_OPTIONS)).toMatchObject({ prefix: 'ex_' });
    expect(ref.get(METRICS_REGISTRY)).toBe(holder.registry);
    expect(holder.registry.getSingleMetric('ex_http_requests_total')).toBeDefined();
    await ref.close();
  });

  test('an application metric declared again on the same registry is reused; another kind is refused', async () => {
    const registry = new Registry();
    const counter = makeCounterProvider({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue'] });
    const compile = (provider: ReturnType<typeof makeCounterProvider>) =>
      Test.createTestingModule({
        imports: [MetricsModule.forRoot({ registry, defaultMetrics: false })],
        providers: [provider],
      }).compile();
    const first = await compile(counter);
    const second = await compile(counter);
    expect(second.get('PROMWIRE_METRIC_jobs_total')).toBe(first.get('PROMWIRE_METRIC_jobs_total'));
    const gauge = makeGaugeProvider({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue'] });
    await expect(compile(gauge as unknown as typeof counter)).rejects.toThrow(
      '@promwire/nestjs: metric "jobs_total" is already registered in this registry with another kind or labels',
    );
  });

  test('two applications on two registries record apart', async () => {
    const make = async (registry: Registry) => {
      const ref = await Test.createTestingModule({
        imports: [MetricsModule.forRoot({ registry, defaultMetrics: false }), CatsModule],
      }).compile();
      const app = ref.createNestApplication(new ExpressAdapter(), { logger: false });
      await app.listen(0, '127.0.0.1');
      return app;
    };
    const [r1, r2] = [new Registry(), new Registry()];
    const [a1, a2] = [await make(r1), await make(r2)];
    try {
      const port = (app: INestApplication) => (app.getHttpServer().address() as AddressInfo).port;
      await request(`http://127.0.0.1:${port(a1)}/misc/shown`);
      await eventually(async () => (await scrape(`http://127.0.0.1:${port(a1)}`)).sum('http_requests_total') === 1);
      expect((await scrape(`http://127.0.0.1:${port(a2)}`)).sum('http_requests_total')).toBe(0);
      expect((await request(`http://127.0.0.1:${port(a2)}/cats/7`)).status).toBe(200);
      expect(parseExposition(await r2.metrics()).value('cats_looked_up_total', { kind: 'one' })).toBe(1);
      expect(parseExposition(await r1.metrics()).find('cats_looked_up_total')).toEqual([]);
    } finally {
      await a1.close();
      await a2.close();
    }
  });
});

describe(`NestJS ${nestVersion} on express: requests begun at the server`, () => {
  test("after the first request, requests begin at the server's request event and are recorded as before", async () => {
    const registry = new Registry();
    const ref = await Test.createTestingModule({
      imports: [MetricsModule.forRoot({ registry, defaultMetrics: false }), CatsModule],
    }).compile();
    const app = ref.createNestApplication<NestExpressApplication>(new ExpressAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const server = app.getHttpServer() as import('node:http').Server;
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await request(`${url}/misc/shown`)).status).toBe(200);
      // The first request put promwire's listener before Nest's Express app: one function
      // calling both (core's prependRequestListener), which still lists the app alone.
      const [listener] = server.rawListeners('request') as { listener?: unknown }[];
      expect(server.rawListeners('request')).toHaveLength(1);
      expect(server.listeners('request')).toEqual([listener!.listener]);
      for (let i = 0; i < 3; i++) expect((await request(`${url}/cats/${i}`)).status).toBe(200);
      expect((await request(`${url}/misc/hidden`)).status).toBe(200);
      expect((await request(`${url}/health`)).status).toBe(200);
      expect((await request(`${url}/misc/fail`)).status).toBe(500);
      expect((await request(`${url}/nope`)).status).toBe(404);
      await eventually(async () => (await scrape(url)).sum('http_requests_total') === 6);
      const exp = await scrape(url);
      expect(exp.value('http_requests_total', { route: '/misc/shown', status_code: '200' })).toBe(1);
      expect(exp.value('http_requests_total', { route: '/cats/:id', status_code: '200' })).toBe(3);
      expect(exp.value('http_requests_total', { route: '/misc/fail', status_code: '500' })).toBe(1);
      expect(exp.value('http_requests_total', { route: '__unmatched__', status_code: '404' })).toBe(1);
      expect(exp.find('http_requests_total', { route: '/misc/hidden' })).toEqual([]);
      expect(exp.find('http_requests_total', { route: '/health' })).toEqual([]);
      expect(exp.sum('http_requests_in_flight')).toBe(0);
    } finally {
      await app.close();
    }
  });
});
