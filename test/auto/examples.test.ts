/**
 * The zero-code examples, started as their READMEs start them (`npm start`'s command: the
 * preload flag, then the app, from the example's folder): each records its routes' templates
 * on the preload's metrics port, with no promwire code in the app.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from '../helpers/http';
import { ROOT } from '../helpers/processes';
import { type Flag, runApp, scrapeUntil } from './preload';

jest.setTimeout(120000);

test.concurrent.each([
  ['auto-cjs', '--require', '/orders/1', '/orders/:id'],
  ['auto-esm', '--import', '/books/1', '/books/:id'],
] as const)('examples/%s: its start script (node %s @promwire/auto/register server.js) measures it', async (name, flag, path, template) => {
  const dir = join(ROOT, 'examples', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: { start: string } };
  expect(pkg.scripts.start).toBe(`node ${flag} @promwire/auto/register server.js`);
  expect(readFileSync(join(dir, 'server.js'), 'utf8')).not.toMatch(/^(?!\/\/).*promwire/m);
  const run = await runApp(join(dir, 'server.js'), flag as Flag, { cwd: dir });
  try {
    expect((await request(`${run.appUrl}${path}`)).status).toBe(200);
    expect((await request(`${run.appUrl}${path.replace('1', '404')}`)).status).toBe(404);
    const exp = await scrapeUntil(run, (e) => e.sum('http_requests_total') >= 2);
    expect(exp.value('http_requests_total', { method: 'GET', route: template, status_code: '200' })).toBe(1);
    expect(exp.value('http_requests_total', { method: 'GET', route: template, status_code: '404' })).toBe(1);
  } finally {
    await run.stop();
  }
});
