/**
 * protobufjs and the Metric message type of the checked-in `proto/metrics.proto`, loaded once per
 * process on the first protobuf scrape, a step per turn of the event loop: requiring protobufjs
 * (its minimal, light and full builds in turn), parsing the schema, then generating each message
 * type's encoder, so the first scrape does not add all of them to one turn (together about 25 ms
 * of CPU on a 2-core x86 machine).
 */
import { join } from 'node:path';
import type { Type } from 'protobufjs';
import { nextTurn } from './body';

export interface Schema {
  protobuf: typeof import('protobufjs');
  metric: Type;
}

/** Where the schema is, from `src/protobuf/` and from `dist/protobuf/` alike. */
export const METRICS_PROTO = join(__dirname, '..', '..', 'proto', 'metrics.proto');

/** The schema once loaded, and the load in progress, shared by every render in the process. */
const SCHEMA: { loaded?: Schema; loading?: Promise<Schema> } = {};

/** The schema, loaded if this is the first protobuf render of the process. */
export function loadSchema(): Schema | Promise<Schema> {
  if (SCHEMA.loaded !== undefined) return SCHEMA.loaded;
  SCHEMA.loading ??= load().then(
    (schema) => (SCHEMA.loaded = schema),
    (error: unknown) => {
      SCHEMA.loading = undefined; // the next scrape tries again
      throw error;
    },
  );
  return SCHEMA.loading;
}

async function load(): Promise<Schema> {
  // Required, not imported: text-only applications never load protobufjs. Its minimal and light
  // builds first, each in a turn of its own: the full build requires them and adds the parser.
  require('protobufjs/minimal');
  await nextTurn();
  require('protobufjs/light');
  await nextTurn();
  const protobuf = require('protobufjs') as typeof import('protobufjs');
  await nextTurn();
  const root = protobuf.loadSync(METRICS_PROTO);
  const metric = root.lookupType('io.prometheus.client.Metric');
  // Each type's encoder is generated on its first use; here, one type per turn.
  const types = new Set<Type>();
  const collect = (type: Type): void => {
    if (types.has(type)) return;
    types.add(type);
    for (const field of type.fieldsArray) {
      if (field.resolve().resolvedType instanceof protobuf.Type) collect(field.resolvedType as Type);
    }
  };
  collect(metric);
  for (const type of [...types].reverse()) {
    await nextTurn();
    type.setup();
  }
  return { protobuf, metric };
}
