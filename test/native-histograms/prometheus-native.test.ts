/**
 * Native histograms against the real consumer: Debian's Prometheus 2.42 with
 * `--enable-feature=native-histograms` scrapes (over protobuf) an app whose histogram the test
 * observes directly with known values (no wall clock), and PromQL's histogram_count,
 * histogram_sum and histogram_quantile over rate() must agree with those values, the quantiles
 * within the bucket width of the schema. A second Prometheus without the feature scrapes the
 * same app (text) and sees the classic histogram; promtool and two text parsers see classic only.
 */
import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { createHistogram, createHttpMetrics, createMetricsEndpoint } from '../../packages/core/src';
import { bucketWidthFactor } from '../../packages/core/src/native/native-buckets';
import { listen, request, type Listening } from '../helpers/http';
import { parseExposition } from '../helpers/exposition';
import { promtoolCheckMetrics, startPrometheus, type Prometheus } from '../helpers/prometheus';
import { pythonParse } from '../conformance/judges';

jest.setTimeout(120000);

/** 400 known durations from 5 ms to about 2.9 s, spread over many buckets. */
const OBSERVED = Array.from({ length: 400 }, (_, i) => 0.005 * 1.016 ** i);
const QUANTILES = [0.5, 0.9, 0.99];
const SCHEMA = 3; // nativeHistogramBucketFactor 1.1 (the default)
const HTTP_REQUESTS = 5;

/** The nearest-rank quantile: the ⌈q·n⌉-th smallest value, the one whose bucket Prometheus interpolates in. */
function exactQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(q * sorted.length) - 1]!;
}

let app: Listening;
let native: Prometheus;
let classic: Prometheus;
const rows: string[] = [];

beforeAll(async () => {
  const registry = new Registry();
  const jobs = createHistogram({ name: 'job_duration_seconds', help: 'Job run time in seconds.', histograms: 'both', registry });
  const recorder = createHttpMetrics({ registry, histograms: 'native', defaultMetrics: false });
  const endpoint = createMetricsEndpoint({ registry });
  app = await listen(
    createServer((req, res) => {
      if (req.url === '/metrics') return void endpoint.handle(req, res);
      const state = recorder.begin(req, res, req);
      if (state !== undefined) state.route = '/work';
      res.end('ok');
      if (state !== undefined) recorder.end(state, 200);
    }),
  );
  const target = new URL(app.url).host;
  native = await startPrometheus([{ job: 'native', target }], { nativeHistograms: true });
  classic = await startPrometheus([{ job: 'classic', target }]);
  // One scrape of the empty histograms first, so rate() sees every observation as an increase.
  await Promise.all([native.waitForScrapes(1), classic.waitForScrapes(1)]);
  for (const v of OBSERVED) jobs.observe(v);
  for (let i = 0; i < HTTP_REQUESTS; i++) expect((await request(`${app.url}/work`)).status).toBe(200);
  await Promise.all([native.waitForScrapes(2), classic.waitForScrapes(2)]);
});

afterAll(async () => {
  if (rows.length > 0) console.log(['quantile | exact (nearest rank) | histogram_quantile | relative error', ...rows].join('\n'));
  await native?.stop();
  await classic?.stop();
  await app?.close();
});

const scalar = async (p: Prometheus, expr: string): Promise<number> => {
  const result = await p.query(expr);
  expect(result).toHaveLength(1);
  return Number(result[0]!.value[1]);
};

describe('Prometheus 2.42 with --enable-feature=native-histograms', () => {
  test('the scrape is up and the histogram is stored as native: no _bucket series', async () => {
    expect((await native.targets()).map((t) => [t.health, t.lastError])).toEqual([['up', '']]);
    expect(await native.query('job_duration_seconds_bucket')).toEqual([]);
    expect(await native.query('http_request_duration_seconds_bucket')).toEqual([]);
  });

  test('histogram_count and histogram_sum equal what was observed', async () => {
    expect(await scalar(native, 'histogram_count(job_duration_seconds)')).toBe(OBSERVED.length);
    const sum = OBSERVED.reduce((a, b) => a + b, 0);
    expect(await scalar(native, 'histogram_sum(job_duration_seconds)')).toBeCloseTo(sum, 9);
    expect(await scalar(native, 'histogram_count(http_request_duration_seconds{route="/work"})')).toBe(HTTP_REQUESTS);
  });

  test.each(QUANTILES)('histogram_quantile(%p, rate(job_duration_seconds[1m])) is within the bucket width of the exact quantile', async (q) => {
    const estimate = await scalar(native, `histogram_quantile(${q}, rate(job_duration_seconds[1m]))`);
    const exact = exactQuantile(OBSERVED, q);
    // Both lie in the same bucket (L, L·f]: the relative error is below f − 1 = 2^(1/8) − 1 ≈ 9.05 %.
    const bound = bucketWidthFactor(SCHEMA) - 1;
    const error = Math.abs(estimate / exact - 1);
    rows.push(`${q} | ${exact.toFixed(6)} | ${estimate.toFixed(6)} | ${(error * 100).toFixed(2)} % (bound ${(bound * 100).toFixed(2)} %)`);
    expect(error).toBeLessThanOrEqual(bound);
  });
});

describe('Prometheus 2.42 without the feature', () => {
  test('sees the classic histogram: _bucket, _count, and histogram_quantile over le', async () => {
    expect((await classic.targets()).map((t) => [t.health, t.lastError])).toEqual([['up', '']]);
    expect(await scalar(classic, 'job_duration_seconds_count')).toBe(OBSERVED.length);
    expect((await classic.query('job_duration_seconds_bucket')).length).toBe(15); // 14 bounds and +Inf
    const median = await scalar(classic, 'histogram_quantile(0.5, rate(job_duration_seconds_bucket[1m]))');
    // The exact median (≈ 0.121 s) lies in the classic bucket (0.1, 0.25].
    expect(exactQuantile(OBSERVED, 0.5)).toBeGreaterThan(0.1);
    expect(median).toBeGreaterThan(0.1);
    expect(median).toBeLessThanOrEqual(0.25);
  });
});

describe('text formats: classic histograms only', () => {
  test('promtool check metrics finds nothing; the 0.0.4 and OpenMetrics texts carry _bucket/_sum/_count and nothing native', async () => {
    const text = (await request(`${app.url}/metrics`)).body;
    const om = (await request(`${app.url}/metrics`, { headers: { accept: 'application/openmetrics-text' } })).body;
    expect(await promtoolCheckMetrics(text)).toEqual([]);
    const parsed = parseExposition(text);
    expect(parsed.types.get('job_duration_seconds')).toBe('histogram');
    expect(parsed.value('job_duration_seconds_bucket', { le: '+Inf' })).toBe(OBSERVED.length);
    expect(parsed.value('job_duration_seconds_count')).toBe(OBSERVED.length);
    for (const [exposition, format] of [[text, 'text'], [om, 'openmetrics']] as const) {
      const families = await pythonParse(exposition, format);
      const job = families.find((f) => f.name === 'job_duration_seconds')!;
      expect(job.type).toBe('histogram');
      expect(new Set(job.samples.map((s) => s.name))).toEqual(
        new Set(['job_duration_seconds_bucket', 'job_duration_seconds_sum', 'job_duration_seconds_count']),
      );
    }
  });
});
