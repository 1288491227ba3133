/**
 * Which Prometheus client library a registry or a default belongs to. Both clients are
 * optional peers: each is loaded by name when first needed, so neither has to be installed.
 *
 * - A registry the user passes belongs to the installed client whose `Registry` it is.
 * - With no registry: the `client` option, else `PROMWIRE_CLIENT`, else the one client
 *   installed; with both installed, `@prometheus-io/client`, and one warning per process.
 * - With neither installed, one error naming both.
 *
 * The choice is made by pure functions over a loader, so it is tested without installing or
 * hiding packages; `requireClient` is the loader the package uses.
 */
import type { ClientName, Registry } from './types';

/** The clients, in the order preferred when both are installed. */
export const CLIENT_NAMES: readonly ClientName[] = ['@prometheus-io/client', 'prom-client'];

/** The environment variable that chooses the client when no registry or `client` option does. */
export const CLIENT_ENV = 'PROMWIRE_CLIENT';

/** What promwire uses of a client library's module. */
export interface ClientModule {
  Registry: abstract new (...args: never[]) => object;
  register: Registry;
  collectDefaultMetrics(config: { register: Registry }): unknown;
  Counter: new (config: never) => object;
  Gauge: new (config: never) => object;
  Histogram: new (config: never) => object;
  Summary: new (config: never) => object;
}

/** An installed client: its package name and module. */
export interface Client {
  name: ClientName;
  module: ClientModule;
}

/** Loads a client by package name; undefined when it is not installed. */
export type LoadClient = (name: ClientName) => ClientModule | undefined;

/** Where the default client is chosen from, and how a warning is given. */
export interface ClientChoice {
  /** The `client` option, if given. */
  option: unknown;
  /** `PROMWIRE_CLIENT`, if set. */
  env: string | undefined;
  /** Called with the both-installed warning. */
  warn: (message: string) => void;
}

/** Loads a client with `require`, resolved from this package as a peer; undefined if not installed. */
export function requireClient(name: ClientName): ClientModule | undefined {
  try {
    return require(name) as ClientModule;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    // Only the client itself missing means "not installed"; a broken install is reported as is.
    if (e.code === 'MODULE_NOT_FOUND' && e.message.includes(`'${name}'`)) return undefined;
    throw error;
  }
}

/**
 * The installed clients, in preference order. Two names that load one module (a test setup
 * mapping one onto the other) count once, under the preferred name.
 */
export function installedClients(load: LoadClient): Client[] {
  const clients: Client[] = [];
  for (const name of CLIENT_NAMES) {
    const module = load(name);
    if (module !== undefined && !clients.some((c) => c.module === module)) clients.push({ name, module });
  }
  return clients;
}

/** The installed client a registry was made by, or undefined (not a registry of an installed copy). */
export function clientOfRegistry(registry: object, clients: readonly Client[]): Client | undefined {
  return clients.find((c) => registry instanceof c.module.Registry);
}

/** Checks a `client` option or `PROMWIRE_CLIENT` value; `source` names it in the error. */
export function checkClientName(pkg: string, value: unknown, source: string): ClientName {
  if (typeof value === 'string' && (CLIENT_NAMES as readonly string[]).includes(value)) return value as ClientName;
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value;
  throw new TypeError(`${pkg}: ${source} must be '@prometheus-io/client' or 'prom-client', got ${shown}`);
}

/** The error when no client can be loaded. */
export function noClientError(pkg: string): Error {
  return new Error(
    `${pkg}: no Prometheus client library found. Install one of them next to promwire: ` +
      "'@prometheus-io/client' (Node 22+, `npm install @prometheus-io/client`) or " +
      "'prom-client' 15 (`npm install prom-client`).",
  );
}

/** The warning given once per process when both clients are installed and nothing chooses. */
export const BOTH_CLIENTS_WARNING =
  "both '@prometheus-io/client' and 'prom-client' are installed and nothing chooses between them, " +
  "so promwire records into @prometheus-io/client's default registry; metrics registered on " +
  "prom-client's default registry will not appear in promwire's /metrics. Choose with the `client` " +
  "option (e.g. metrics({ client: 'prom-client' })), the PROMWIRE_CLIENT environment variable " +
  "(PROMWIRE_CLIENT=prom-client), or pass your own `registry`.";

/**
 * The client used when no registry is given: the `client` option, else `PROMWIRE_CLIENT`,
 * else the one installed, else (both) `@prometheus-io/client` with a warning. Throws a
 * `TypeError` on a bad name, an `Error` when the chosen client or every client is missing.
 */
export function chooseDefaultClient(pkg: string, clients: readonly Client[], choice: ClientChoice): Client {
  const given = choice.option !== undefined
    ? checkClientName(pkg, choice.option, 'client')
    : choice.env !== undefined && choice.env !== ''
      ? checkClientName(pkg, choice.env, CLIENT_ENV)
      : undefined;
  if (given !== undefined) {
    const client = clients.find((c) => c.name === given);
    if (client === undefined) {
      throw new Error(`${pkg}: client '${given}' was chosen (${choice.option !== undefined ? 'client option' : CLIENT_ENV}) but is not installed: npm install ${given}`);
    }
    return client;
  }
  const [first] = clients;
  if (first === undefined) throw noClientError(pkg);
  if (clients.length > 1) choice.warn(BOTH_CLIENTS_WARNING);
  return first;
}

const WARNED = Symbol.for('@promwire/core.bothClientsWarning');

/**
 * Emits the both-installed warning once per process (kept on `process` under a registered
 * symbol, so two copies of this package still warn once).
 */
export function warnOncePerProcess(message: string): void {
  const flags = process as unknown as Record<symbol, boolean | undefined>;
  if (flags[WARNED] === true) return;
  flags[WARNED] = true;
  process.emitWarning(message, { type: 'PromwireWarning', code: 'PROMWIRE_BOTH_CLIENTS' });
}
