import { Registry } from 'prom-client';
import { createHttpMetrics } from '../src';

describe('option validation at construction', () => {
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['unknown key', { requestSizes: true }, /unknown option "requestSizes"/],
    ['registry', { registry: {} }, /registry must be a prom-client Registry/],
    ['prefix', { prefix: 'my-app_' }, /prefix "my-app_" would make invalid metric names/],
    ['naming', { naming: 'prom' }, /naming must be 'default' or 'otel'/],
    ['buckets type', { durationBuckets: 'fast' }, /durationBuckets must be a non-empty array/],
    ['buckets empty', { durationBuckets: [] }, /durationBuckets must be a non-empty array/],
    ['buckets order', { durationBuckets: [1, 0.5] }, /durationBuckets must be strictly increasing/],
    ['buckets NaN', { sizeBuckets: [1, NaN] }, /sizeBuckets\[1\] must be a finite number/],
    ['boolean', { requestSize: 'yes' }, /requestSize must be a boolean/],
    ['label name', { labels: { 'bad-name': 'x' } }, /label name "bad-name" is not a valid/],
    ['label clash', { labels: { route: 'x' } }, /label name "route" clashes with a built-in label/],
    ['label le', { labels: { le: 'x' } }, /label name "le" clashes/],
    ['label value', { labels: { tenant: 42 } }, /label "tenant" must be a string or a function/],
    ['maxLabelValues', { maxLabelValues: 0 }, /maxLabelValues must be a positive integer/],
    ['exclude', { exclude: '/health' }, /exclude must be an array/],
    ['exclude item', { exclude: [42] }, /exclude\[0\] must be a string or a RegExp/],
    ['skip', { skip: true }, /skip must be a function/],
    ['otel clash', { naming: 'otel', labels: { http_route: 'x' } }, /clashes with a built-in label/],
  ])('%s', (_, options, message) => {
    const run = () => createHttpMetrics({ registry: new Registry(), ...options } as never);
    expect(run).toThrow(TypeError);
    expect(run).toThrow(/^@promwire\/core: /);
    expect(run).toThrow(message);
  });

  test('the calling package prefixes the message', () => {
    expect(() => createHttpMetrics({ pkg: '@promwire/fastify', prefix: 1 } as never)).toThrow(
      /^@promwire\/fastify: prefix must be a string/,
    );
  });

  test('options that are not an object are refused', () => {
    expect(() => createHttpMetrics('fast' as never)).toThrow(/options must be an object/);
  });
});
