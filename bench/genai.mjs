// What the GenAI metrics cost: the delay added to the first byte of a streamed response, and
// the server CPU per streamed token, for a node:http server driven by core's request lifecycle
// (the same code every adapter and @promwire/auto use) in three variants: bare (no promwire),
// promwire with `genai: false` (HTTP metrics only), and promwire with the GenAI metrics on.
//
//   node bench/genai.mjs [--rounds=9] [--requests=400] [--tokens=500] [--stream-requests=40]
//
// One server process holds the three variants, each on its own loopback port; this process is
// the client. Rounds alternate the variants (bare, off, on, bare, …).
// First byte: `requests` sequential POSTs to /v1/chat/completions per variant and round; the
// handler writes the SSE head and a first content chunk at once, then the rest; the client
// times from `request.end()` to the first `data` event (monotonic clock). Figures: the median
// over rounds of each variant's median, and of its p99.
// CPU per token: `stream-requests` sequential streams of `tokens` content chunks (~170 bytes
// each, OpenAI's chunk shape, a usage chunk and [DONE] at the end) per variant and round; the
// server's process.cpuUsage() (user + system) is read before and after each batch, so the
// figure is the server's own CPU per streamed token; overhead = variant − bare of the same round.
import { fork } from 'node:child_process';
import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { median, summary } from './lib/stats.mjs';

const ROOT = join(import.meta.dirname, '..');
const option = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const ROUNDS = option('rounds', 9);
const REQUESTS = option('requests', 400);
const TOKENS = option('tokens', 500);
const STREAM_REQUESTS = option('stream-requests', 40);
const VARIANTS = ['bare', 'genai-off', 'genai-on'];

/** The client's one keep-alive connection per variant (set in `client`). */
let agent;

if (process.argv.includes('--server')) await server();
else await client();

async function server() {
  const require = createRequire(join(ROOT, 'package.json'));
  const { createServer } = require('node:http');
  const { createLifecycle, METRICS_REQUEST } = require('@promwire/core/adapter');
  const { Registry } = require('prom-client');
  const chunk = (content) => `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
  const role = `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`;
  const tail = (n) => `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [], usage: { prompt_tokens: 12, completion_tokens: n } })}\n\ndata: [DONE]\n\n`;
  const handle = (req, res, body) => {
    const tokens = body.max_tokens;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(role);
    res.write(chunk('first'));
    for (let i = 1; i < tokens; i++) res.write(chunk(' tok'));
    res.end(tail(tokens));
  };
  const ports = {};
  for (const variant of VARIANTS) {
    const lifecycle = variant === 'bare' ? undefined : createLifecycle('bench', { registry: new Registry(), defaultMetrics: false, genai: variant === 'genai-on' }, { bodyOf: (req) => req.body });
    const s = createServer((req, res) => {
      if (lifecycle !== undefined && lifecycle.arrive(req, res, req, res) === METRICS_REQUEST) return void lifecycle.serve(req, res);
      if (req.url === '/cpu') {
        const { user, system } = process.cpuUsage();
        return void res.end(String(user + system));
      }
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        req.body = JSON.parse(text); // what a framework's body parser does
        handle(req, res, req.body);
      });
    });
    await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
    ports[variant] = s.address().port;
  }
  process.send({ ports });
}

function post(port, path, body, onFirstByte) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const started = performance.now();
    let first = -1;
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.on('data', () => {
        if (first < 0) first = performance.now() - started;
      });
      res.on('end', () => resolve(first));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function cpuOf(port) {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/cpu', agent }, (res) => {
      let t = '';
      res.on('data', (c) => (t += c));
      res.on('end', () => resolve(Number(t)));
    }).on('error', reject).end();
  });
}

async function client() {
  if (!existsSync(join(ROOT, 'packages/core/dist/adapter/index.js'))) {
    console.error('bench/genai.mjs: build @promwire/core first (npm run build)');
    process.exit(1);
  }
  const { Agent } = await import('node:http');
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const child = fork(import.meta.filename, ['--server'], { stdio: 'inherit' });
  const { ports } = await new Promise((resolve) => child.once('message', resolve));
  const firstByte = Object.fromEntries(VARIANTS.map((v) => [v, { p50: [], p99: [] }]));
  const cpuPerToken = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const overhead = { 'genai-off': [], 'genai-on': [] };
  const body = (n) => ({ model: 'bench-model', stream: true, stream_options: { include_usage: true }, max_tokens: n, messages: [{ role: 'user', content: 'hi' }] });
  // Warm-up: every variant, both kinds.
  for (const v of VARIANTS) {
    for (let i = 0; i < 200; i++) await post(ports[v], '/v1/chat/completions', body(4));
    for (let i = 0; i < 5; i++) await post(ports[v], '/v1/chat/completions', body(TOKENS));
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    const cpuRound = {};
    for (const v of order) {
      const times = [];
      for (let i = 0; i < REQUESTS; i++) times.push(await post(ports[v], '/v1/chat/completions', body(4)));
      times.sort((a, b) => a - b);
      firstByte[v].p50.push(median(times));
      firstByte[v].p99.push(times[Math.floor(times.length * 0.99) - 1]);
      const before = await cpuOf(ports[v]);
      for (let i = 0; i < STREAM_REQUESTS; i++) await post(ports[v], '/v1/chat/completions', body(TOKENS));
      const after = await cpuOf(ports[v]);
      cpuRound[v] = (after - before) / (STREAM_REQUESTS * TOKENS);
      cpuPerToken[v].push(cpuRound[v]);
    }
    for (const v of ['genai-off', 'genai-on']) overhead[v].push(cpuRound[v] - cpuRound.bare);
    process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
  }
  child.kill();
  agent.destroy();
  const f = (x, digits = 3) => x.toFixed(digits);
  const range = (s, digits) => `${f(s.median, digits)} (${f(s.min, digits)} … ${f(s.max, digits)})`;
  const bareP50 = summary(firstByte.bare.p50);
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`rounds ${ROUNDS}, first-byte requests ${REQUESTS} per variant and round, ${STREAM_REQUESTS} streams × ${TOKENS} tokens per variant and round\n`);
  console.log('| variant | first byte p50, ms | first byte p99, ms | added to p50, ms | server CPU per streamed token, µs | overhead per token, µs |');
  console.log('|---|---|---|---|---|---|');
  for (const v of VARIANTS) {
    const p50 = summary(firstByte[v].p50);
    const p99 = summary(firstByte[v].p99);
    const added = v === 'bare' ? '—' : f(p50.median - bareP50.median);
    const cpu = summary(cpuPerToken[v]);
    const over = v === 'bare' ? '—' : range(summary(overhead[v]), 2);
    console.log(`| ${v} | ${range(p50)} | ${range(p99)} | ${added} | ${range(cpu, 2)} | ${over} |`);
  }
}
