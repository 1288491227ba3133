/**
 * Protection of the metrics endpoint: a bearer token, basic credentials, or a function.
 * Secrets are compared through SHA-256 digests with `timingSafeEqual`, so neither the length
 * nor the content of a wrong guess shows in the time taken.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { describe, optionError } from './options';

/**
 * `{ bearer: token }`, `{ basic: { username, password } }`, or a function of the raw request
 * that answers (or resolves to) true to allow; a function that throws denies.
 */
export type MetricsAuth =
  | { bearer: string }
  | { basic: { username: string; password: string } }
  | ((req: IncomingMessage) => boolean | Promise<boolean>);

/** Answers whether the request may scrape, plus the challenge to send when it may not. */
export interface AuthCheck {
  allows(req: IncomingMessage): Promise<boolean>;
  challenge: string;
}

export function createAuthCheck(pkg: string, auth: unknown): AuthCheck | undefined {
  if (auth === undefined) return undefined;
  if (typeof auth === 'function') {
    const fn = auth as (req: IncomingMessage) => boolean | Promise<boolean>;
    return {
      challenge: 'Bearer realm="metrics"',
      async allows(req) {
        try {
          return (await fn(req)) === true;
        } catch {
          return false;
        }
      },
    };
  }
  if (typeof auth === 'object' && auth !== null && 'bearer' in auth) {
    const token = (auth as { bearer: unknown }).bearer;
    if (typeof token !== 'string' || token === '') throw optionError(pkg, `auth.bearer must be a non-empty string, got ${describe(token)}`);
    return secretCheck(`bearer ${token}`, 'Bearer realm="metrics"');
  }
  if (typeof auth === 'object' && auth !== null && 'basic' in auth) {
    const basic = (auth as { basic: unknown }).basic as { username?: unknown; password?: unknown } | null;
    if (typeof basic !== 'object' || basic === null || typeof basic.username !== 'string' || typeof basic.password !== 'string') {
      throw optionError(pkg, 'auth.basic must be { username: string, password: string }');
    }
    if (basic.username.includes(':')) throw optionError(pkg, 'auth.basic.username must not contain ":"');
    const encoded = Buffer.from(`${basic.username}:${basic.password}`, 'utf8').toString('base64');
    return secretCheck(`basic ${encoded}`, 'Basic realm="metrics", charset="UTF-8"');
  }
  throw optionError(pkg, `auth must be { bearer }, { basic: { username, password } } or a function, got ${describe(auth)}`);
}

function secretCheck(expected: string, challenge: string): AuthCheck {
  const want = digest(expected);
  return {
    challenge,
    async allows(req) {
      const header = req.headers.authorization;
      return typeof header === 'string' && timingSafeEqual(digest(normalizeScheme(header)), want);
    },
  };
}

/** The auth scheme is case-insensitive (RFC 9110); the credentials are not. */
function normalizeScheme(header: string): string {
  const value = header.trim();
  const space = value.indexOf(' ');
  return space === -1 ? value : `${value.slice(0, space).toLowerCase()} ${value.slice(space + 1).trim()}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
