// Scrapes at scale: what one scrape of a big registry costs the event loop that also serves the
// app's requests, promwire's endpoint against prom-client's registry.metrics().
//
//   node --expose-gc bench/scrape-scale.mjs [--series 1000,10000,100000] [--runs 3] [--kinds http,client,client1,native]
//        [--latency 100000] [--latency-servers text,text+gzip,protobuf,protobuf+gzip,prom-client] [--out file.json]
//   node bench/scrape-scale.mjs --report file.json     (the saved results as docs/scrape-scale.md's tables)
//   LONG_TURN_MS=6 node --expose-gc --trace-gc bench/scrape-scale.mjs --child promwire http 100000 1
//                                                       (one configuration, its long turns among GC lines)
//
// One child process per (registry, series count, implementation), so heaps never mix. Registries:
//   http    promwire's HTTP metrics with `series` routes (a counter and a duration histogram per
//           route: 17 + 1 samples each); for prom-client, its Counter, Histogram and Gauge
//           holding the same label sets.
//   client  20 plain prom-client metrics (10 counters, 10 gauges) sharing `series` series,
//           served by promwire's endpoint and by registry.metrics().
//   client1 one prom-client counter with all `series` series: its get() is one piece of
//           synchronous work of the client's own that no serializer can cut.
//   native  promwire's HTTP metrics with `series` routes and histograms: 'both' (classic and
//           native buckets), so the endpoint offers the delimited protobuf exposition; scraped as
//           protobuf, as Prometheus does with native histograms on (prom-client writes no
//           protobuf, so promwire alone).
// Per scrape, in process (endpoint.respond for promwire; metrics() then zlib's async gzip for
// prom-client): the longest event-loop block, from a setImmediate loop timing every turn (wall
// time, and the main thread's CPU time when process.threadCpuUsage exists, which leaves out time
// the OS gave other processes) and monitorEventLoopDelay (1 ms resolution); total time; heap and
// ArrayBuffer growth from before the scrape to its end (no GC in between); body bytes; then the
// total time of one more scrape with no clock running. Each figure is the median of `runs`
// measurements after one warm-up. idleMaxBlockMs is the same clock run
// for as long with no scrape: the machine's own noise (other processes, preemption).
// --latency N: at N series, for each of --latency-servers (text and text+gzip: promwire over the
// http registry; protobuf and protobuf+gzip: promwire over the native registry, scraped with
// Prometheus's protobuf Accept; prom-client over the http registry), a load process sends GET
// /ping (a trivial route on the same server) 4 at a time, bounded in count and time, with no
// scrape and then with /metrics scraped back to back from a fifth connection; it reports p50 /
// p99 / max of /ping, and the server's event-loop delay in each phase (p99 and max of
// monitorEventLoopDelay, read through GET /turns).
import { fork } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import client from 'prom-client';

const gzipAsync = promisify(gzip);
const SELF = fileURLToPath(import.meta.url);
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const MODES = [
  { name: 'text', accept: 'text/plain;version=0.0.4', gzip: false },
  { name: 'text+gzip', accept: 'text/plain;version=0.0.4', gzip: true },
  { name: 'openmetrics', accept: 'application/openmetrics-text;version=1.0.0', gzip: false },
  { name: 'openmetrics+gzip', accept: 'application/openmetrics-text;version=1.0.0', gzip: true },
];
// What Prometheus 2.42+ sends with native histograms on: protobuf first.
const PROTOBUF_ACCEPT = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,' +
  'application/openmetrics-text;version=1.0.0;q=0.8,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROTOBUF_MODES = [
  { name: 'protobuf', accept: PROTOBUF_ACCEPT, gzip: false },
  { name: 'protobuf+gzip', accept: PROTOBUF_ACCEPT, gzip: true },
];
const KINDS = ['http', 'client', 'client1', 'native'];
// The servers of the latency run: implementation, registry, Accept and gzip of the scraper.
const LATENCY_SERVERS = {
  text: { impl: 'promwire', kind: 'http', accept: 'text/plain;version=0.0.4', gzip: false },
  'text+gzip': { impl: 'promwire', kind: 'http', accept: 'text/plain;version=0.0.4', gzip: true },
  protobuf: { impl: 'promwire', kind: 'native', accept: PROTOBUF_ACCEPT, gzip: false },
  'protobuf+gzip': { impl: 'promwire', kind: 'native', accept: PROTOBUF_ACCEPT, gzip: true },
  'prom-client': { impl: 'prom-client', kind: 'http', accept: 'text/plain;version=0.0.4', gzip: false },
};
// LONG_TURN_MS: print every turn longer than this (main-thread CPU) with its time since start, to
// line up with node --trace-gc's lines.
const LONG_TURN_MS = Number(process.env.LONG_TURN_MS ?? Infinity);
// PROMWIRE_CORE: a path to a copy of @promwire/core's build to measure instead of the workspace's
// (so a rebuild of the workspace during a long run changes nothing).
const importCore = () => import(process.env.PROMWIRE_CORE ?? '@promwire/core');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};

/** A registry of `kind` with `series` series, and how each implementation scrapes it. */
async function build(impl, kind, series) {
  const registry = new client.Registry();
  const route = (i) => `/api/v1/resource-${i}/:id`;
  if ((kind === 'http' || kind === 'native') && impl === 'promwire') {
    const core = await importCore();
    const histograms = kind === 'native' ? 'both' : 'classic';
    const recorder = core.createHttpMetrics({ registry, defaultMetrics: false, maxLabelValues: series, routeOf: (r) => r.route, histograms });
    const raw = { method: 'GET', url: '/', headers: {} };
    for (let i = 0; i < series; i++) recorder.end(recorder.begin({ route: route(i) }, undefined, raw), 200);
  } else if (kind === 'http') {
    const labelNames = ['method', 'route', 'status_code'];
    const requests = new client.Counter({ name: 'http_requests_total', help: 'Requests.', labelNames, registers: [registry] });
    const duration = new client.Histogram({
      name: 'http_request_duration_seconds', help: 'Duration.', labelNames, buckets: DURATION_BUCKETS, registers: [registry],
    });
    new client.Gauge({ name: 'http_requests_in_flight', help: 'In flight.', labelNames: ['method'], registers: [registry] }).set({ method: 'GET' }, 0);
    for (let i = 0; i < series; i++) {
      const labels = { method: 'GET', route: route(i), status_code: '200' };
      requests.inc(labels);
      duration.observe(labels, 0.003);
    }
  } else {
    const metrics = kind === 'client1' ? 1 : 20;
    for (let m = 0; m < metrics; m++) {
      const Type = m % 2 === 0 ? client.Counter : client.Gauge;
      const metric = new Type({ name: `app_metric_${m}${Type === client.Counter ? '_total' : ''}`, help: `Metric ${m}.`, labelNames: ['id'], registers: [registry] });
      for (let i = m; i < series; i += metrics) metric.inc({ id: `item-${i}` }, i);
    }
  }
  if (impl === 'promwire') {
    const core = await importCore();
    const endpoint = core.createMetricsEndpoint({ registry });
    return {
      registry,
      handler: endpoint.handle,
      async scrape(mode) {
        const reply = await endpoint.respond({ method: 'GET', headers: { accept: mode.accept, 'accept-encoding': mode.gzip ? 'gzip' : '' } });
        if (reply.status !== 200) throw new Error(`scrape answered ${reply.status}: ${reply.body}`);
        if (mode.accept === PROTOBUF_ACCEPT && !reply.headers['content-type'].startsWith('application/vnd.google.protobuf')) {
          throw new Error(`a protobuf scrape answered ${reply.headers['content-type']}`);
        }
        return reply.body;
      },
    };
  }
  return {
    registry,
    async handler(req, res) {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(body);
    },
    async scrape(mode) {
      const body = await registry.metrics();
      return mode.gzip ? gzipAsync(body) : body;
    },
  };
}

/** Times every turn of the event loop until stopped: the longest wall and main-thread CPU gaps. */
function turnClock() {
  const cpu = typeof process.threadCpuUsage === 'function' ? () => { const u = process.threadCpuUsage(); return (u.user + u.system) / 1000; } : undefined;
  let wall = performance.now();
  let used = cpu?.();
  let maxWall = 0;
  let maxCpu = 0;
  let turns = 0;
  let running = true;
  const tick = () => {
    // A tick already queued when the clock stopped measures nothing (its turn is not the scrape's).
    if (!running) return;
    const now = performance.now();
    maxWall = Math.max(maxWall, now - wall);
    wall = now;
    if (cpu !== undefined) {
      const c = cpu();
      maxCpu = Math.max(maxCpu, c - used);
      if (c - used > LONG_TURN_MS) console.error(`long turn: ${(c - used).toFixed(1)} ms CPU, ended at ${now.toFixed(0)} ms`);
      used = c;
    }
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  // The tick queued by the last one runs before this turn ends: the last block is counted too.
  return async () => {
    await new Promise(setImmediate);
    running = false;
    return { maxWall, maxCpu: cpu === undefined ? undefined : maxCpu, turns };
  };
}

/** The longest turns of an event loop doing nothing for `ms`: what the machine alone costs (other processes, GC of other work). */
async function idleFloor(ms) {
  const stop = turnClock();
  await new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));
  return stop();
}

/** A forced GC, then time for V8 and Node to free what it released (ArrayBuffers are freed by a task). */
async function settle() {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  globalThis.gc();
}

/**
 * One scrape under the turn clock (blocks, memory, bytes), then one more with nothing else on
 * the loop for its total time (the clock's spinning loop would compete with zlib's threads).
 */
async function measure(bench, mode) {
  await settle();
  const before = process.memoryUsage();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const stop = turnClock();
  await new Promise(setImmediate);
  const body = await bench.scrape(mode);
  const after = process.memoryUsage();
  const clock = await stop();
  histogram.disable();
  const bytes = Buffer.byteLength(body);
  await settle();
  const t0 = performance.now();
  await bench.scrape(mode);
  const ms = performance.now() - t0;
  const floor = await idleFloor(ms);
  return {
    ms,
    maxBlockMs: clock.maxWall,
    maxBlockCpuMs: clock.maxCpu,
    idleMaxBlockMs: floor.maxWall,
    loopDelayMaxMs: histogram.max / 1e6,
    turns: clock.turns,
    heapMB: (after.heapUsed - before.heapUsed) / 2 ** 20,
    buffersMB: (after.arrayBuffers - before.arrayBuffers) / 2 ** 20,
    bytes,
  };
}

async function child(impl, kind, series, runs) {
  const bench = await build(impl, kind, series);
  const rows = [];
  for (const mode of kind === 'native' ? PROTOBUF_MODES : MODES) {
    if (impl === 'prom-client' && mode.name.startsWith('openmetrics')) continue; // its registry writes one format
    await bench.scrape(mode); // warm-up
    const samples = [];
    for (let r = 0; r < runs; r++) samples.push(await measure(bench, mode));
    const row = { impl, kind, series, mode: mode.name, runs };
    for (const key of Object.keys(samples[0])) row[key] = samples[0][key] === undefined ? undefined : median(samples.map((s) => s[key]));
    rows.push(row);
    if (process.send) process.send({ type: 'row', row });
    else console.log(JSON.stringify(row));
  }
}

/** Serves /ping and /metrics on 127.0.0.1 for the latency run; tells the parent its port. */
async function server(impl, kind, series) {
  const bench = await build(impl, kind, series);
  // The server's event-loop delay (1 ms timer, wall time), from one GET /turns to the next (the
  // load process asks before and after each phase): what requests waited behind. No turn clock
  // here: its spinning loop would take a core from the load process.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const srv = createServer((req, res) => {
    if (req.url === '/metrics') return void bench.handler(req, res);
    if (req.url === '/turns') {
      res.end(JSON.stringify({ maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 }));
      return void delay.reset();
    }
    res.end('pong');
  });
  srv.listen(0, '127.0.0.1', () => process.send({ type: 'port', port: srv.address().port }));
  process.on('message', (m) => m === 'stop' && srv.close(() => process.exit(0)));
}

function get(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks = path === '/turns' ? [] : undefined;
      res.on('data', (chunk) => chunks?.push(chunk));
      res.on('end', () => resolve(chunks && JSON.parse(Buffer.concat(chunks).toString())));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `concurrency` loops of GET /ping, with or without a back-to-back scraper, bounded in count and time. */
async function load(port, scraping, { concurrency = 4, count = 4000, seconds = 20, accept, gzip: gzipped = false } = {}) {
  await get(port, '/turns'); // the server's clock starts over
  const latencies = [];
  const deadline = performance.now() + seconds * 1000;
  let sent = 0;
  let done = false;
  let scrapes = 0;
  const scraper = (async () => {
    while (scraping && !done) {
      await get(port, '/metrics', { accept, ...(gzipped ? { 'accept-encoding': 'gzip' } : {}) });
      scrapes++;
    }
  })();
  // The first scrape is under way before the pings start.
  if (scraping) await new Promise((resolve) => setTimeout(resolve, 200));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < count && performance.now() < deadline) {
        sent++;
        const t0 = performance.now();
        await get(port, '/ping');
        latencies.push(performance.now() - t0);
      }
    }),
  );
  done = true;
  const server = await get(port, '/turns'); // before the last scrape's tail is waited for
  await scraper;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return {
    requests: latencies.length, scrapes, p50: q(0.5), p99: q(0.99), max: latencies[latencies.length - 1],
    serverDelayMaxMs: server.maxMs, serverDelayP99Ms: server.p99Ms,
  };
}

function spawn(args) {
  return fork(SELF, args, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

async function latency(name, series) {
  const { impl, kind, accept, gzip: gzipped } = LATENCY_SERVERS[name];
  const srv = spawn(['--server', impl, kind, String(series)]);
  const port = await new Promise((resolve) => srv.on('message', (m) => m.type === 'port' && resolve(m.port)));
  const loader = spawn(['--load', String(port), String(gzipped), accept]);
  const result = await new Promise((resolve, reject) => {
    loader.on('message', (m) => m.type === 'latency' && resolve(m.result));
    loader.on('exit', (code) => code !== 0 && reject(new Error(`load process exited ${code}`)));
  });
  srv.send('stop');
  await new Promise((resolve) => srv.on('exit', resolve));
  return { name, impl, kind, series, gzip: gzipped, ...result };
}

const fixed = (x, digits = 1) => (x === undefined ? '–' : x.toFixed(digits));

/** The results as the Markdown tables of docs/scrape-scale.md. */
function report({ node, rows, latencies }) {
  const lines = [`Node ${node}. Medians of each configuration's runs.`, ''];
  lines.push('| registry | series | implementation | format | max block, CPU (ms) | max block, wall (ms) | idle floor, wall (ms) | total (ms) | heap + buffers (MB) | bytes |');
  lines.push('|---|---:|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    lines.push(
      `| ${r.kind} | ${r.series.toLocaleString('en')} | ${r.impl} | ${r.mode} | ${fixed(r.maxBlockCpuMs)} | ${fixed(r.maxBlockMs)} | ` +
        `${fixed(r.idleMaxBlockMs)} | ${fixed(r.ms, 0)} | ${fixed(r.heapMB + r.buffersMB)} | ${r.bytes.toLocaleString('en')} |`,
    );
  }
  if (latencies.length > 0) {
    lines.push('', '| server | format | series | gzip | /ping p50, no scrape (ms) | p99, no scrape | p50, scraping | p99, scraping | max, scraping | scrapes | server loop delay p99 / max, no scrape | scraping |');
    lines.push('|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const l of latencies) {
      const format = l.kind === 'native' ? 'protobuf' : 'text';
      lines.push(
        `| ${l.impl} | ${format} | ${l.series.toLocaleString('en')} | ${l.gzip ? 'yes' : 'no'} | ${fixed(l.idle.p50)} | ${fixed(l.idle.p99)} | ` +
          `${fixed(l.scraping.p50)} | ${fixed(l.scraping.p99)} | ${fixed(l.scraping.max)} | ${l.scraping.scrapes} | ` +
          `${fixed(l.idle.serverDelayP99Ms)} / ${fixed(l.idle.serverDelayMaxMs)} | ${fixed(l.scraping.serverDelayP99Ms)} / ${fixed(l.scraping.serverDelayMaxMs)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

async function main() {
  const saved = arg('report', undefined);
  if (saved !== undefined) return void process.stdout.write(report(JSON.parse(readFileSync(saved, 'utf8'))));
  const seriesList = arg('series', '1000,10000,100000').split(',').map(Number);
  const runs = Number(arg('runs', '3'));
  const latencySeries = Number(arg('latency', '100000'));
  const latencyServers = arg('latency-servers', Object.keys(LATENCY_SERVERS).join(',')).split(',');
  const kinds = arg('kinds', KINDS.join(',')).split(',').filter(Boolean); // --kinds '': the latency run alone
  for (const name of latencyServers) if (!(name in LATENCY_SERVERS)) throw new Error(`unknown latency server ${name}`);
  for (const kind of kinds) if (!KINDS.includes(kind)) throw new Error(`unknown registry kind ${kind}`);
  const out = arg('out', undefined);
  const rows = [];
  for (const series of seriesList) {
    for (const kind of kinds) {
      for (const impl of kind === 'native' ? ['promwire'] : ['promwire', 'prom-client']) {
        const proc = spawn(['--child', impl, kind, String(series), String(runs)]);
        proc.on('message', (m) => {
          if (m.type !== 'row') return;
          rows.push(m.row);
          console.log(JSON.stringify(m.row));
        });
        const code = await new Promise((resolve) => proc.on('exit', resolve));
        if (code !== 0) throw new Error(`${impl} ${kind} ${series} exited ${code}`);
      }
    }
  }
  const latencies = [];
  if (latencySeries > 0) {
    for (const name of latencyServers) {
      const row = await latency(name, latencySeries);
      latencies.push(row);
      console.log(JSON.stringify(row));
    }
  }
  const results = { node: process.version, rows, latencies };
  if (out !== undefined) writeFileSync(out, `${JSON.stringify(results, null, 1)}\n`);
  process.stdout.write(report(results));
}

const mode = process.argv[2];
if (mode === '--child') await child(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6])).then(() => process.disconnect?.());
else if (mode === '--server') await server(process.argv[3], process.argv[4], Number(process.argv[5]));
else if (mode === '--load') {
  const port = Number(process.argv[3]);
  const options = { gzip: process.argv[4] === 'true', accept: process.argv[5] };
  const idle = await load(port, false, options);
  const scraping = await load(port, true, options);
  process.send({ type: 'latency', result: { idle, scraping } });
  process.disconnect();
} else await main();
