import { Registry } from 'prom-client';
import { createHttpMetrics } from '../src';
import { checkEntryKeys, checkOptionKeys } from '../src/options';

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

describe('option keys per entry point', () => {
  test('checkOptionKeys accepts the recorder, endpoint and extra keys, and nothing else', () => {
    const all = { registry: undefined, prefix: 'a_', labels: {}, path: '/m', auth: undefined, getRoute: () => '/' };
    expect(checkOptionKeys('@promwire/express', all, ['getRoute'])).toBe(all);
    expect(checkOptionKeys('@promwire/express', undefined)).toEqual({});
    expect(() => checkOptionKeys('@promwire/express', { getRoute: 1 })).toThrow(/^@promwire\/express: unknown option "getRoute"$/);
    expect(() => checkOptionKeys('@promwire/express', [])).toThrow(/^@promwire\/express: options must be an object, got an array$/);
  });

  test.each<[string, unknown, RegExp | undefined]>([
    ['its own keys', { port: 1, host: 'h' }, undefined],
    ['no options', undefined, undefined],
    ['a recorder key', { port: 1, prefix: 'a_' }, /^@promwire\/core: "prefix" is an option of the HTTP recorder \(the adapter's metrics\(\) or createHttpMetrics\), not of server; server accepts port, host$/],
    ['an unknown key', { prot: 1 }, /^@promwire\/core: unknown option "prot" \(server accepts port, host\)$/],
    ['null', null, /^@promwire\/core: options must be an object, got null$/],
  ])('checkEntryKeys: %s', (_, options, message) => {
    const run = () => checkEntryKeys('@promwire/core', 'server', options, ['port', 'host']);
    if (message === undefined) expect(run).not.toThrow();
    else {
      expect(run).toThrow(TypeError);
      expect(run).toThrow(message);
    }
  });
});
