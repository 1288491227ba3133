/**
 * The traffic every test app gets and what its metrics must then say: two requests to a route
 * with a parameter, one 404, one handler that throws, one request whose client goes away while
 * the handler has it (once the app printed `slow request`). Counted exactly once each, with the
 * route template (or `__unmatched__` on a plain server), 499 for the abort, in flight 0.
 */
import { request as httpRequest } from 'node:http';
import type { Exposition } from '../helpers/exposition';
import { request } from '../helpers/http';
import { type AppRun, scrapeUntil } from './preload';

export interface Routes {
  /** Path prefix of the app's routes (`/users` for the Nest app's controller). */
  base: string;
  /** The labels expected: route templates, or `__unmatched__` for everything on a plain server. */
  users: string;
  boom: string;
  slow: string;
}

export const TEMPLATES: Routes = { base: '', users: '/users/:id', boom: '/boom', slow: '/slow' };
export const NEST: Routes = { base: '/users', users: '/users/:id', boom: '/users/boom', slow: '/users/slow' };
export const PLAIN: Routes = { base: '', users: '__unmatched__', boom: '__unmatched__', slow: '__unmatched__' };

/** Sends the traffic; resolves with the exposition once all five requests are recorded. */
export async function sendTraffic(run: AppRun, routes: Routes): Promise<Exposition> {
  const url = run.appUrl;
  const statuses = [
    (await request(`${url}/users/1`)).status,
    (await request(`${url}/users/2`)).status,
    (await request(`${url}/nope/3`)).status,
    (await request(`${url}${routes.base}/boom`)).status,
  ];
  expect(statuses).toEqual([200, 200, 404, 500]);
  await abortWhenHandled(run, `${url}${routes.base}/slow`);
  return scrapeUntil(run, (exp) => exp.sum('http_requests_total') >= 5 && exp.value('http_requests_in_flight', { method: 'GET' }) === 0);
}

/** What the traffic must have recorded, and nothing else. */
export function expectRecorded(exp: Exposition, routes: Routes): void {
  const seen = exp.find('http_requests_total').map((s) => `${s.labels.method} ${s.labels.route} ${s.labels.status_code} ${s.value}`).sort();
  const expected = routes.users === '__unmatched__'
    ? ['GET __unmatched__ 200 2', 'GET __unmatched__ 404 1', 'GET __unmatched__ 499 1', 'GET __unmatched__ 500 1']
    : [`GET ${routes.users} 200 2`, 'GET __unmatched__ 404 1', `GET ${routes.boom} 500 1`, `GET ${routes.slow} 499 1`];
  expect(seen).toEqual(expected.sort());
  expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  expect(exp.sum('http_request_duration_seconds_count')).toBe(5);
}

function abortWhenHandled(run: AppRun, url: string): Promise<void> {
  return new Promise((resolve) => {
    const before = (run.output().match(/slow request/g) ?? []).length;
    const req = httpRequest(url, { agent: false });
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    req.end();
    void run.waitFor(new RegExp(`(?:[\\s\\S]*?slow request){${before + 1}}`)).then(() => req.destroy());
  });
}
