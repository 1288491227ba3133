/**
 * The burn-rate page watched in seconds: the rules generated from the same source with
 * `--burn-window-divisor 60` (1h/5m → 1m/5s, 6h/30m → 6m/30s, 3d/6h → 72m/6m) in a test-only
 * file, real Prometheus 2.42, one examples/express app. Errors above the page's 14.4 × budget
 * fire it; once they stop, the short window clears and the page resolves while the long window
 * still burns over its threshold: the short window is what makes the alert stop soon after the
 * problem does. Every step waits for the event that proves it; the deadlines are guards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, request } from '../helpers/http';
import { startExample, type Running } from '../helpers/processes';
import { generate } from './ops-files';
import { startPrometheusWithRules, type RulesPrometheus } from './prometheus-with-rules';

jest.setTimeout(180000);

const PAGE = 'ALERTS{alertname="PromwireAvailabilityBudgetBurnPage", alertstate="firing", job="express"}';
/** The page's first condition: 14.4 times the 0.1 % budget of the default 0.999 objective. */
const PAGE_THRESHOLD = 14.4 * 0.001;

let dir: string;
let app: Running;
let prometheus: RulesPrometheus;
const summary: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'promwire-ops-windows-'));
  const rules = await generate(['rules', '--burn-window-divisor', '60']);
  expect(rules).toMatchObject({ code: 0, stderr: '' });
  const file = join(dir, 'promwire-seconds.rules.yml');
  writeFileSync(file, rules.stdout);
  app = await startExample('examples/express/server.js');
  // Both series exist before the first scrape, so rate() sees every later request.
  await request(`${app.url}/api/v1/users/0`);
  await request(`${app.url}/error`);
  prometheus = await startPrometheusWithRules([{ job: 'express', targets: [new URL(app.url).host] }], [file]);
  await eventually(async () => (await prometheus.query('up{job="express"} == 1')).length === 1, 30000);
});

afterAll(async () => {
  if (summary.length > 0) process.stdout.write(`\nburn windows divided by 60: ${summary.join('; ')}\n`);
  await prometheus?.stop();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const firing = async () => (await prometheus.query(PAGE)).length > 0;

test('the generated file renames the windows: 1m/5s, 6m/30s and 72m/6m burn rates', async () => {
  const rules = (await generate(['rules', '--burn-window-divisor', '60'])).stdout;
  for (const win of ['5s', '30s', '1m', '6m', '72m']) expect(rules).toContain(`record: "job:http_requests_errors:ratio_rate${win}"`);
  expect(rules).not.toContain('ratio_rate1h');
});

test('errors above the page threshold fire the page; when they stop, it resolves while the long windows still burn', async () => {
  // One error in three until the page fires (a 33 % ratio, 23 times the threshold).
  let errors = 0;
  let sent = 0;
  await eventually(async () => {
    if (await firing()) return true;
    await request(`${app.url}/error`);
    errors++;
    await request(`${app.url}/api/v1/users/${++sent}`);
    await request(`${app.url}/api/v1/users/${++sent}`);
    return false;
  }, 120000);
  // Then as many successes as the burst had requests, and no more errors: the short windows
  // (5s, 30s) empty of errors within half a minute, the long ones (1m, 6m) keep the burst.
  for (let i = 0; i < 3 * errors; i++) await request(`${app.url}/api/v1/users/${++sent}`);
  await eventually(async () => !(await firing()), 120000);
  const ratio = async (win: string) => Number((await prometheus.query(`job:http_requests_errors:ratio_rate${win}{job="express"}`))[0]?.value[1] ?? 'NaN');
  const [r5s, r30s, r1m, r6m] = await Promise.all(['5s', '30s', '1m', '6m'].map(ratio));
  summary.push(`page fired after ${errors} errors in ${3 * errors} requests; resolved with error ratios 5s ${r5s}, 30s ${r30s}, 1m ${r1m}, 6m ${r6m}`);
  // Each pair's short window is under its threshold (or empty: NaN), its long window still over.
  expect(r5s > PAGE_THRESHOLD).toBe(false);
  expect(r30s > 6 * 0.001).toBe(false);
  expect(r1m).toBeGreaterThan(PAGE_THRESHOLD);
  expect(r6m).toBeGreaterThan(6 * 0.001);
});
