/**
 * A second reading of the protobuf exposition: protobufjs parsing core's checked-in
 * `proto/metrics.proto` here (snake-case fields, the well-known Timestamp declared here too),
 * independent of the renderer's loaded schema and its camel-case objects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';

const root = protobuf.parse(readFileSync(join(__dirname, '..', '..', 'packages', 'core', 'proto', 'metrics.proto'), 'utf8'), { keepCase: true }).root;
protobuf.parse('syntax = "proto3"; package google.protobuf; message Timestamp { int64 seconds = 1; int32 nanos = 2; }', root, { keepCase: true });
root.resolveAll();
const MetricFamily = root.lookupType('io.prometheus.client.MetricFamily');

/** A decoded message as a plain object, fields by their snake-case names. */
export type Decoded = Record<string, any>;

/** Every MetricFamily of a delimited body, as plain objects (enums by name, 64-bit ints as numbers). */
export function decode(body: Uint8Array): Decoded[] {
  const reader = protobuf.Reader.create(body);
  const out: Decoded[] = [];
  while (reader.pos < reader.len) out.push(MetricFamily.toObject(MetricFamily.decodeDelimited(reader), { longs: Number, enums: String }));
  return out;
}
