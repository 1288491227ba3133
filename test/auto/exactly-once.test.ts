/**
 * Exactly once: an app that also uses an explicit adapter is counted once, with that adapter's
 * options (its own route label and skip); a second copy of promwire in the process (the app's
 * adapter and core from a nested node_modules, and a second copy of the preload itself) counts
 * nothing twice and opens one metrics port.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../helpers/http';
import { ROOT } from '../helpers/processes';
import { APPS, type AppRun, type Flag, runApp, scrapeUntil } from './preload';

jest.setTimeout(120000);

const REGISTER = join(ROOT, 'packages/auto/dist/register.js');

async function exercise(run: AppRun): Promise<void> {
  expect((await request(`${run.appUrl}/users/1`)).status).toBe(200);
  expect((await request(`${run.appUrl}/skipped`)).status).toBe(200);
  expect((await request(`${run.appUrl}/nope`)).status).toBe(404);
  // The app's own /metrics (the explicit adapter's) is not a counted request either.
  expect((await request(`${run.appUrl}/metrics`)).status).toBe(200);
  const exp = await scrapeUntil(run, (e) => e.sum('http_requests_total') >= 2);
  expect(exp.find('http_requests_total').map((s) => `${s.labels.route} ${s.labels.status_code} ${s.value}`).sort()).toEqual([
    'explicit /users/:id 200 1',
    'explicit none 404 1',
  ]);
  expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  expect(run.output().match(/promwire: metrics on/g)).toHaveLength(1);
}

/** A folder with its own copies of @promwire/core, express and auto (real copies: other module instances). */
function nestedCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'promwire-auto-copy-'));
  for (const pkg of ['core', 'express', 'auto']) {
    const target = join(dir, 'node_modules/@promwire', pkg);
    mkdirSync(target, { recursive: true });
    cpSync(join(ROOT, 'packages', pkg, 'package.json'), join(target, 'package.json'));
    cpSync(join(ROOT, 'packages', pkg, 'dist'), join(target, 'dist'), { recursive: true });
  }
  for (const shared of ['express', 'prom-client', '@prometheus-io', 'tdigest', 'bintrees']) {
    symlinkSync(join(ROOT, 'node_modules', shared), join(dir, 'node_modules', shared));
  }
  cpSync(join(APPS, 'explicit.cjs'), join(dir, 'explicit.cjs'));
  return dir;
}

describe.each<Flag>(['--require', '--import'])('under %s', (flag) => {
  test('an app with its own adapter is counted once, with its options', async () => {
    const run = await runApp('explicit.cjs', flag);
    try {
      await exercise(run);
    } finally {
      await run.stop();
    }
  });

  test('a second copy of promwire (the app adapter and core nested, the preload twice) counts once', async () => {
    const dir = nestedCopy();
    const run = await runApp(join(dir, 'explicit.cjs'), flag, {
      cwd: dir,
      preloads: [REGISTER, join(dir, 'node_modules/@promwire/auto/dist/register.js')],
    });
    try {
      await exercise(run);
      expect(run.output()).toContain(`adapter from ${join(dir, 'node_modules/@promwire/express')}`);
    } finally {
      await run.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
