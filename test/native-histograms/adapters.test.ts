/**
 * The `histograms` option through the adapters: Express (real server on 127.0.0.1) and Fastify
 * (both on 127.0.0.1) with `histograms: 'native'` answer a protobuf scrape with native duration and
 * response-size histograms counting every request, and a text scrape with the classic ones.
 */
import express from 'express';
import Fastify from 'fastify';
import * as protobuf from 'protobufjs';
import { Registry } from 'prom-client';
import { metrics as expressMetrics } from '@promwire/express';
import { metrics as fastifyMetrics } from '@promwire/fastify';
import { METRICS_PROTO } from '../../packages/core/src/protobuf/render';
import { listen } from '../helpers/http';
import { parseExposition } from '../helpers/exposition';

const PROTOBUF = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
const REQUESTS = 3;
const MetricFamily = protobuf.loadSync(METRICS_PROTO).lookupType('io.prometheus.client.MetricFamily');

function histograms(body: Uint8Array, name: string): Record<string, any>[] {
  const reader = protobuf.Reader.create(body);
  const out: Record<string, any>[] = [];
  while (reader.pos < reader.len) {
    const family = MetricFamily.toObject(MetricFamily.decodeDelimited(reader), { longs: Number }) as Record<string, any>;
    if (family.name === name) out.push(...family.metric.map((m: any) => ({ labels: m.label, ...m.histogram })));
  }
  return out;
}

function checkNative(body: Uint8Array): void {
  for (const name of ['http_request_duration_seconds', 'http_response_size_bytes']) {
    const [series, ...others] = histograms(body, name);
    expect(others).toEqual([]);
    expect(series!.labels).toEqual([
      { name: 'method', value: 'GET' }, { name: 'route', value: '/items/:id' }, { name: 'status_code', value: '200' },
    ]);
    expect(series!.sampleCount).toBe(REQUESTS);
    expect(series!.schema).toBe(3);
    expect(series!.bucket).toBeUndefined();
    // Bucket counts are the running sums of the deltas; with the zero bucket they add up to the count.
    let count = 0;
    let total = series!.zeroCount ?? 0;
    for (const delta of series!.positiveDelta ?? []) total += count += delta;
    expect(total).toBe(REQUESTS);
  }
}

test('Express with histograms: native', async () => {
  const app = express();
  app.use(expressMetrics({ registry: new Registry(), histograms: 'native', responseSize: true, defaultMetrics: false }));
  app.get('/items/:id', (_req, res) => void res.send('item'));
  const server = await listen(app.listen(0, '127.0.0.1'));
  try {
    for (let i = 0; i < REQUESTS; i++) expect((await fetch(`${server.url}/items/${i}`)).status).toBe(200);
    const res = await fetch(`${server.url}/metrics`, { headers: { accept: PROTOBUF } });
    expect(res.headers.get('content-type')).toBe('application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited');
    checkNative(new Uint8Array(await res.arrayBuffer()));
    const text = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
    expect(text.value('http_request_duration_seconds_bucket', { route: '/items/:id', le: '+Inf' })).toBe(REQUESTS);
  } finally {
    await server.close();
  }
});

test('Fastify with histograms: native', async () => {
  const app = Fastify();
  await app.register(fastifyMetrics, { registry: new Registry(), histograms: 'native', responseSize: true, defaultMetrics: false });
  app.get('/items/:id', async () => 'item');
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    for (let i = 0; i < REQUESTS; i++) expect((await fetch(`${url}/items/${i}`)).status).toBe(200);
    const res = await fetch(`${url}/metrics`, { headers: { accept: PROTOBUF } });
    expect(res.headers.get('content-type')).toBe('application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited');
    checkNative(new Uint8Array(await res.arrayBuffer()));
    const text = parseExposition(await (await fetch(`${url}/metrics`)).text());
    expect(text.value('http_request_duration_seconds_bucket', { route: '/items/:id', le: '+Inf' })).toBe(REQUESTS);
  } finally {
    await app.close();
  }
});
