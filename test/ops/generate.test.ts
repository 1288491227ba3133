/**
 * ops/: the committed rules and dashboards are the generator's output; promtool accepts every
 * generated rule file (default, otel, with a prefix) and passes the unit tests in
 * ops/rules/tests; the dashboards follow Grafana's JSON model and query only rules that exist.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMTOOL } from '../helpers/prometheus';
import { ROOT } from '../helpers/processes';
import { DASHBOARD, DASHBOARD_OTEL, generate, panelTargets, readDashboard, ruleExpressions, RULES, RULES_OTEL, run } from './ops-files';

jest.setTimeout(60000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'promwire-ops-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.each([
  ['ops/rules/promwire.rules.yml', ['rules']],
  ['ops/rules/promwire-otel.rules.yml', ['rules', '--naming', 'otel']],
  ['ops/grafana/promwire.json', ['dashboard']],
  ['ops/grafana/promwire-otel.json', ['dashboard', '--naming', 'otel']],
])('%s is the output of node ops/generate.mjs %j', async (file, args) => {
  const out = await generate(args);
  expect(out.stderr).toBe('');
  expect(readFileSync(join(ROOT, file), 'utf8')).toBe(out.stdout);
  expect(await generate(['check'])).toMatchObject({ code: 0 });
});

const variants: [string, string[]][] = [
  ['default naming', ['rules']],
  ['otel naming', ['rules', '--naming', 'otel']],
  ['default naming, prefix myapp_', ['rules', '--prefix', 'myapp_']],
  ['otel naming, prefix myapp_', ['rules', '--naming', 'otel', '--prefix', 'myapp_']],
  ['other objectives, threshold 1 s and a job selector', ['rules', '--slo-availability', '0.995', '--slo-latency', '0.9', '--latency-threshold', '1', '--selector', 'job=~"api|web"']],
];

test.each(variants)('promtool check rules: %s', async (_, args) => {
  const out = await generate(args);
  expect(out.code).toBe(0);
  const file = join(dir, `${args.join('_').replace(/[^a-z0-9_]/gi, '')}.yml`);
  writeFileSync(file, out.stdout);
  const check = await run(PROMTOOL, ['check', 'rules', file]);
  expect(`${check.stdout}${check.stderr}`).toMatch(/SUCCESS: 47 rules found/);
  expect(check.code).toBe(0);
});

test('with a prefix, every promwire metric is prefixed and the rest (up, cluster counters) is not', async () => {
  const text = (await generate(['rules', '--prefix', 'myapp_'])).stdout;
  for (const name of ['http_requests_total', 'http_request_duration_seconds_bucket', 'http_requests_in_flight', 'promwire_label_overflow_total', 'ml_inference_duration_seconds_count', 'gen_ai_server_tokens_total']) {
    expect(text).toContain(`myapp_${name}`);
    expect(text).not.toMatch(new RegExp(`[ (]${name}\\b`));
  }
  expect(text).toMatch(/\(up\) == 0|\bup == 0/);
  expect(text).toContain('(increase(promwire_cluster_worker_timeouts_total[15m]))');
});

test('promtool test rules: ops/rules/tests/*.test.yml', async () => {
  const files = ['health', 'otel', 'recording', 'slo'].map((f) => `ops/rules/tests/${f}.test.yml`);
  const out = await run(PROMTOOL, ['test', 'rules', ...files]);
  const text = `${out.stdout}${out.stderr}`;
  expect(text).not.toContain('FAILED');
  expect(text.match(/SUCCESS/g)).toHaveLength(files.length);
  expect(out.code).toBe(0);
});

test.each([
  ['--latency-threshold 0.3', ['rules', '--latency-threshold', '0.3'], /not a bucket boundary/],
  ['--slo-availability 1', ['rules', '--slo-availability', '1'], /between 0 and 1/],
  ['--naming kebab', ['rules', '--naming', 'kebab'], /default or otel/],
  ['an unknown option', ['rules', '--objective', '0.9'], /unknown option --objective/],
])('a bad parameter (%s) exits 2 with one line naming it', async (_, args, message) => {
  const out = await generate(args);
  expect(out.code).toBe(2);
  expect(out.stdout).toBe('');
  expect(out.stderr).toMatch(message);
});

describe.each([
  ['default naming', DASHBOARD, RULES],
  ['otel naming', DASHBOARD_OTEL, RULES_OTEL],
])('dashboard, %s: Grafana JSON model', (_, path, rules) => {
  const d = readDashboard(path);

  test('schemaVersion 41, uid and title, unique panel ids, panels inside the 24-column grid and not overlapping', () => {
    expect(d.schemaVersion).toBe(41);
    expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(d.title).toMatch(/^promwire/);
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const p of d.panels) {
      const { x, y, w, h } = p.gridPos;
      expect([x, y, w, h].every(Number.isInteger)).toBe(true);
      expect(w > 0 && h > 0 && x >= 0 && x + w <= 24).toBe(true);
      for (let i = x; i < x + w; i++) for (let j = y; j < y + h; j++) {
        expect(cells.has(`${i},${j}`)).toBe(false);
        cells.add(`${i},${j}`);
      }
    }
  });

  test('rows for RED, latency, cardinality, process, ML inference and GenAI; a heatmap from buckets', () => {
    const rows = d.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(['Service level', 'Requests (RED per route)', 'Latency', 'Cardinality and cluster', 'Process (prom-client default metrics)', 'ML inference', 'Generative AI']);
    const heat = d.panels.find((p) => p.type === 'heatmap')!;
    expect(heat.targets![0]).toMatchObject({ format: 'heatmap', expr: expect.stringContaining('_bucket') });
  });

  test('templating: a Prometheus datasource variable, and job, instance and route query variables on it', () => {
    const list = d.templating.list;
    expect(list.map((v) => v.name)).toEqual(['datasource', 'job', 'instance', 'route']);
    expect(list[0]).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const v of list.slice(1)) {
      expect(v).toMatchObject({ type: 'query', datasource: { type: 'prometheus', uid: '${datasource}' } });
      expect(v.definition).toMatch(/^label_values\(/);
    }
  });

  test('every panel and every query uses the datasource variable; refIds are unique within a panel', () => {
    for (const p of d.panels.filter((q) => q.type !== 'row')) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      const refIds = p.targets!.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const t of p.targets!) {
        expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(t.expr.length).toBeGreaterThan(0);
      }
    }
  });

  test('every recording rule a panel queries exists in the rule file of the same naming', () => {
    const recorded = new Set(ruleExpressions(rules).filter((r) => r.kind === 'record').map((r) => r.name));
    const used = panelTargets(d).flatMap(({ target }) => target.expr.match(/\b[a-z_]+:[a-z_0-9]+:[a-z_0-9]+\b/g) ?? []);
    expect(used.length).toBeGreaterThan(20);
    for (const name of used) expect(recorded).toContain(name);
  });
});
