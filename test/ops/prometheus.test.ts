/**
 * The rules and the dashboard against live data: two instances of examples/express (one job,
 * so the rules aggregate across `instance`), a third that answers no errors, and
 * examples/ml-inference, scraped by a real Prometheus 2.42 with ops/rules/promwire.rules.yml
 * loaded. Every rule evaluates without error; recording rules equal the same PromQL asked
 * directly; the availability page fires for the job whose /error route answers 500 and stays
 * silent for the one without errors; every rule and every dashboard query is run through
 * /api/v1/query and must return data, except for series no example exposes (GenAI, label
 * overflow, cluster worker timeouts), which parse and return empty.
 */
import { eventually, request } from '../helpers/http';
import { startExample, type Running } from '../helpers/processes';
import { TRAFFIC } from '../integration/examples';
import { DASHBOARD, panelTargets, readDashboard, ruleExpressions, RULES, substitute } from './ops-files';
import { startPrometheusWithRules, type RulesPrometheus } from './prometheus-with-rules';

jest.setTimeout(180000);

/** Series the examples cannot produce: queries on them must parse, and may return nothing. */
const NO_EXAMPLE_EXPOSES = /gen_ai_|promwire_label_overflow_total|promwire_cluster_worker_timeouts_total/;

let prometheus: RulesPrometheus;
const apps: Record<'express1' | 'express2' | 'healthy' | 'ml', Running | undefined> = { express1: undefined, express2: undefined, healthy: undefined, ml: undefined };
const host = (r: Running | undefined) => new URL(r!.url).host;
const table: string[] = [];

async function send(base: string, method: string, path: string, body?: string): Promise<void> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  await request(`${base}${path}`, { method, headers, body });
}

const TRAFFIC_COUNT = TRAFFIC.reduce((n, t) => n + t.count, 0);

async function sendTraffic(): Promise<void> {
  for (const app of [apps.express1!, apps.express2!]) {
    for (const t of TRAFFIC) for (let i = 1; i <= t.count; i++) await send(app.url, t.method, t.path.replace('{i}', String(i)), t.body);
  }
  for (let i = 1; i <= 30; i++) await send(apps.healthy!.url, 'GET', `/api/v1/users/${i}`);
  for (const runtime of ['onnx', 'tfjs']) {
    for (const n of [1, 4, 32]) {
      const inputs = Array.from({ length: n }, () => [5.1, 3.5, 1.4, 0.2]);
      await send(apps.ml!.url, 'POST', `/v1/predict?runtime=${runtime}`, JSON.stringify({ inputs }));
    }
  }
}

beforeAll(async () => {
  [apps.express1, apps.express2, apps.healthy, apps.ml] = await Promise.all([
    startExample('examples/express/server.js'),
    startExample('examples/express/server.js'),
    startExample('examples/express/server.js'),
    startExample('examples/ml-inference/server.js'),
  ]);
  prometheus = await startPrometheusWithRules(
    [
      { job: 'express', targets: [host(apps.express1), host(apps.express2)] },
      { job: 'express_healthy', targets: [host(apps.healthy)] },
      { job: 'ml', targets: [host(apps.ml)] },
    ],
    [RULES],
  );
  // Traffic after the first scrape, so rates over it are not zero.
  await eventually(async () => (await prometheus.query('up == 1')).length === 4, 30000).catch(async (error: Error) => {
    const targets = await prometheus.api<{ activeTargets: { scrapeUrl: string; health: string; lastError: string }[] }>('/api/v1/targets');
    throw new Error(`${error.message}: targets ${JSON.stringify(targets.data.activeTargets.map((t) => [t.scrapeUrl, t.health, t.lastError]))}`);
  });
  // Two rounds: a series is born with its first request, so only the second round is an increase
  // that rate() can see.
  await sendTraffic();
  await eventually(async () => {
    const [http, ml] = await Promise.all([
      prometheus.query('sum(http_requests_total{job=~"express|express_healthy"})'),
      prometheus.query('sum(ml_inference_duration_seconds_count)'),
    ]);
    return http[0]?.value[1] === String(2 * TRAFFIC_COUNT + 30) && ml[0]?.value[1] === '6';
  }, 30000);
  await sendTraffic();
  // The event that proves the rules saw the traffic: the recorded rates of the last requests sent.
  await eventually(async () => {
    const [http, ml] = await Promise.all([
      prometheus.query('job_route_method:http_requests:rate5m{job="express", route="__unmatched__"} > 0'),
      prometheus.query('job_model_runtime_outcome:ml_inference_duration_seconds_count:rate5m{runtime="tfjs"} > 0'),
    ]);
    return http.length === 1 && ml.length === 1;
  }, 60000).catch(async (error: Error) => {
    const seen = await prometheus.query('count by (__name__, job) ({__name__=~"job_route_method:http_requests:rate5m|ml_inference_duration_seconds_count|job_model_runtime_outcome:.*"})');
    throw new Error(`${error.message}: ${JSON.stringify(seen.map((s) => s.metric))}`);
  });
});

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all(Object.values(apps).map((a) => a?.stop()));
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

test('the availability page fires for the job answering 500s (3 of 40 requests) and stays silent for the one without errors', async () => {
  const firing = 'ALERTS{alertname="PromwireAvailabilityBudgetBurnPage", alertstate="firing"}';
  await eventually(async () => (await prometheus.query(`${firing}`)).some((s) => s.metric.job === 'express'), 30000);
  // The healthy job's error ratio has been recorded (as 0), so the rule did look at it.
  expect(await prometheus.query('job:http_requests_errors:ratio_rate5m{job="express_healthy"}')).toEqual([
    expect.objectContaining({ value: [expect.any(Number), '0'] }),
  ]);
  const alerts = await prometheus.query(firing);
  expect(alerts.map((s) => s.metric.job)).toEqual(['express']);
  expect(alerts[0]!.metric).toMatchObject({ severity: 'page', slo: 'availability' });
  table.push(`alert fired: PromwireAvailabilityBudgetBurnPage{job="express"}; silent for express_healthy`);
});

test(`every rule expression returns data on the live series (empty allowed only for ${NO_EXAMPLE_EXPOSES.source.replace(/\|/g, ', ')} and alerts not firing)`, async () => {
  const alertsFiring = new Set((await prometheus.query('ALERTS{alertstate="firing"}')).map((s) => s.metric.alertname));
  const empty: string[] = [];
  for (const r of ruleExpressions(RULES)) {
    const body = await prometheus.api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(r.expr)}`);
    expect({ rule: r.name, status: body.status, error: body.error }).toEqual({ rule: r.name, status: 'success', error: undefined });
    const n = body.data.result.length;
    table.push(`${String(n).padStart(3)}  ${r.kind} ${r.name}${r.labels ? `{${r.labels}}` : ''}`);
    const mayBeEmpty = NO_EXAMPLE_EXPOSES.test(r.expr) || (r.kind === 'alert' && !alertsFiring.has(r.name));
    if (n === 0 && !mayBeEmpty) empty.push(r.name);
  }
  expect(empty).toEqual([]);
});

test(`every dashboard query, variables substituted, runs on Prometheus and returns data (empty allowed only for ${NO_EXAMPLE_EXPOSES.source.replace(/\|/g, ', ')})`, async () => {
  const d = readDashboard(DASHBOARD);
  const instances = [apps.express1, apps.express2, apps.healthy, apps.ml].map((a) => host(a).replace(/\./g, '\\\\.'));
  const values = {
    job: '(express|express_healthy|ml)',
    instance: `(${instances.join('|')})`,
    route: '(/api/v1/users/:id|/slow|/error|__unmatched__|/v1/predict)',
  };
  const empty: string[] = [];
  for (const { panel, target } of panelTargets(d)) {
    const expr = substitute(target.expr, values);
    expect(expr).not.toMatch(/\$(?!\{1\})/); // ${1} is label_replace's, which Grafana leaves alone
    const body = await prometheus.api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
    expect({ panel: panel.title, status: body.status, error: body.error }).toEqual({ panel: panel.title, status: 'success', error: undefined });
    const n = body.data.result.length;
    table.push(`${String(n).padStart(3)}  panel "${panel.title}" ${target.refId}`);
    if (n === 0 && !NO_EXAMPLE_EXPOSES.test(expr)) empty.push(`${panel.title} ${target.refId}: ${expr}`);
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
