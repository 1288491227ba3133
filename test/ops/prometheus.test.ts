/**
 * The rules and the dashboard against live data, scraped by a real Prometheus 2.42 with
 * ops/rules/promwire.rules.yml loaded:
 * - two instances of examples/express (one job, so the rules aggregate across `instance`), whose
 *   /error answers 500, and a third (`express_healthy`) with 1 error in 400 requests (0.25 %:
 *   under both pages' burn thresholds, 0.6 % and 1.44 %, over the ticket's 0.1 %);
 * - examples/ml-inference (explicit adapters): predictions on both runtimes, and OpenAI-compatible
 *   chat (streamed with and without usage, and not), completions, embeddings and an unknown model;
 * - fixtures/slow-app.cjs under the zero-code preload with PROMWIRE_MAX_LABEL_VALUES=2: a route
 *   that sleeps 600 ms (past the latency SLO's 0.5 s) and a third route template that overflows;
 * - test/cluster's cluster fixture with one worker stopped (SIGSTOP), so every scrape of the
 *   primary counts a worker timeout;
 * - a target that drops every connection (`up` 0): a port this test holds, so that no server
 *   started meanwhile can take it, as one did when the port was only found free.
 * Every rule evaluates without error; recording rules equal the same PromQL asked directly; each
 * alert fires for the job above its threshold and stays silent for the jobs below it (a non-zero
 * error ratio included); every rule
 * expression and every dashboard query returns data. The table of series per expression is
 * printed at the end.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { eventually, request } from '../helpers/http';
import { freePort, startExample, startProcess, type Running } from '../helpers/processes';
import { runApp, type AppRun } from '../auto/preload';
import { TRAFFIC } from '../integration/examples';
import { DASHBOARD, panelTargets, readDashboard, ruleExpressions, RULES, substitute } from './ops-files';
import { startPrometheusWithRules, type RulesPrometheus } from './prometheus-with-rules';

jest.setTimeout(180000);

let prometheus: RulesPrometheus;
const apps: Record<'express1' | 'express2' | 'healthy' | 'ml', Running | undefined> = { express1: undefined, express2: undefined, healthy: undefined, ml: undefined };
let slow: AppRun | undefined;
let cluster: { running: Running; stopped: number } | undefined;
let downTarget = '';
let dropping: Server | undefined;
const host = (r: Running | undefined) => new URL(r!.url).host;
const table: string[] = [];
const oneLine = (expr: string) => expr.replace(/\s*\n\s*/g, ' ');

async function send(base: string, method: string, path: string, body?: string): Promise<void> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  await request(`${base}${path}`, { method, headers, body });
}

const TRAFFIC_COUNT = TRAFFIC.reduce((n, t) => n + t.count, 0);
/**
 * Requests per round to the healthy job, one of them an error: a 0.25 % error ratio. Both of its
 * series exist before Prometheus's first scrape (one request each), so rate() sees every request
 * of the rounds on the same samples: the ratio stays between 0.125 % (a round's last success
 * seen, its error not yet) and about 0.3 % (0.25 %, and rate() extrapolates the error series,
 * which starts at 1, by up to half a scrape interval where the other starts near 0).
 */
const HEALTHY_COUNT = 400;
const HEALTHY_PRIMING = 2;
const MODEL = 'charlm';
const chat = (extra: object) => JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Describe the iris.' }], max_tokens: 12, seed: 3, ...extra });

/** One round of traffic to every app but the cluster (whose stopped worker would hold a request). */
async function sendTraffic(): Promise<void> {
  for (const app of [apps.express1!, apps.express2!]) {
    for (const t of TRAFFIC) for (let i = 1; i <= t.count; i++) await send(app.url, t.method, t.path.replace('{i}', String(i)), t.body);
  }
  for (let i = 1; i < HEALTHY_COUNT; i++) await send(apps.healthy!.url, 'GET', `/api/v1/users/${i}`);
  await send(apps.healthy!.url, 'GET', '/error');
  const ml = apps.ml!.url;
  for (const runtime of ['onnx', 'tfjs']) {
    for (const n of [1, 4, 32]) {
      const inputs = Array.from({ length: n }, () => [5.1, 3.5, 1.4, 0.2]);
      await send(ml, 'POST', `/v1/predict?runtime=${runtime}`, JSON.stringify({ inputs }));
    }
  }
  await send(ml, 'POST', '/v1/chat/completions', chat({}));
  await send(ml, 'POST', '/v1/chat/completions', chat({ stream: true, stream_options: { include_usage: true } }));
  await send(ml, 'POST', '/v1/chat/completions', chat({ stream: true })); // no usage asked: counted as missing
  await send(ml, 'POST', '/v1/completions', JSON.stringify({ model: MODEL, prompt: 'The iris', max_tokens: 8 }));
  await send(ml, 'POST', '/v1/embeddings', JSON.stringify({ model: MODEL, input: 'iris' }));
  await send(ml, 'POST', '/v1/chat/completions', JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }));
  // 2 of 10 requests slower than 0.5 s: a 20 % slow ratio, above the page's 14.4 × 1 % budget.
  for (let i = 0; i < 6; i++) await send(slow!.appUrl, 'GET', '/fast');
  await Promise.all([send(slow!.appUrl, 'GET', '/sleep'), send(slow!.appUrl, 'GET', '/sleep')]);
  for (let i = 1; i <= 2; i++) await send(slow!.appUrl, 'GET', `/items/${i}`);
}

/** A listener on 127.0.0.1 that closes every connection at once: a scrape of it fails. */
function dropEveryConnection(): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** test/cluster's fixture: a primary serving the combined metrics of 2 workers, each given 250 ms to answer. */
async function startCluster(): Promise<{ running: Running; workers: number[] }> {
  const appPort = await freePort();
  const running = await startProcess(process.execPath, [join(__dirname, '..', 'cluster', 'fixtures', 'cluster-app.cjs')], /metrics on (\S+)/, {
    env: { APP_PORT: String(appPort), WORKERS: '2', WORKER_TIMEOUT_MS: '250' },
    timeoutMs: 60000,
  });
  await eventually(async () => (running.output().match(/worker \d+ pid \d+ listening/g) ?? []).length === 2, 60000);
  const workers = [...running.output().matchAll(/worker \d+ pid (\d+) listening/g)].map((m) => Number(m[1]));
  return { running, workers };
}

beforeAll(async () => {
  const started = await Promise.all([
    startExample('examples/express/server.js'),
    startExample('examples/express/server.js'),
    startExample('examples/express/server.js'),
    startExample('examples/ml-inference/server.js'),
    runApp(join(__dirname, 'fixtures', 'slow-app.cjs'), '--require', { env: { PROMWIRE_MAX_LABEL_VALUES: '2' } }),
    startCluster(),
    dropEveryConnection(),
  ] as const);
  [apps.express1, apps.express2, apps.healthy, apps.ml] = started;
  slow = started[4];
  const c = started[5];
  dropping = started[6];
  downTarget = `127.0.0.1:${(dropping.address() as AddressInfo).port}`;
  await send(apps.healthy!.url, 'GET', '/api/v1/users/0');
  await send(apps.healthy!.url, 'GET', '/error');
  // A worker that stops answering: it keeps its connection to the primary but never replies.
  const stopped = c.workers[1]!;
  process.kill(stopped, 'SIGSTOP');
  cluster = { running: c.running, stopped };
  prometheus = await startPrometheusWithRules(
    [
      { job: 'express', targets: [host(apps.express1), host(apps.express2)] },
      { job: 'express_healthy', targets: [host(apps.healthy)] },
      { job: 'ml', targets: [host(apps.ml)] },
      { job: 'slow', targets: [new URL(slow.metricsUrl).host] },
      { job: 'cluster', targets: [new URL(c.running.url).host] },
      { job: 'down', targets: [downTarget] },
    ],
    [RULES],
  );
  // Traffic after the first scrape, so rates over it are not zero.
  await eventually(async () => (await prometheus.query('up == 1')).length === 6 && (await prometheus.query('up == 0')).length === 1, 30000).catch(async (error: Error) => {
    const targets = await prometheus.api<{ activeTargets: { scrapeUrl: string; health: string; lastError: string }[] }>('/api/v1/targets');
    throw new Error(`${error.message}: targets ${JSON.stringify(targets.data.activeTargets.map((t) => [t.scrapeUrl, t.health, t.lastError]))}`);
  });
  // Two rounds: a series is born with its first request, so only the second round is an increase
  // that rate() can see.
  await sendTraffic();
  await eventually(async () => {
    const [http, ml, genai] = await Promise.all([
      prometheus.query('sum(http_requests_total{job=~"express|express_healthy"})'),
      prometheus.query('sum(ml_inference_duration_seconds_count{model="iris"})'),
      prometheus.query('sum(gen_ai_server_requests_total)'),
    ]);
    return http[0]?.value[1] === String(2 * TRAFFIC_COUNT + HEALTHY_PRIMING + HEALTHY_COUNT) && ml[0]?.value[1] === '6' && genai[0]?.value[1] === '6';
  }, 30000);
  await sendTraffic();
  // The events that prove the rules saw the traffic: the recorded rates of the last requests sent,
  // and a worker timeout counted after the first one (the counter rose while Prometheus watched).
  await eventually(async () => {
    const seen = await Promise.all([
      prometheus.query('job_route_method:http_requests:rate5m{job="express", route="__unmatched__"} > 0'),
      prometheus.query('job_model_runtime_outcome:ml_inference_duration_seconds_count:rate5m{runtime="tfjs"} > 0'),
      prometheus.query('job_model_token_type:gen_ai_server_tokens:rate5m{gen_ai_token_type="output"} > 0'),
      prometheus.query('job_route_method:http_requests:rate5m{job="slow", route="__overflow__"} > 0'),
      prometheus.query('increase(promwire_cluster_worker_timeouts_total[1m]) > 0'),
    ]);
    return seen.every((r) => r.length > 0);
  }, 60000).catch(async (error: Error) => {
    const seen = await prometheus.query('count by (__name__, job) ({__name__=~"job_route_method:http_requests:rate5m|ml_inference_duration_seconds_count|job_model_runtime_outcome:.*|job_model_token_type:.*|promwire_cluster_worker_timeouts_total"})');
    throw new Error(`${error.message}: ${JSON.stringify(seen.map((s) => s.metric))}`);
  });
});

afterAll(async () => {
  await prometheus?.stop();
  if (cluster !== undefined) process.kill(cluster.stopped, 'SIGCONT'); // a stopped worker would not see its primary leave
  await Promise.all([...Object.values(apps).map((a) => a?.stop()), slow?.stop(), cluster?.running.stop()]);
  await new Promise((resolve) => (dropping === undefined ? resolve(undefined) : dropping.close(resolve)));
  if (table.length > 0) process.stdout.write(`\nseries per expression on live data:\n${table.join('\n')}\n`);
});

test('every rule group is loaded from the file and every rule evaluates with health ok and no error', async () => {
  const rules = ruleExpressions(RULES);
  let groups = await prometheus.rules();
  // Each group evaluated at least once after the traffic reached the rules (see beforeAll).
  const since = Date.now();
  await eventually(async () => {
    groups = await prometheus.rules();
    return groups.every((g) => Date.parse(g.lastEvaluation) > since);
  }, 30000);
  expect(groups.map((g) => g.name).sort()).toEqual(['promwire-genai', 'promwire-health-alerts', 'promwire-http', 'promwire-ml', 'promwire-slo-alerts', 'promwire-slo-sli']);
  const loaded = groups.flatMap((g) => g.rules);
  expect(loaded).toHaveLength(rules.length);
  for (const r of loaded) expect({ name: r.name, health: r.health, lastError: r.lastError ?? '' }).toEqual({ name: r.name, health: 'ok', lastError: '' });
});

/** A recorded series and the same PromQL asked directly, at the rule's own evaluation time. */
async function compare(record: string, direct: string): Promise<void> {
  await eventually(async () => {
    // The rule's evaluation time is its samples' timestamp.
    const recorded = await prometheus.query(`timestamp(${record})`);
    if (recorded.length === 0) return false;
    const at = Number(recorded[0]!.value[1]);
    const [now, asked] = await Promise.all([prometheus.query(record, at), prometheus.query(direct, at)]);
    const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).filter(([k]) => k !== '__name__').sort());
    const want = new Map(asked.map((s) => [key(s.metric), Number(s.value[1])]));
    const same = (a: number, b: number | undefined) => (Number.isNaN(a) ? Number.isNaN(b) : b !== undefined && Math.abs(a - b) <= 1e-9 * Math.abs(b));
    return now.length === asked.length && now.every((s) => same(Number(s.value[1]), want.get(key(s.metric))));
  }, 20000);
}

test.each([
  ['request rate per job/route/method, summed across both instances',
    'job_route_method:http_requests:rate5m{job="express"}',
    'sum by (job, route, method) (rate(http_requests_total{job="express"}[5m]))'],
  ['error ratio per route (0 for a route without 5xx)',
    'job_route_method:http_requests_errors:ratio_rate5m{job="express"}',
    '(sum by (job, route, method) (rate(http_requests_total{job="express", status_code=~"5.."}[5m])) or sum by (job, route, method) (rate(http_requests_total{job="express"}[5m])) * 0) / sum by (job, route, method) (rate(http_requests_total{job="express"}[5m]))'],
  ['p95 latency per route from the buckets of both instances',
    'job_route_method:http_request_duration_seconds:histogram_quantile_rate5m{job="express", route="/slow", quantile="0.95"}',
    'label_replace(histogram_quantile(0.95, sum by (job, route, method, le) (rate(http_request_duration_seconds_bucket{job="express", route="/slow"}[5m]))), "quantile", "0.95", "", "")'],
  ['job error ratio over 1h',
    'job:http_requests_errors:ratio_rate1h',
    'sum by (job) (rate(http_requests_total{status_code=~"5.."}[1h])) / sum by (job) (rate(http_requests_total[1h])) or sum by (job) (rate(http_requests_total[1h])) * 0'],
  ['ML inference rate per model/runtime/outcome',
    'job_model_runtime_outcome:ml_inference_duration_seconds_count:rate5m',
    'sum by (job, model, runtime, outcome) (rate(ml_inference_duration_seconds_count[5m]))'],
])('recording rule equals the direct query: %s', async (_, record, direct) => {
  await compare(record, direct);
  expect((await prometheus.query(record)).length).toBeGreaterThan(0);
});

test('the availability page fires for the job answering 500s (3 of 40 requests) and stays silent for the one at 1 in 400, whose ticket fires', async () => {
  const page = 'ALERTS{alertname="PromwireAvailabilityBudgetBurnPage", alertstate="firing"}';
  const ticket = 'ALERTS{alertname="PromwireAvailabilityBudgetBurnTicket", alertstate="firing"}';
  // The healthy job's ticket (over 0.1 % for 3d and 6h) is the event that proves its error
  // ratio was evaluated non-zero by the same rules as the pages.
  await eventually(async () => {
    const [pages, tickets] = await Promise.all([prometheus.query(page), prometheus.query(ticket)]);
    return pages.some((s) => s.metric.job === 'express') && tickets.some((s) => s.metric.job === 'express_healthy');
  }, 30000);
  const ratios = await Promise.all(['5m', '30m', '1h', '6h'].map(async (w) => {
    const [sample] = await prometheus.query(`job:http_requests_errors:ratio_rate${w}{job="express_healthy"}`);
    return Number(sample!.value[1]);
  }));
  for (const ratio of ratios) {
    expect(ratio).toBeGreaterThan(0.001); // the ticket's threshold
    expect(ratio).toBeLessThan(6 * 0.001); // the lower of the pages' thresholds
  }
  const alerts = await prometheus.query(page);
  expect(alerts.map((s) => s.metric.job)).toEqual(['express']);
  expect(alerts[0]!.metric).toMatchObject({ severity: 'page', slo: 'availability' });
  const percent = ratios.map((r) => `${(r * 100).toFixed(3)} %`).join(' / ');
  table.push(`alert fired: PromwireAvailabilityBudgetBurnPage{job="express"}; silent for express_healthy (error ratio 5m/30m/1h/6h ${percent}), whose ticket fired`);
});

test('the latency page fires for the job with 2 of 10 requests over 0.5 s and stays silent for the jobs without slow requests', async () => {
  const firing = 'ALERTS{alertname="PromwireLatencyBudgetBurnPage", alertstate="firing"}';
  await eventually(async () => (await prometheus.query(firing)).some((s) => s.metric.job === 'slow'), 30000);
  // Below the threshold: the healthy job's slow ratio has been recorded (as 0), so the rule did
  // look at it. (The ML job is left out: a first TF.js inference on a loaded machine may pass 0.5 s.)
  expect(await prometheus.query('job:http_request_duration_seconds_slow:ratio_rate5m{job="express_healthy"}')).toEqual([
    expect.objectContaining({ value: [expect.any(Number), '0'] }),
  ]);
  const jobs = (await prometheus.query(firing)).map((s) => s.metric.job);
  expect(jobs.filter((j) => j!.startsWith('express'))).toEqual([]);
  table.push(`alert fired: PromwireLatencyBudgetBurnPage{job=~"${jobs.join('|')}"}; silent for express, express_healthy`);
});

test.each([
  ['PromwireLabelOverflow', { job: 'slow', label: 'route' }],
  ['PromwireClusterWorkerTimeouts', { job: 'cluster' }],
  ['PromwireGenAiStreamUsageMissing', { job: 'ml', gen_ai_request_model: MODEL }],
])('%s fires for the job that produces it, and for no other', async (alertname, labels) => {
  const firing = `ALERTS{alertname="${alertname}", alertstate="firing"}`;
  await eventually(async () => (await prometheus.query(firing)).length > 0, 30000);
  const alerts = await prometheus.query(firing);
  expect([...new Set(alerts.map((s) => s.metric.job))]).toEqual([labels.job]);
  expect(alerts.map((s) => s.metric)).toContainEqual(expect.objectContaining(labels));
  table.push(`alert fired: ${alertname} ${alerts.map((s) => JSON.stringify(s.metric)).join(' ')}`);
});

test('PromwireTargetDown is pending (for 5m) for the target that drops its connections, and for no live target', async () => {
  const pending = 'ALERTS{alertname="PromwireTargetDown"}';
  await eventually(async () => (await prometheus.query(pending)).length > 0, 30000);
  const alerts = await prometheus.query(pending);
  expect(alerts.map((s) => [s.metric.job, s.metric.instance, s.metric.alertstate])).toEqual([['down', downTarget, 'pending']]);
  table.push(`alert pending: PromwireTargetDown{instance="${downTarget}"} (fires after 5m; promtool test covers the firing)`);
});

test('every rule expression returns data on the live series', async () => {
  const empty: string[] = [];
  for (const r of ruleExpressions(RULES)) {
    const body = await prometheus.api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(r.expr)}`);
    expect({ rule: r.name, status: body.status, error: body.error }).toEqual({ rule: r.name, status: 'success', error: undefined });
    const n = body.data.result.length;
    table.push(`${String(n).padStart(3)}  ${r.kind} ${r.name}${r.labels ? `{${r.labels}}` : ''}: ${oneLine(r.expr)}`);
    if (n === 0) empty.push(r.name);
  }
  expect(empty).toEqual([]);
});

test('every dashboard query, variables substituted, runs on Prometheus and returns data', async () => {
  const d = readDashboard(DASHBOARD);
  const hosts = [...[apps.express1, apps.express2, apps.healthy, apps.ml].map(host), new URL(slow!.metricsUrl).host, new URL(cluster!.running.url).host];
  const values = {
    job: '(express|express_healthy|ml|slow|cluster)',
    instance: `(${hosts.map((h) => h.replace(/\./g, '\\\\.')).join('|')})`,
    route: '(/api/v1/users/:id|/slow|/error|__unmatched__|/v1/predict|/v1/chat/completions|/v1/embeddings|/fast|/sleep|__overflow__)',
  };
  const empty: string[] = [];
  for (const { panel, target } of panelTargets(d)) {
    const expr = substitute(target.expr, values);
    expect(expr).not.toMatch(/\$(?!\{1\})/); // ${1} is label_replace's, which Grafana leaves alone
    const body = await prometheus.api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
    expect({ panel: panel.title, status: body.status, error: body.error }).toEqual({ panel: panel.title, status: 'success', error: undefined });
    const n = body.data.result.length;
    table.push(`${String(n).padStart(3)}  panel "${panel.title}" ${target.refId}: ${oneLine(expr)}`);
    if (n === 0) empty.push(`${panel.title} ${target.refId}: ${expr}`);
  }
  expect(empty).toEqual([]);
  // The variables' own queries: each selector matches series.
  for (const v of d.templating.list.filter((x) => x.type === 'query')) {
    const [, selector, label] = /^label_values\((.+), (\w+)\)$/.exec(v.definition!)!;
    const body = await prometheus.api<string[]>(`/api/v1/label/${label}/values?match[]=${encodeURIComponent(substitute(selector!, values))}`);
    expect(body.status).toBe('success');
    expect(body.data.length).toBeGreaterThan(0);
    table.push(`${String(body.data.length).padStart(3)}  variable ${v.name}: ${body.data.join(', ')}`);
  }
});
