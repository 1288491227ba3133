/**
 * A real Prometheus for test/ops: rule files loaded, evaluated every second, and several targets
 * per job (so the rules' aggregation across `instance` is exercised). The shared helper in
 * test/helpers/prometheus.ts takes one target per job and no rules; this one is kept apart so
 * that helper stays as other suites use it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMETHEUS } from '../helpers/prometheus';
import { freePort, startProcess } from '../helpers/processes';

export interface RuleHealth {
  name: string;
  type: 'recording' | 'alerting';
  health: string;
  lastError?: string;
  lastEvaluation: string;
  state?: string;
}

export interface RulesPrometheus {
  url: string;
  api<T>(path: string): Promise<{ status: string; data: T; error?: string }>;
  query(expr: string, time?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  rules(): Promise<{ name: string; lastEvaluation: string; rules: RuleHealth[] }[]>;
  stop(): Promise<void>;
}

export async function startPrometheusWithRules(jobs: { job: string; targets: string[] }[], ruleFiles: string[]): Promise<RulesPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'promwire-ops-prometheus-'));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 900ms',
    '  evaluation_interval: 1s',
    'rule_files:',
    ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
    'scrape_configs:',
    ...jobs.flatMap((j) => [
      `  - job_name: ${JSON.stringify(j.job)}`,
      '    static_configs:',
      `      - targets: [${j.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    ]),
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const running = await startProcess(PROMETHEUS, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], undefined).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const stop = async () => {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Prometheus did not become ready:\n${running.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const api = async <T>(path: string) => (await (await fetch(`${url}${path}`)).json()) as { status: string; data: T; error?: string };
  const must = async <T>(path: string): Promise<T> => {
    const body = await api<T>(path);
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error}`);
    return body.data;
  };
  return {
    url,
    api,
    query: async (expr, time) =>
      (await must<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `/api/v1/query?query=${encodeURIComponent(expr)}${time === undefined ? '' : `&time=${time}`}`,
      )).result,
    rules: async () => (await must<{ groups: { name: string; lastEvaluation: string; rules: RuleHealth[] }[] }>('/api/v1/rules')).groups,
    stop,
  };
}
