/**
 * End to end: every example service is scraped by a real Prometheus (Debian's 2.42) on
 * loopback after known traffic; PromQL must count exactly what was sent, per route template
 * and status, the duration histogram must answer histogram_quantile, exemplars must reach
 * Prometheus's exemplar storage, and promtool must find nothing beyond what the client's own
 * default metrics carry (prom-client's three known findings; @prometheus-io/client's five).
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import { request } from '../helpers/http';
import { startExample, type Running } from '../helpers/processes';
import { KNOWN_PROM_CLIENT_FINDINGS, promtoolCheckMetrics, startPrometheus, type Prometheus } from '../helpers/prometheus';
import { TRAFFIC, availableExamples, type Example } from './examples';

jest.setTimeout(120000);

const examples = availableExamples();
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const running = new Map<string, Running>();
let prometheus: Prometheus;

async function sendTraffic(example: Running): Promise<void> {
  for (const planned of TRAFFIC) {
    for (let i = 1; i <= planned.count; i++) {
      const headers: Record<string, string> = {};
      if (planned.body !== undefined) headers['content-type'] = 'application/json';
      if (planned.route === '/api/v1/users/:id' && i === 1) headers.traceparent = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
      const reply = await request(`${example.url}${planned.path.replace('{i}', String(i))}`, {
        method: planned.method,
        headers,
        body: planned.body,
      });
      expect({ path: planned.path, status: reply.status, body: reply.status === planned.status ? '' : reply.body.slice(0, 300) }).toEqual({ path: planned.path, status: planned.status, body: '' });
    }
  }
}

beforeAll(async () => {
  for (const example of examples) running.set(example.name, await startExample(example.script, example.args));
  for (const example of examples) await sendTraffic(running.get(example.name)!);
  prometheus = await startPrometheus(
    examples.map((e) => ({ job: e.name, target: new URL(running.get(e.name)!.url).host })),
    { exemplars: true },
  );
  await prometheus.waitForScrapes(2);
});

afterAll(async () => {
  await prometheus?.stop();
  for (const r of running.values()) await r.stop();
});

describe.each(examples.map((e): [string, Example] => [e.name, e]))('%s example scraped by Prometheus', (name, example) => {
  const recorded = TRAFFIC.filter((t) => !(example.excluded ?? []).includes(t.route));

  test('sum by (route, status_code) (http_requests_total) equals the traffic sent', async () => {
    const result = await prometheus.query(`sum by (method, route, status_code) (http_requests_total{job="${name}"})`);
    const counted = Object.fromEntries(
      result.map((r) => [`${r.metric.method} ${r.metric.route} ${r.metric.status_code}`, Number(r.value[1])]),
    );
    const sent = Object.fromEntries(recorded.map((t) => [`${t.method} ${t.route} ${t.status}`, t.count]));
    expect(counted).toEqual(sent);
  });

  test('histogram_quantile answers over the duration buckets', async () => {
    const [slow] = await prometheus.query(
      `histogram_quantile(0.5, sum by (le) (http_request_duration_seconds_bucket{job="${name}",route="/slow"}))`,
    );
    const median = Number(slow!.value[1]);
    expect(median).toBeGreaterThanOrEqual(0.025);
    expect(median).toBeLessThanOrEqual(0.5);
    const [all] = await prometheus.query(`sum(http_request_duration_seconds_count{job="${name}"})`);
    expect(Number(all!.value[1])).toBe(recorded.reduce((n, t) => n + t.count, 0));
  });

  test('in-flight is back to zero and the scrape is healthy', async () => {
    const result = await prometheus.query(`sum(http_requests_in_flight{job="${name}"})`);
    expect(Number(result[0]!.value[1])).toBe(0);
    const [up] = await prometheus.query(`up{job="${name}"}`);
    expect(up!.value[1]).toBe('1');
  });

  test('the trace_id exemplar reaches Prometheus', async () => {
    const now = Date.now() / 1000;
    const series = await prometheus.queryExemplars(`http_request_duration_seconds_bucket{job="${name}"}`, now - 600, now + 60);
    const traceIds = series.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
    expect(traceIds).toContain(TRACE_ID);
  });

  test('promtool check metrics finds only what the client’s own default metrics carry', async () => {
    const exposition = (await request(`${running.get(name)!.url}/metrics`)).body;
    // The run's client (PROMWIRE_CLIENT; jest maps 'prom-client' onto it): its default metrics alone.
    const alone = new Registry();
    collectDefaultMetrics({ register: alone });
    const known = await promtoolCheckMetrics(await alone.metrics());
    if (process.env.PROMWIRE_CLIENT !== '@prometheus-io/client') expect(known).toEqual(KNOWN_PROM_CLIENT_FINDINGS);
    expect(await promtoolCheckMetrics(exposition)).toEqual(known);
  });
});
