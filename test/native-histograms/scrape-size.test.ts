/**
 * What native histograms cost and save on the wire, for docs/native-histograms.md: the HTTP
 * duration histogram of 100 series (50 routes × 2 status codes, 200 requests each, durations
 * from a fixed pseudo-random spread over 2 ms … 5 s) rendered in each mode and format, raw and
 * gzipped, with the number of series Prometheus stores. Printed as a table; the assertions
 * check the figures are what they claim (every observation counted, series as stated).
 */
import { gzipSync } from 'node:zlib';
import * as protobuf from 'protobufjs';
import { Registry } from 'prom-client';
import { createHttpMetrics, renderRegistry } from '../../packages/core/src';
import type { HistogramMode } from '../../packages/core/src/native/native-options';
import { METRICS_PROTO, renderProtobuf } from '../../packages/core/src/protobuf/render';

const ROUTES = 50;
const STATUSES = [200, 500];
const REQUESTS = 200;

/** A registry whose duration histogram holds the fixed traffic, recorded with `mode`. */
function recorded(mode: HistogramMode): Registry {
  const registry = new Registry();
  const recorder = createHttpMetrics({ registry, histograms: mode, defaultMetrics: false });
  const duration = (recorder as unknown as { duration: { observe(id: number, v: number): void } }).duration;
  const index = (recorder as unknown as { index: { id(values: string[]): number } }).index;
  let seed = 42;
  for (let r = 0; r < ROUTES; r++) {
    for (const status of STATUSES) {
      const id = index.id(['GET', `/api/r${r}`, String(status)]);
      for (let i = 0; i < REQUESTS; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        duration.observe(id, 0.002 * 2500 ** (seed / 2 ** 31)); // log-uniform over 2 ms … 5 s
      }
    }
  }
  return registry;
}

test('scrape size and stored series of the duration histogram, per mode and format', async () => {
  const type = protobuf.loadSync(METRICS_PROTO).lookupType('io.prometheus.client.MetricFamily');
  const rows = ['mode | format | bytes | gzip bytes | series stored by Prometheus | native buckets per series (mean)'];
  for (const mode of ['classic', 'native', 'both'] as const) {
    const registry = recorded(mode);
    const text = Buffer.from(await renderRegistry(registry, false));
    const body = await renderProtobuf(registry);
    const reader = protobuf.Reader.create(body);
    const histograms: Record<string, any>[] = [];
    while (reader.pos < reader.len) {
      const family = type.toObject(type.decodeDelimited(reader), { longs: Number }) as Record<string, any>;
      if (family.name === 'http_request_duration_seconds') histograms.push(...family.metric.map((m: any) => m.histogram));
    }
    expect(histograms).toHaveLength(ROUTES * STATUSES.length);
    expect(histograms.reduce((n, h) => n + h.sampleCount, 0)).toBe(ROUTES * STATUSES.length * REQUESTS);
    const nativeBuckets = histograms.reduce((n, h) => n + (h.positiveDelta?.length ?? 0), 0) / histograms.length;
    if (mode !== 'classic') {
      // Every series' native buckets add up to its count.
      for (const h of histograms) {
        let count = 0;
        let total = 0;
        for (const d of h.positiveDelta) total += (count += d);
        expect(total + (h.zeroCount ?? 0)).toBe(h.sampleCount);
      }
    }
    const series = ROUTES * STATUSES.length;
    // Classic: 14 bounds + +Inf, _sum, _count per series; native (protobuf scrape): one per series.
    const stored = mode === 'classic' ? series * 17 : series;
    rows.push(`${mode} | text 0.0.4 | ${text.length} | ${gzipSync(text).length} | ${series * 17} | –`);
    rows.push(`${mode} | protobuf | ${body.length} | ${gzipSync(body).length} | ${stored} | ${mode === 'classic' ? '–' : nativeBuckets.toFixed(1)}`);
  }
  console.log(rows.join('\n'));
});
