/**
 * pushMetrics' pure parts: the group's URL path, option checks, the backoff. Pushes to the real
 * Pushgateway and to failing stand-ins are in test/pushgateway.
 */
import { Registry } from 'prom-client';
import { pushMetrics } from '../src';
import { groupingPath } from '../src/push/grouping-path';
import { backoff } from '../src/push/send';

test.each([
  ['plain', 'backup', {}, '/metrics/job/backup'],
  ['groupings in order', 'backup', { instance: 'db-1', zone: 'eu' }, '/metrics/job/backup/instance/db-1/zone/eu'],
  ['a value with /', 'backup', { path: '/var/tmp' }, '/metrics/job/backup/path@base64/L3Zhci90bXA'],
  ['a job name with /', 'a/b', {}, '/metrics/job@base64/YS9i'],
  ['an empty value', 'backup', { instance: '' }, '/metrics/job/backup/instance@base64/='],
  ['characters a path cannot carry', 'backup', { q: 'a b?c#d%' }, '/metrics/job/backup/q/a%20b%3Fc%23d%25'],
  ['base64url, not base64', 'j', { v: '/??>' }, `/metrics/job/j/v@base64/${Buffer.from('/??>').toString('base64url')}`],
])('grouping path: %s', (_, job, groupings, path) => {
  expect(groupingPath(job, groupings)).toBe(path);
});

test.each([
  [undefined, /pushMetrics needs \{ url, jobName \}/],
  [{ url: 'http://gw:9091' }, /jobName must be a non-empty string, got undefined/],
  [{ url: 'http://gw:9091', jobName: '' }, /jobName must be a non-empty string/],
  [{ url: 'gw:9091', jobName: 'j' }, /url must be http: or https:, got gw:/],
  [{ url: 'not a url', jobName: 'j' }, /url must be an http\(s\) URL/],
  [{ url: 'http://gw:9091/?x=1', jobName: 'j' }, /url must not have a query/],
  [{ url: 'http://gw:9091', jobName: 'j', groupings: { job: 'x' } }, /groupings must not contain "job"/],
  [{ url: 'http://gw:9091', jobName: 'j', groupings: { 'bad-name': 'x' } }, /"bad-name" is not a valid label name/],
  [{ url: 'http://gw:9091', jobName: 'j', groupings: { n: 1 } }, /groupings.n must be a string, got number 1/],
  [{ url: 'http://gw:9091', jobName: 'j', format: 'openmetrics' }, /format must be 'text' or 'protobuf'/],
  [{ url: 'http://gw:9091', jobName: 'j', retries: -1 }, /retries must be an integer 0–100/],
  [{ url: 'http://gw:9091', jobName: 'j', timeoutMs: 0 }, /timeoutMs must be a positive number of milliseconds/],
  [{ url: 'http://gw:9091', jobName: 'j', auth: { bearer: '' } }, /auth.bearer must be a non-empty string/],
  [{ url: 'http://gw:9091', jobName: 'j', auth: { basic: { username: 'a:b', password: '' } } }, /username must not contain ":"/],
  [{ url: 'http://gw:9091', jobName: 'j', headers: { x: 1 } }, /headers.x must be a string/],
  [{ url: 'http://gw:9091', jobName: 'j', gzip: 'auto' }, /gzip must be a boolean/],
  [{ url: 'http://gw:9091', jobName: 'j', registry: {} }, /registry must be a prom-client Registry/],
  [{ url: 'http://gw:9091', jobName: 'j', interval: 5 }, /unknown option "interval" \(pushMetrics accepts url, jobName/],
])('options %j are refused once, with a TypeError', (options, message) => {
  expect(() => pushMetrics(options as never)).toThrow(TypeError);
  expect(() => pushMetrics(options as never)).toThrow(/^@promwire\/core: /);
  expect(() => pushMetrics(options as never)).toThrow(message);
});

test('schedule options are checked when the schedule is made', () => {
  const pusher = pushMetrics({ url: 'http://127.0.0.1:9', jobName: 'j', registry: new Registry() });
  expect(() => pusher.pushEvery(0)).toThrow(/@promwire\/core: intervalMs must be a positive number/);
  expect(() => pusher.pushEvery(1000, { method: 'put' as never })).toThrow(/method must be 'push' or 'pushAdd'/);
  expect(() => pusher.pushAtExit({ signals: ['TERM' as never] })).toThrow(/signals must be an array of signal names/);
  expect(() => pusher.pushAtExit({ timeoutMs: -1 })).toThrow(/timeoutMs must be a positive number/);
});

test('backoff: exponential, capped, between half and all of the step; Retry-After wins up to the cap', () => {
  const policy = { retries: 5, delayMs: 100, maxDelayMs: 1000 };
  expect([0, 1, 2, 3, 4].map((n) => backoff(policy, n, undefined, () => 0))).toEqual([50, 100, 200, 400, 500]);
  expect([0, 1, 2, 3, 4].map((n) => backoff(policy, n, undefined, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  expect(backoff(policy, 0, 300)).toBe(300);
  expect(backoff(policy, 0, 60000)).toBe(1000);
});
