/** The generated operations files and the generator, for test/ops. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/processes';

export const GENERATOR = join(ROOT, 'ops/generate.mjs');
export const RULES = join(ROOT, 'ops/rules/promwire.rules.yml');
export const RULES_OTEL = join(ROOT, 'ops/rules/promwire-otel.rules.yml');
export const DASHBOARD = join(ROOT, 'ops/grafana/promwire.json');
export const DASHBOARD_OTEL = join(ROOT, 'ops/grafana/promwire-otel.json');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end; never rejects on a non-zero exit. */
export function run(file: string, args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

export const generate = (args: string[]) => run(process.execPath, [GENERATOR, ...args]);

export interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
}
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { type: string; name: string; query: unknown; definition?: string; datasource?: { type: string; uid: string } }[] };
}

export const readDashboard = (path: string): Dashboard => JSON.parse(readFileSync(path, 'utf8')) as Dashboard;

/** Every (panel, target) pair of the dashboard. */
export function panelTargets(d: Dashboard): { panel: Panel; target: Target }[] {
  return d.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));
}

/**
 * A panel query as Grafana would send it, with the template variables given concrete values
 * (multi-value variables become a regex alternation, as Grafana renders them).
 */
export function substitute(expr: string, values: Record<string, string>): string {
  return expr
    .replace(/\$__rate_interval/g, '1m')
    .replace(/\$__interval/g, '15s')
    .replace(/\$__range/g, '1h')
    .replace(/\$(job|instance|route)\b/g, (_, name: string) => values[name]!);
}

/** Every `record:` and `alert:` of a rule file with its expression (the files' own layout). */
export function ruleExpressions(path: string): { kind: 'record' | 'alert'; name: string; labels: string; expr: string }[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: { kind: 'record' | 'alert'; name: string; labels: string; expr: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^ {6}- (record|alert): "(.+)"$/.exec(lines[i]!);
    if (!head) continue;
    const expr: string[] = [];
    let labels = '';
    let j = i + 2; // the `expr: |-` line follows the name
    for (; j < lines.length && lines[j]!.startsWith('          '); j++) expr.push(lines[j]!.slice(10));
    const quantile = /^ {10}quantile: "(.+)"$/.exec(lines[j + 1] ?? '');
    if (lines[j] === '        labels:' && quantile) labels = `quantile=${quantile[1]}`;
    out.push({ kind: head[1] as 'record' | 'alert', name: head[2]!, labels, expr: expr.join('\n') });
  }
  return out;
}
