/**
 * A real Prometheus (Debian's /usr/bin/prometheus) for integration tests: a temporary config
 * and TSDB directory, listening on 127.0.0.1, stopped by its pid.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, type Running } from './processes';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

export interface ScrapeJob {
  job: string;
  /** `host:port` of the target. */
  target: string;
  metricsPath?: string;
  /** `honor_labels: true`: the target's own `job` and `instance` labels win (a Pushgateway's). */
  honorLabels?: boolean;
}

export interface Prometheus {
  url: string;
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  targets(): Promise<{ labels: Record<string, string>; health: string; lastScrape: string; lastError: string }[]>;
  /** Waits until every target has been scraped successfully at least `scrapes` times since this call. */
  waitForScrapes(scrapes?: number, timeoutMs?: number): Promise<void>;
  queryExemplars(expr: string, start: number, end: number): Promise<{ exemplars: { labels: Record<string, string> }[] }[]>;
  stop(): Promise<void>;
}

/** `exemplars`: exemplar storage; `nativeHistograms`: native histograms (Prometheus then asks for protobuf). */
export async function startPrometheus(jobs: ScrapeJob[], options: { exemplars?: boolean; nativeHistograms?: boolean } = {}): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'promwire-prometheus-'));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 900ms',
    'scrape_configs:',
    ...jobs.flatMap((j) => [
      `  - job_name: ${JSON.stringify(j.job)}`,
      `    metrics_path: ${JSON.stringify(j.metricsPath ?? '/metrics')}`,
      ...(j.honorLabels ? ['    honor_labels: true'] : []),
      '    static_configs:',
      `      - targets: [${JSON.stringify(j.target)}]`,
    ]),
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  const args = [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ];
  if (options.exemplars) args.push('--enable-feature=exemplar-storage');
  if (options.nativeHistograms) args.push('--enable-feature=native-histograms');
  const url = `http://127.0.0.1:${port}`;
  let running: Running;
  try {
    // Prometheus logs nothing at warn level once ready; readiness is polled below.
    running = await startProcess(PROMETHEUS, args, undefined);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error}`);
    return body.data;
  };
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`Prometheus did not become ready:\n${running.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const targets = async () =>
    (await api<{ activeTargets: { labels: Record<string, string>; health: string; lastScrape: string; lastError: string }[] }>('/api/v1/targets'))
      .activeTargets;
  return {
    url,
    targets,
    query: async (expr) =>
      (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    queryExemplars: (expr, start, end) =>
      api(`/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${start}&end=${end}`),
    async waitForScrapes(scrapes = 2, timeoutMs = 30000) {
      const since = Date.now();
      const seen = new Map<string, Set<string>>();
      for (;;) {
        const active = await targets();
        for (const t of active) {
          if (t.health === 'up' && Date.parse(t.lastScrape) > since) {
            const set = seen.get(t.labels.job!) ?? new Set();
            set.add(t.lastScrape);
            seen.set(t.labels.job!, set);
          }
        }
        if (active.length === jobs.length && active.every((t) => (seen.get(t.labels.job!)?.size ?? 0) >= scrapes)) return;
        if (Date.now() - since > timeoutMs) {
          throw new Error(`targets not scraped in time: ${JSON.stringify(active.map((t) => [t.labels.job, t.health, t.lastError]))}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `promtool check metrics` over an exposition: the problems it reports, one per line. */
export function promtoolCheckMetrics(exposition: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(PROMTOOL, ['check', 'metrics'], (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve(`${stdout}${stderr}`.split('\n').map((l) => l.trim()).filter(Boolean));
    });
    child.stdin!.end(exposition);
  });
}

/**
 * The lint findings prom-client's default metrics always carry: three gauges whose names end in
 * `_total`. promwire leaves prom-client's names as they are (renaming them would break every
 * dashboard built on them) and documents them in the README.
 */
export const KNOWN_PROM_CLIENT_FINDINGS = [
  'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
];
