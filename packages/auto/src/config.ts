/**
 * The preload's configuration, read once from the environment (one variable per option that
 * fits a string) and, for callbacks, from the file `PROMWIRE_CONFIG` names. Nothing here throws:
 * a bad value is a {@link ConfigProblem} naming the variable, and the preload stays off.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { AutoConfig, Instrumentation, SharedOptions } from './types';
import { INSTRUMENTATIONS } from './types';

/** A variable (or the config file) the preload cannot use: the message names it. */
export class ConfigProblem {
  constructor(
    readonly variable: string,
    readonly message: string,
  ) {}
}

type Env = Readonly<Record<string, string | undefined>>;

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
const METRIC_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Default port: the OpenTelemetry Prometheus exporter's. */
export const DEFAULT_PORT = 9464;
/** Default host: every IPv4 interface, so a scraper on another host or pod reaches it. */
export const DEFAULT_HOST = '0.0.0.0';

/** True when `PROMWIRE_DISABLED` turns the preload off (a bad value is a problem, reported). */
export function isDisabled(env: Env): boolean | ConfigProblem {
  const value = env.PROMWIRE_DISABLED;
  if (value === undefined || value === '') return false;
  return bool(env, 'PROMWIRE_DISABLED') as boolean | ConfigProblem;
}

/** Reads every `PROMWIRE_*` variable; the first bad one is the answer. */
export function readConfig(env: Env, cwd: string): AutoConfig | ConfigProblem {
  try {
    return build(env, cwd);
  } catch (error) {
    if (error instanceof ConfigProblem) return error;
    throw error;
  }
}

function build(env: Env, cwd: string): AutoConfig {
  const port = int(env, 'PROMWIRE_PORT', 0, 65535) ?? DEFAULT_PORT;
  const host = text(env, 'PROMWIRE_HOST') ?? DEFAULT_HOST;
  const path = text(env, 'PROMWIRE_PATH') ?? '/metrics';
  if (!path.startsWith('/')) fail('PROMWIRE_PATH', `must start with "/", got ${JSON.stringify(path)}`);
  const client = text(env, 'PROMWIRE_CLIENT');
  if (client !== undefined && client !== 'prom-client' && client !== '@prometheus-io/client') {
    fail('PROMWIRE_CLIENT', `must be prom-client or @prometheus-io/client, got ${JSON.stringify(client)}`);
  }

  const shared: SharedOptions = {};
  const prefix = text(env, 'PROMWIRE_PREFIX');
  if (prefix !== undefined) {
    if (!METRIC_PREFIX.test(prefix)) fail('PROMWIRE_PREFIX', `must be the start of a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${JSON.stringify(prefix)}`);
    shared.prefix = prefix;
  }
  const naming = text(env, 'PROMWIRE_NAMING');
  if (naming !== undefined) {
    if (naming !== 'default' && naming !== 'otel') fail('PROMWIRE_NAMING', `must be default or otel, got ${JSON.stringify(naming)}`);
    shared.naming = naming;
  }
  setBool(env, shared, 'groupStatusCodes', 'PROMWIRE_GROUP_STATUS_CODES');
  setBool(env, shared, 'defaultMetrics', 'PROMWIRE_DEFAULT_METRICS');
  setBool(env, shared, 'requestSize', 'PROMWIRE_REQUEST_SIZE');
  setBool(env, shared, 'responseSize', 'PROMWIRE_RESPONSE_SIZE');
  setBool(env, shared, 'exemplars', 'PROMWIRE_EXEMPLARS');
  const cap = int(env, 'PROMWIRE_MAX_LABEL_VALUES', 1, Number.MAX_SAFE_INTEGER);
  if (cap !== undefined) shared.maxLabelValues = cap;
  const duration = buckets(env, 'PROMWIRE_DURATION_BUCKETS');
  if (duration !== undefined) shared.durationBuckets = duration;
  const sizes = buckets(env, 'PROMWIRE_SIZE_BUCKETS');
  if (sizes !== undefined) shared.sizeBuckets = sizes;
  const exclude = exclusions(env);
  if (exclude !== undefined) shared.exclude = exclude;
  const labels = fixedLabels(env);
  if (labels !== undefined) shared.labels = labels;
  const genai = genAi(env);
  if (genai !== undefined) shared.genai = genai;

  const ml: Record<string, unknown> = {};
  for (const [key, variable] of [['inferenceBuckets', 'PROMWIRE_INFERENCE_BUCKETS'], ['batchBuckets', 'PROMWIRE_BATCH_BUCKETS'], ['loadBuckets', 'PROMWIRE_LOAD_BUCKETS']] as const) {
    const value = buckets(env, variable);
    if (value !== undefined) ml[key] = value;
  }

  const config: AutoConfig = {
    port,
    host,
    path,
    client: client as AutoConfig['client'],
    auth: auth(env),
    shared,
    ml,
    instrumentations: instrumentations(env),
    file: {},
  };
  const file = text(env, 'PROMWIRE_CONFIG');
  if (file !== undefined) config.file = loadConfigFile(isAbsolute(file) ? file : resolve(cwd, file));
  return config;
}

function fail(variable: string, message: string): never {
  throw new ConfigProblem(variable, `${variable} ${message}`);
}

function text(env: Env, variable: string): string | undefined {
  const value = env[variable];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function bool(env: Env, variable: string): boolean | undefined {
  const value = text(env, variable)?.toLowerCase();
  if (value === undefined) return undefined;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  return fail(variable, `must be true or false, got ${JSON.stringify(env[variable])}`);
}

function setBool(env: Env, target: SharedOptions, key: 'groupStatusCodes' | 'defaultMetrics' | 'requestSize' | 'responseSize' | 'exemplars', variable: string): void {
  const value = bool(env, variable);
  if (value !== undefined) target[key] = value;
}

function int(env: Env, variable: string, min: number, max: number): number | undefined {
  const value = text(env, variable);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    fail(variable, `must be an integer ${min}–${max === Number.MAX_SAFE_INTEGER ? '…' : max}, got ${JSON.stringify(env[variable])}`);
  }
  return n;
}

function list(env: Env, variable: string): string[] | undefined {
  const value = text(env, variable);
  return value === undefined ? undefined : value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

function buckets(env: Env, variable: string): number[] | undefined {
  const values = list(env, variable);
  if (values === undefined) return undefined;
  const numbers = values.map(Number);
  if (numbers.length === 0 || numbers.some((n, i) => !Number.isFinite(n) || n <= 0 || (i > 0 && n <= numbers[i - 1]!))) {
    fail(variable, `must be increasing positive numbers separated by commas, got ${JSON.stringify(env[variable])}`);
  }
  return numbers;
}

/** `PROMWIRE_EXCLUDE=/health,/ready,/^\/internal\//`: templates, or `/…/` regular expressions. */
function exclusions(env: Env): (string | RegExp)[] | undefined {
  const values = list(env, 'PROMWIRE_EXCLUDE');
  if (values === undefined) return undefined;
  return values.map((value) => {
    if (value.length < 3 || !value.startsWith('/') || !value.endsWith('/')) return value;
    try {
      return new RegExp(value.slice(1, -1));
    } catch (error) {
      return fail('PROMWIRE_EXCLUDE', `has a bad regular expression ${value}: ${(error as Error).message}`);
    }
  });
}

/** `PROMWIRE_LABELS=service=checkout,team=payments`: labels with one fixed value. */
function fixedLabels(env: Env): Record<string, string> | undefined {
  const values = list(env, 'PROMWIRE_LABELS');
  if (values === undefined) return undefined;
  const labels: Record<string, string> = {};
  for (const pair of values) {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? '' : pair.slice(0, eq).trim();
    if (!LABEL_NAME.test(name) || name.startsWith('__')) fail('PROMWIRE_LABELS', `must be name=value pairs separated by commas, got ${JSON.stringify(pair)}`);
    labels[name] = pair.slice(eq + 1).trim();
  }
  return labels;
}

/**
 * `PROMWIRE_GENAI=false` turns the GenAI metrics off; `PROMWIRE_GENAI_ROUTES` lists the routes
 * read (paths or templates ending in /chat/completions, /completions or /embeddings).
 */
function genAi(env: Env): SharedOptions['genai'] {
  const on = bool(env, 'PROMWIRE_GENAI');
  const routes = list(env, 'PROMWIRE_GENAI_ROUTES');
  if (on === false) return false;
  if (routes === undefined) return undefined;
  for (const route of routes) {
    if (!route.startsWith('/') || !/\/(chat\/completions|completions|embeddings)$/.test(route)) {
      fail('PROMWIRE_GENAI_ROUTES', `must list paths or route templates ending in /chat/completions, /completions or /embeddings, got ${JSON.stringify(route)}`);
    }
  }
  if (routes.length === 0) fail('PROMWIRE_GENAI_ROUTES', 'must list at least one route');
  return { routes };
}

/** A secret from `NAME`, or from the file `NAME_FILE` names (a mounted secret; one trailing newline dropped). */
function secret(env: Env, variable: string): string | undefined {
  const direct = text(env, variable);
  const file = text(env, `${variable}_FILE`);
  if (direct !== undefined && file !== undefined) fail(variable, `and ${variable}_FILE are both set; set one`);
  if (file === undefined) return direct;
  let value: string;
  try {
    value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    return fail(`${variable}_FILE`, `names a file that cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (value === '') fail(`${variable}_FILE`, `names an empty file (${file})`);
  return value;
}

function auth(env: Env): AutoConfig['auth'] {
  const bearer = secret(env, 'PROMWIRE_AUTH_BEARER');
  const username = text(env, 'PROMWIRE_AUTH_USERNAME');
  const password = secret(env, 'PROMWIRE_AUTH_PASSWORD');
  if (bearer !== undefined && (username !== undefined || password !== undefined)) {
    fail('PROMWIRE_AUTH_BEARER', 'and PROMWIRE_AUTH_USERNAME/PASSWORD are both set; choose one kind of auth');
  }
  if (bearer !== undefined) return { bearer };
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined) fail(username === undefined ? 'PROMWIRE_AUTH_USERNAME' : 'PROMWIRE_AUTH_PASSWORD', 'is needed too: basic auth takes a username and a password');
  return { basic: { username, password } };
}

/** `PROMWIRE_INSTRUMENTATIONS=http,express`: the ones to turn on (default all). */
function instrumentations(env: Env): ReadonlySet<Instrumentation> {
  const values = list(env, 'PROMWIRE_INSTRUMENTATIONS');
  if (values === undefined) return new Set(INSTRUMENTATIONS);
  for (const value of values) {
    if (!(INSTRUMENTATIONS as readonly string[]).includes(value)) {
      fail('PROMWIRE_INSTRUMENTATIONS', `must list some of ${INSTRUMENTATIONS.join(', ')}; got ${JSON.stringify(value)}`);
    }
  }
  return new Set(values as Instrumentation[]);
}

const FILE_KEYS = new Set(['labels', 'skip', 'getRoute', 'exclude', 'modelName', ...INSTRUMENTATIONS]);

/**
 * The config file: a CommonJS or ES module (loaded with `require`, which Node 20.19+ and 22.12+
 * allow for ES modules without top-level await) exporting an object of callbacks, shared
 * (`labels`, `skip`, `getRoute`, `exclude`) and per instrumentation (`express: { … }`).
 */
function loadConfigFile(file: string): AutoConfig['file'] {
  let loaded: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? `no such file (${file})` : `${file} failed to load: ${(error as Error).message.split('\n')[0]}`;
    return fail('PROMWIRE_CONFIG', `names a config that cannot be used: ${reason}`);
  }
  const value = (loaded as { default?: unknown; __esModule?: boolean })?.default ?? loaded;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('PROMWIRE_CONFIG', `must export an object, got ${typeof value}`);
  for (const key of Object.keys(value)) {
    if (!FILE_KEYS.has(key)) fail('PROMWIRE_CONFIG', `exports an unknown key "${key}" (known: ${[...FILE_KEYS].join(', ')})`);
    const entry = (value as Record<string, unknown>)[key];
    if ((key === 'skip' || key === 'getRoute') && typeof entry !== 'function') fail('PROMWIRE_CONFIG', `${key} must be a function, got ${typeof entry}`);
    if ((INSTRUMENTATIONS as readonly string[]).includes(key) && (typeof entry !== 'object' || entry === null)) {
      fail('PROMWIRE_CONFIG', `${key} must be an object of options, got ${entry === null ? 'null' : typeof entry}`);
    }
  }
  return value as AutoConfig['file'];
}
