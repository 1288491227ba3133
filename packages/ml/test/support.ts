/** Shared by the @promwire/ml tests: a fresh registry, its parsed exposition, the example's models. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { renderRegistry, type Registry as AnyRegistry } from '@promwire/core';
import { parseExposition, type Exposition } from '../../../test/helpers/exposition';
import { listen, type Listening } from '../../../test/helpers/http';
import { irisGraphModelArtifacts } from '../../../examples/ml-inference/model/iris';

export { addOneOnnx, irisOnnx, irisTfjs, irisGraphModelArtifacts, CLASSES } from '../../../examples/ml-inference/model/iris';

export const EXAMPLE_DIR = join(__dirname, '../../../examples/ml-inference');
/** The example's ONNX file, as committed (scripts/build-models.js writes it). */
export const IRIS_ONNX_PATH = join(EXAMPLE_DIR, 'model/iris.onnx');

export function newRegistry(): AnyRegistry {
  return new Registry() as unknown as AnyRegistry;
}

/** The registry's exposition (Prometheus text 0.0.4), parsed. */
export async function exposition(registry: AnyRegistry): Promise<Exposition> {
  return parseExposition(await renderRegistry(registry, false));
}

/**
 * The samples of gauge `name`, read synchronously through the registry's collector interface
 * (no turn of the event loop passes, so pending inferences are still pending).
 */
export function inFlight(registry: AnyRegistry, name: string): { labels: Record<string, unknown>; value: number }[] {
  const metric = registry.getSingleMetric(name) as unknown as { get(): { values: { labels: Record<string, unknown>; value: number }[] } };
  return metric.get().values.map(({ labels, value }) => ({ labels, value }));
}

/** Rows of iris measurements, `n` of them, cycling through a few known flowers. */
export function irisRows(n: number): number[][] {
  const flowers = [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5], [5.8, 2.7, 5.1, 1.9]];
  return Array.from({ length: n }, (_, i) => flowers[i % flowers.length]!);
}

/** Bucket counts (cumulative, by `le`) of a histogram series. */
export function buckets(e: Exposition, name: string, labels: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of e.find(`${name}_bucket`, labels)) out[s.labels.le!] = s.value;
  return out;
}

/**
 * `fetch` for TF.js URL loads inside jest: the response's JSON is parsed in the test's realm.
 * (Node's fetch parses in the process realm, whose arrays tfjs-layers' deserializer, checking
 * `instanceof Array` in jest's sandbox, would not take for arrays. Outside jest this is moot.)
 */
export async function sandboxFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  const body = await response.arrayBuffer();
  const answer: Pick<Response, 'ok' | 'status' | 'json' | 'arrayBuffer'> = {
    ok: response.ok,
    status: response.status,
    json: async () => JSON.parse(Buffer.from(body).toString('utf8')) as unknown,
    arrayBuffer: async () => body,
  };
  return answer as Response; // TF.js reads only these
}

/**
 * A loopback server for TF.js URL loads: `/iris/model.json` (+ weights.bin), the example's
 * LayersModel as saved on disk; `/iris-graph/model.json` (+ weights.bin), the GraphModel.
 */
export async function modelServer(): Promise<Listening> {
  const layersDir = join(EXAMPLE_DIR, 'model/iris');
  const graph = irisGraphModelArtifacts();
  const files: Record<string, Buffer> = {
    '/iris/model.json': readFileSync(join(layersDir, 'model.json')),
    '/iris/weights.bin': readFileSync(join(layersDir, 'weights.bin')),
    '/iris-graph/model.json': Buffer.from(JSON.stringify({
      format: graph.format,
      modelTopology: graph.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: graph.weightSpecs }],
    })),
    '/iris-graph/weights.bin': Buffer.from(graph.weightData),
  };
  return listen(createServer((req, res) => {
    const body = files[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': req.url?.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
    res.end(body ?? 'not found');
  }));
}
