/**
 * The reliability and security suite: every scenario against every adapter on a real loopback
 * server, asserting on the parsed /metrics. A metrics library must never fail a request, kill
 * the process, grow memory without bound or record a wrong series.
 */
import { Registry } from 'prom-client';
import { parseExposition, type Exposition } from '../helpers/exposition';
import { eventually, request, type Listening } from '../helpers/http';
import { promtoolCheckMetrics } from '../helpers/prometheus';
import { ADAPTERS, type Adapter } from './apps';
import { heapAfterGc, send, sendAll, sendRaw, type Planned } from './load';

// Timeouts are guards, never assertions: each is several times the test's run on a busy 2-core
// machine. Most tests here take 1–15 s (cardinality: 4–11 s per adapter on an idle one).
jest.setTimeout(240000);
/** The soak takes about two minutes on an idle 2-core machine and once took over 240 s on a loaded one. */
const SOAK_TIMEOUT_MS = 20 * 60 * 1000;

/** Heap growth allowed across the 20,000-request cardinality attack. */
const ATTACK_HEAP_BOUND = 24 * 1024 * 1024;
/** Heap growth allowed across the soak, after warm-up (between the 100,000th and the last request). */
const SOAK_HEAP_BOUND = 8 * 1024 * 1024;

/**
 * PROMWIRE_RELIABILITY_SIZE=reduced (the Node matrix's runs after the first) shrinks the two
 * long tests to a fifth: the cardinality attack to 4,000 requests (still four times the label
 * cap) and the soak to 100,000 requests. Every other test runs at full size.
 */
const REDUCED = process.env.PROMWIRE_RELIABILITY_SIZE === 'reduced';
const ATTACK = REDUCED ? { random: 2000, methods: 800, ids: 800, raw: 400 } : { random: 10000, methods: 4000, ids: 4000, raw: 2000 };
const ATTACK_TOTAL = ATTACK.random + ATTACK.methods + ATTACK.ids + ATTACK.raw;
const SOAK_BATCH = REDUCED ? 10000 : 50000;
const thousands = (n: number): string => n.toLocaleString('en-US');

const figures: string[] = [];
afterAll(() => {
  console.log(`reliability figures\n${figures.join('\n')}`);
});

async function metricsOf(url: string, headers: Record<string, string> = {}): Promise<Exposition> {
  const reply = await request(`${url}/metrics`, { headers });
  if (reply.status !== 200) throw new Error(`/metrics answered ${reply.status}`);
  return parseExposition(reply.body);
}

const random = (n: number) => Math.floor(Math.random() * n);

/** Apps still open when a test ends (a failed assertion skips its own close). */
const open: Listening[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

function starter(adapter: Adapter): Adapter {
  return {
    name: adapter.name,
    async start(options) {
      const app = await adapter.start(options);
      open.push(app);
      return app;
    },
  };
}

describe.each(ADAPTERS.map((a): [string, Adapter] => [a.name, starter(a)]))('%s', (name, adapter) => {
  test(`cardinality attack: ${thousands(ATTACK_TOTAL)} distinct paths, methods and label values stay bounded`, async () => {
    const registry = new Registry();
    const app = await adapter.start({ registry, labels: { client: (r: { headers: Record<string, string> }) => r.headers['x-client'] } });
    const extension = ['PROPFIND', 'MKCOL', 'LOCK', 'UNLOCK', 'SEARCH', 'PURGE', 'REPORT', 'COPY', 'MOVE', 'LINK'];
    const plan: Planned[] = [];
    let client = 0;
    for (let i = 0; i < ATTACK.random; i++) plan.push({ path: `/random/${i}/${Math.random().toString(36).slice(2)}`, headers: { 'x-client': `c${client++}` } });
    for (let i = 0; i < ATTACK.methods; i++) plan.push({ method: extension[i % extension.length], path: '/users/1', headers: { 'x-client': `c${client++}` } });
    for (let i = 0; i < ATTACK.ids; i++) plan.push({ path: `/users/${i}`, headers: { 'x-client': `c${client++}` } });
    const before = heapAfterGc();
    const outcomes = await sendAll(app.url, plan, 50);
    let rejected = 0;
    for (let i = 0; i < ATTACK.raw; i++) if ((await sendRaw(app.url, `FOO${i} /users/1 HTTP/1.1\r\nHost: x\r\n\r\n`)) === 400) rejected++;
    const after = heapAfterGc();

    expect(outcomes.filter((o) => o.error !== undefined)).toEqual([]);
    expect(rejected).toBe(ATTACK.raw);
    const recorded = plan.length;
    await eventually(async () => (await metricsOf(app.url)).sum('http_requests_total') === recorded, 120000);
    const exp = await metricsOf(app.url);
    const series = exp.find('http_requests_total');
    expect(new Set(series.map((s) => s.labels.route))).toEqual(new Set(['__unmatched__', '/users/:id']));
    expect(new Set(series.map((s) => s.labels.method))).toEqual(new Set(['GET', '_OTHER']));
    const clients = new Set(series.map((s) => s.labels.client));
    expect(clients.size).toBe(1001);
    expect(clients.has('__overflow__')).toBe(true);
    expect(series.length).toBeLessThanOrEqual(1000 + 2 * 2 * 2);
    expect(exp.value('promwire_label_overflow_total', { metric: 'http_requests_total', label: 'client' })).toBe(recorded - 1000);
    expect(after - before).toBeLessThan(ATTACK_HEAP_BOUND);
    figures.push(
      `${name} cardinality: ${plan.length + ATTACK.raw} requests (${rejected} bad methods refused by Node's parser), ` +
        `${series.length} http_requests_total series, overflow counted ${recorded - 1000}, ` +
        `heap after GC ${(before / 1048576).toFixed(1)} → ${(after / 1048576).toFixed(1)} MiB`,
    );
    await app.close();
  });

  test('aborts and faults: 1,000 requests, a third cut by the client, each counted once', async () => {
    const registry = new Registry();
    const app = await adapter.start({ registry });
    const plan: Planned[] = [];
    let aborted = 0;
    let failed = 0;
    for (let i = 0; i < 1000; i++) {
      if (Math.random() < 1 / 3) {
        aborted++;
        // Cut mid-stream, once the first byte proves the server has the request, from a stream
        // that never ends on its own: the 499 count holds however busy the machine is. (A cut
        // on a timer can land before the server has read the request, which then is rightly
        // never counted; aborts before the headers are covered by each adapter's own suite.)
        plan.push({ path: '/stream', abortOnFirstByte: true });
      } else {
        const kind = random(3);
        if (kind === 0) plan.push({ path: `/users/${i}` });
        else {
          failed++;
          plan.push({ path: kind === 1 ? '/throw' : '/reject' });
        }
      }
    }
    const outcomes = await sendAll(app.url, plan, 40);
    expect(outcomes.filter((o) => !o.aborted && o.error !== undefined)).toEqual([]);
    await eventually(async () => (await metricsOf(app.url)).sum('http_requests_total') === 1000, 120000);
    await eventually(async () => (await metricsOf(app.url)).sum('http_requests_in_flight') === 0, 120000);
    const exp = await metricsOf(app.url);
    expect(exp.sum('http_requests_total', { status_code: '499' })).toBe(aborted);
    expect(exp.sum('http_requests_total', { status_code: '500' })).toBe(failed);
    expect(exp.sum('http_requests_total', { status_code: '200' })).toBe(1000 - aborted - failed);
    expect(exp.sum('http_requests_in_flight')).toBe(0);
    figures.push(`${name} aborts: 1000 sent, ${aborted} aborted → ${exp.sum('http_requests_total', { status_code: '499' })} × 499, ` +
      `${failed} failing → 500, counted ${exp.sum('http_requests_total')}, in flight ${exp.sum('http_requests_in_flight')}`);
    await app.close();
  });

  test('malformed input: answers as without promwire, and the exposition stays valid', async () => {
    const plan: Planned[] = [
      { path: '/users/%E0%A4%A' },
      { path: '/users/%' },
      { path: `/users/${'a'.repeat(8192)}` },
      { path: `/nowhere/${'b'.repeat(8192)}` },
      { path: '/users/1', headers: { 'x-client': 'quote " backslash \\ tab \t end' } },
      { path: '/users/1?x=%ZZ&y=%' },
      { path: '//users//1' },
    ];
    const raws = [
      `${'M'.repeat(64)} /users/1 HTTP/1.1\r\nHost: x\r\n\r\n`,
      'GET /users/1 HTTP/1.1\r\nHost: x\r\nX-Client: a\nb\r\n\r\n',
      'GET /users/1 HTTP/1.1\r\nHost: x\r\nX-Client: a\r\n folded\r\n\r\n',
      'GET /users/\x01 HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    const accepts = [
      '', ';;;', ',,,', 'application/openmetrics-text;version=9.9.9', 'application/openmetrics-text;q=abc',
      `text/plain;${'x'.repeat(8000)}`, '*/*;q=0', 'application/openmetrics-text;q=0,text/plain;q=0', '"quoted"', 'application/openmetrics-text;;;version=1.0.0',
    ];
    const run = async (options: Parameters<Adapter['start']>[0]) => {
      const app = await adapter.start(options);
      const replies = [];
      for (const p of plan) {
        const o = await send(app.url, p);
        replies.push([o.status, o.body]);
      }
      for (const raw of raws) replies.push([await sendRaw(app.url, raw)]);
      return { app, replies };
    };
    const bare = await run(undefined);
    await bare.app.close();
    const registry = new Registry();
    const instrumented = await run({ registry, labels: { client: (r: { headers: Record<string, string> }) => r.headers['x-client'] ?? 'none' } });
    expect(instrumented.replies).toEqual(bare.replies);
    for (const accept of accepts) {
      const reply = await request(`${instrumented.app.url}/metrics`, { headers: { accept } });
      expect(reply.status).toBe(200);
      parseExposition(reply.body);
    }
    // Every request that reached the app is counted once (the raw ones never get past Node's parser).
    await eventually(async () => (await metricsOf(instrumented.app.url)).sum('http_requests_total') === plan.length);
    const text = (await request(`${instrumented.app.url}/metrics`)).body;
    expect(await promtoolCheckMetrics(text)).toEqual([]);
    const exp = parseExposition(text);
    expect(exp.find('http_requests_total', { client: 'quote " backslash \\ tab \t end' })).toHaveLength(1);
    expect(Math.max(...exp.find('http_requests_total').map((s) => s.labels.route!.length))).toBeLessThanOrEqual(256);
    figures.push(`${name} malformed: ${plan.length} odd requests + ${raws.length} raw, replies identical to the bare app; ` +
      `${accepts.length} odd Accept headers all 200; promtool: no findings`);
    await instrumented.app.close();
  });

  test('callbacks that fail: requests answer as without promwire, values fall back', async () => {
    const boom = () => {
      throw new Error('user callback failed');
    };
    const pick = (r: { headers: Record<string, string> }) => r.headers['x-mode'];
    const options = {
      labels: { thrower: boom, number: () => 42 as unknown as string, nothing: () => undefined as unknown as string },
      skip: (r: { headers: Record<string, string> }) => (pick(r) === 'skip-throws' ? boom() : pick(r) === 'skip'),
      getRoute: (r: { headers: Record<string, string> }) =>
        pick(r) === 'route-throws' ? boom() : pick(r) === 'route-number' ? (7 as unknown as string) : '/fixed',
    };
    const plan: Planned[] = ['plain', 'skip', 'skip-throws', 'route-throws', 'route-number'].flatMap((mode) =>
      ['/users/1', '/throw', '/nowhere'].map((path) => ({ path, headers: { 'x-mode': mode } })),
    );
    const answers = async (opts: Parameters<Adapter['start']>[0]) => {
      const app = await adapter.start(opts);
      const replies = [];
      for (const p of plan) {
        const o = await send(app.url, p);
        replies.push([o.status, o.body]);
      }
      return { app, replies };
    };
    const bare = await answers(undefined);
    await bare.app.close();
    const registry = new Registry();
    const instrumented = await answers({ registry, ...options });
    expect(instrumented.replies).toEqual(bare.replies);
    await eventually(async () => (await metricsOf(instrumented.app.url)).sum('http_requests_total') === plan.length - 3);
    const exp = await metricsOf(instrumented.app.url);
    for (const s of exp.find('http_requests_total')) {
      expect(s.labels).toMatchObject({ thrower: '', number: '', nothing: '' });
    }
    expect(exp.sum('http_requests_total', { route: '/fixed' })).toBe(6);
    expect(exp.sum('http_requests_total', { route: '__unmatched__' })).toBe(6);
    figures.push(`${name} callbacks: ${plan.length} requests, replies identical to the bare app, ${plan.length - 3} recorded (3 skipped), fallbacks applied`);
    await instrumented.app.close();
  });

  test('scrapes under load: 20 scrapers and 100 connections, every scrape complete and monotonic', async () => {
    const registry = new Registry();
    const app = await adapter.start({ registry });
    const deadline = Date.now() + 3000;
    let sent = 0;
    let errors = 0;
    const loadPlan = async () => {
      const agentPlan: Planned[] = [];
      for (let i = 0; i < 400; i++) agentPlan.push({ path: `/users/${random(1000)}` });
      while (Date.now() < deadline && sent < 200000) {
        const outcomes = await sendAll(app.url, agentPlan.slice(0, 100), 100);
        sent += outcomes.length;
        errors += outcomes.filter((o) => o.status !== 200).length;
      }
    };
    let scrapes = 0;
    const scraper = async () => {
      let last = new Map<string, number>();
      while (Date.now() < deadline) {
        const reply = await request(`${app.url}/metrics`, { headers: random(2) ? { accept: 'application/openmetrics-text' } : {} });
        expect(reply.status).toBe(200);
        const exp = parseExposition(reply.body);
        const now = new Map(exp.find('http_requests_total').map((s) => [JSON.stringify(s.labels), s.value]));
        for (const [key, value] of last) expect(now.get(key) ?? -1).toBeGreaterThanOrEqual(value);
        last = now;
        scrapes++;
      }
    };
    await Promise.all([loadPlan(), ...Array.from({ length: 20 }, scraper)]);
    expect(errors).toBe(0);
    await eventually(async () => (await metricsOf(app.url)).sum('http_requests_total') === sent, 120000);
    figures.push(`${name} scrapes under load: ${sent} requests, 0 errors, ${scrapes} complete scrapes, counters never decreased`);
    await app.close();
  });

  test('auth: missing, wrong and almost-right credentials get 401 and no series', async () => {
    const registry = new Registry();
    const token = 'token-0123456789abcdef';
    const app = await adapter.start({ registry, auth: { bearer: token } });
    await send(app.url, { path: '/users/1' });
    const almost = token.slice(0, -1) + (token.endsWith('f') ? 'e' : 'f');
    const wrong = [undefined, 'Bearer', `Bearer ${almost}`, `Bearer ${token}x`, `Basic ${token}`, `Bearer ${token.toUpperCase()}`];
    for (let i = 0; i < 100; i++) wrong.push(`Bearer caller-${i}`);
    for (const authorization of wrong) {
      const reply = await request(`${app.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
      expect(reply.status).toBe(401);
      expect(reply.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(reply.body).not.toContain('http_requests_total');
    }
    const exp = await metricsOf(app.url, { authorization: `Bearer ${token}` });
    expect(exp.find('http_requests_total')).toHaveLength(1);
    expect(exp.value('http_requests_total', { route: '/users/:id' })).toBe(1);
    figures.push(`${name} auth: ${wrong.length} refused (401), right token 200, series after: ${exp.find('http_requests_total').length}`);
    await app.close();
  });
});

const soakAdapter = starter(ADAPTERS.find((a) => a.name === 'koa')!);

test(`soak: ${thousands(SOAK_BATCH * 10)} requests on ${soakAdapter.name}, heap after GC stays flat`, async () => {
  const registry = new Registry();
  const app = await soakAdapter.start({ registry });
  const samples: number[] = [];
  const batch: Planned[] = Array.from({ length: SOAK_BATCH }, (_, i) => ({ path: i % 10 === 0 ? `/nowhere/${i}` : `/users/${i % 1000}` }));
  for (let round = 0; round < 10; round++) {
    const outcomes = await sendAll(app.url, batch, 64);
    expect(outcomes.filter((o) => o.error !== undefined).length).toBe(0);
    samples.push(heapAfterGc());
  }
  await eventually(async () => (await metricsOf(app.url)).sum('http_requests_total') === SOAK_BATCH * 10, 120000);
  expect(samples[9]! - samples[1]!).toBeLessThan(SOAK_HEAP_BOUND);
  figures.push(`soak (${soakAdapter.name}): ${SOAK_BATCH * 10} requests, heap after GC every ${SOAK_BATCH} (MiB): ${samples.map((s) => (s / 1048576).toFixed(1)).join(', ')}`);
  await app.close();
}, SOAK_TIMEOUT_MS);
