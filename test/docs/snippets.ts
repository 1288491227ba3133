/**
 * The code blocks of the READMEs, as the docs test runs them. A `js` block is a CommonJS program;
 * its ES-module form is the same program with each `require` line turned into the `import` a user
 * would write, and that form is also type-checked as TypeScript. A `ts` block is TypeScript
 * (NestJS), checked and then compiled to CommonJS and run.
 *
 * A block meant to run names what a scrape must show after one request, in a comment line:
 * `// http_requests_total{method="GET",route="/users/:id",status_code="200"} 1` (the test sends
 * `GET /users/7` first) or `// jobs_total 1`. A block not meant to run is preceded by
 * `<!-- docs-test: skip (why) -->`; a js or ts block with neither is an error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers/processes';

export interface Expected {
  name: string;
  labels: Record<string, string>;
}

export interface Snippet {
  /** `README.md:56`: file and line of the opening fence. */
  id: string;
  lang: 'js' | 'ts';
  code: string;
  /** Why it is not run, when marked so. */
  skip?: string;
  expected?: Expected;
}

const FENCE = /^```(\w*)\s*$/;
const SKIP = /^<!-- docs-test: skip \((.+)\) -->$/;
const EXPECTED = /^\s*\/\/\s*([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+[\d.e+-]+\s*$/;

export function readmes(): string[] {
  const packages = readdirSync(join(ROOT, 'packages')).map((dir) => join(ROOT, 'packages', dir, 'README.md'));
  return [join(ROOT, 'README.md'), ...packages];
}

export function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, name, value] of (text ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[name!] = value!;
  return labels;
}

/** Every js and ts block of one README. */
export function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const snippets: Snippet[] = [];
  let skip: string | undefined;
  for (let i = 0; i < lines.length; i += 1) {
    const marker = SKIP.exec(lines[i]!.trim());
    if (marker) {
      skip = marker[1];
      continue;
    }
    const fence = FENCE.exec(lines[i]!);
    if (!fence) {
      if (lines[i]!.trim() !== '') skip = undefined;
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !lines[i]!.startsWith('```'); i += 1) body.push(lines[i]!);
    const lang = fence[1];
    if (lang === 'js' || lang === 'ts') {
      const expectedLine = body.map((line) => EXPECTED.exec(line)).find((m) => m !== null);
      snippets.push({
        id: `${relative(ROOT, file)}:${start + 1}`,
        lang,
        code: `${body.join('\n')}\n`,
        ...(skip === undefined ? {} : { skip }),
        ...(expectedLine ? { expected: { name: expectedLine[1]!, labels: parseLabels(expectedLine[2]) } } : {}),
      });
    }
    skip = undefined;
  }
  return snippets;
}

/**
 * The ES-module form of a CommonJS snippet: `const { a, b } = require('x');` becomes
 * `import { a, b } from 'x';`, `const X = require('x');` becomes `import X from 'x';`. Any other
 * `require` is an error: the snippet would need rewriting by hand, which a README should not ask.
 */
export function toEsm(code: string): string {
  return code
    .split('\n')
    .filter((line) => line.trim() !== "'use strict';")
    .map((line) => {
      const named = /^const \{ ([\w, ]+) \} = require\('([^']+)'\);(.*)$/.exec(line);
      if (named) return `import { ${named[1]} } from '${named[2]}';${named[3]}`;
      const whole = /^const (\w+) = require\('([^']+)'\);(.*)$/.exec(line);
      if (whole) return `import ${whole[1]} from '${whole[2]}';${whole[3]}`;
      if (/\brequire\(/.test(line)) throw new Error(`no ES-module form for: ${line.trim()}`);
      return line;
    })
    .join('\n');
}

/** The request that makes the expected series appear: `GET /users/7` for `route="/users/:id"`. */
export function requestFor(expected: Expected): { method: string; path: string } | undefined {
  const route = expected.labels.route;
  if (route === undefined) return undefined;
  return { method: expected.labels.method ?? 'GET', path: route.replace(/:\w+/g, '7') };
}

/** Whether a text exposition holds a sample of `expected` (its labels, in any order, among the sample's). */
export function hasSeries(exposition: string, expected: Expected): boolean {
  return exposition.split('\n').some((line) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s/.exec(line);
    if (!match || match[1] !== expected.name) return false;
    const labels = parseLabels(match[2]);
    return Object.entries(expected.labels).every(([name, value]) => labels[name] === value);
  });
}
