// Prometheus for the demo, when Debian's (or another) is installed: a temporary folder with a
// config that scrapes the demo's metrics endpoint and loads ops/rules/promwire.rules.yml, listening
// on 127.0.0.1 (9090 when free), and the graph links of the dashboard's main panels, built from
// the same record names as the rules (ops/lib).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../ops/lib/params.mjs';
import { records } from '../../ops/lib/rules.mjs';

export const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';
export const available = () => existsSync(PROMETHEUS);
const SCRAPE_INTERVAL = '5s';

/** `port` on 127.0.0.1 if it is free, else a free one. */
export function freePort(port = 0) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => (port !== 0 && error.code === 'EADDRINUSE' ? resolve(freePort(0)) : reject(error)));
    server.listen(port, '127.0.0.1', () => {
      const chosen = server.address().port;
      server.close(() => resolve(chosen));
    });
  });
}

/** Writes the config into a new temporary folder; answers { dir, args, url }. */
export async function prepare(root, metricsUrl, job) {
  const dir = mkdtempSync(join(tmpdir(), 'promwire-demo-'));
  const target = new URL(metricsUrl);
  const config = [
    'global:',
    `  scrape_interval: ${SCRAPE_INTERVAL}`,
    `  evaluation_interval: ${SCRAPE_INTERVAL}`,
    'rule_files:',
    `  - ${JSON.stringify(join(root, 'ops/rules/promwire.rules.yml'))}`,
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(job)}`,
    `    metrics_path: ${JSON.stringify(target.pathname)}`,
    '    static_configs:',
    `      - targets: [${JSON.stringify(target.host)}]`,
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort(9090);
  const args = [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ];
  return { dir, args, url: `http://127.0.0.1:${port}` };
}

/** Resolves when Prometheus answers /-/ready; rejects after `timeoutMs` or when `exited` settles first. */
export async function ready(url, exited, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  exited.then(() => { gone = true; });
  for (;;) {
    if (gone) throw new Error('Prometheus exited before it was ready');
    try {
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`Prometheus was not ready in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The dashboard's main panels as Prometheus graph links (last 15 minutes), for one job. */
export function graphLinks(url, job) {
  const r = records(parseArgs([]).params);
  const j = `job="${job}"`;
  const panels = [
    ['request rate by route', `${r.requests}{${j}}`],
    ['latency p95 by route', `${r.durationQuantiles}{${j}, quantile="0.95"}`],
    ['error ratio (5xx) by route', `${r.errorRatio}{${j}}`],
    ['inferences per second', `${r.mlInferences}{${j}}`],
    ['inference p95', `${r.mlDurationQuantiles}{${j}, quantile="0.95"}`],
    ['GenAI tokens per second', `${r.genaiTokens}{${j}}`],
    ['time to first token p95', `${r.genaiTtft}{${j}, quantile="0.95"}`],
    ['firing alerts', 'ALERTS{alertstate="firing"}'],
  ];
  return panels.map(([title, expr]) => [title, `${url}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0&g0.range_input=15m`]);
}
