import { acceptsGzip, negotiateFormat, type ExpositionFormat } from '../src/negotiation';

// What Prometheus sends (prometheus/scrape/scrape.go): 2.42 has two fixed headers; from 2.49 the
// header is built from `scrape_protocols`, weights falling by 0.1 from the first listed.
const PROMETHEUS_2_42 =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_2_42_PROTOBUF =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_SCRAPE_PROTOCOLS =
  'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
const PROMETHEUS_TEXT_FIRST = 'text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,*/*;q=0.3';
const PROMETHEUS_3 =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('negotiateFormat', () => {
  test.each<[string, string | string[] | undefined, ExpositionFormat]>([
    // No preference, or nothing acceptable: text 0.0.4, never a 406.
    ['no header', undefined, 'text'],
    ['empty header', '', 'text'],
    ['garbage', ';;;,,,=,q=,', 'text'],
    ['only unknown types', 'application/json, image/png', 'text'],
    ['a browser', BROWSER, 'text'],
    ['text/plain', 'text/plain', 'text'],
    ['*/*', '*/*', 'text'],
    ['text/*', 'text/*', 'text'],
    // OpenMetrics when asked for, in any listed version we serve.
    ['openmetrics, no version', 'application/openmetrics-text', 'openmetrics'],
    ['openmetrics 1.0.0', 'application/openmetrics-text; version=1.0.0', 'openmetrics'],
    ['openmetrics 0.0.1', 'application/openmetrics-text; version=0.0.1; q=0.75', 'openmetrics'],
    ['openmetrics, upper case', 'APPLICATION/OPENMETRICS-TEXT', 'openmetrics'],
    ['openmetrics, quoted version', 'application/openmetrics-text;version="1.0.0"', 'openmetrics'],
    ['openmetrics, extra parameters', 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,*/*;q=0.2', 'openmetrics'],
    ['openmetrics of a version we do not write', 'application/openmetrics-text;version=2.0.0', 'text'],
    ['text of a version we do not write', 'text/plain;version=1.0.0,application/openmetrics-text;q=0.1', 'openmetrics'],
    // Real Prometheus headers.
    ['Prometheus 2.42', PROMETHEUS_2_42, 'openmetrics'],
    ['Prometheus 2.42, native histograms (no protobuf offered yet)', PROMETHEUS_2_42_PROTOBUF, 'openmetrics'],
    ['Prometheus 2.49+, default scrape_protocols', PROMETHEUS_SCRAPE_PROTOCOLS, 'openmetrics'],
    ['Prometheus 2.49+, scrape_protocols text first', PROMETHEUS_TEXT_FIRST, 'text'],
    ['Prometheus 3, default scrape_protocols', PROMETHEUS_3, 'openmetrics'],
    // q ordering.
    ['text preferred', 'text/plain;q=0.9,application/openmetrics-text;q=0.5', 'text'],
    ['openmetrics preferred', 'text/plain;q=0.5,application/openmetrics-text;q=0.9', 'openmetrics'],
    ['tie goes to openmetrics', 'text/plain;version=0.0.4;q=0.5,application/openmetrics-text;q=0.5', 'openmetrics'],
    ['tie at the default q', 'text/plain, application/openmetrics-text', 'openmetrics'],
    ['*/* above openmetrics', '*/*,application/openmetrics-text;q=0.5', 'text'],
    ['text/* above openmetrics', 'text/*;q=0.8,application/openmetrics-text;q=0.3', 'text'],
    ['the most specific range sets the weight', 'text/plain;q=0.1,*/*;q=1,application/openmetrics-text;q=0.5', 'openmetrics'],
    ['highest of equally specific ranges', 'application/openmetrics-text;version=1.0.0;q=0.2,application/openmetrics-text;version=0.0.1;q=0.9,text/plain;q=0.5', 'openmetrics'],
    // q=0 excludes; a malformed q counts as 0.
    ['openmetrics q=0', 'application/openmetrics-text;q=0', 'text'],
    ['openmetrics q=0 beside text', 'application/openmetrics-text;version=1.0.0;q=0,text/plain;q=0.1', 'text'],
    ['openmetrics q=0 by a specific range', 'application/openmetrics-text;version=1.0.0;q=0,application/openmetrics-text;version=0.0.1;q=0', 'text'],
    ['text q=0 leaves openmetrics', 'text/plain;q=0,*/*;q=0.9,application/openmetrics-text;q=0.1', 'openmetrics'],
    ['everything q=0: text anyway', 'text/plain;q=0,application/openmetrics-text;q=0', 'text'],
    ['malformed q', 'application/openmetrics-text;q=abc', 'text'],
    ['empty q', 'application/openmetrics-text;q=', 'text'],
    ['q above 1', 'application/openmetrics-text;q=2', 'text'],
    // A header given several times arrives as an array.
    ['repeated header', ['text/plain;q=0.2', 'application/openmetrics-text;q=0.7'], 'openmetrics'],
  ])('%s → %s', (_, accept, expected) => {
    expect(negotiateFormat(accept)).toBe(expected);
  });

  test('a huge header is read up to a bound and does not throw', () => {
    expect(negotiateFormat(`${'x/y;q=0.1,'.repeat(100_000)}application/openmetrics-text`)).toBe('text');
  });
});

describe('acceptsGzip', () => {
  test.each<[string | string[] | undefined, boolean]>([
    [undefined, false],
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['x-gzip', true],
    ['br', false],
    ['gzip;q=0', false],
    ['*', true],
    ['identity', false],
    [['br', 'gzip'], true],
  ])('Accept-Encoding %j → gzip %s', (encoding, expected) => {
    expect(acceptsGzip(encoding)).toBe(expected);
  });
});
