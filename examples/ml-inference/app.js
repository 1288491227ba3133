'use strict';
// An iris classifier and a small language model served over HTTP, with no promwire code:
// `POST /v1/predict` runs the classifier on onnxruntime-node (`?runtime=onnx`, the default) or
// TensorFlow.js (`?runtime=tfjs`); the OpenAI-compatible routes (openai/routes.js:
// /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models) run the character-level
// language model on onnxruntime-node, or forward to another server with `--upstream URL`
// (or PROMWIRE_EXAMPLE_UPSTREAM): a gateway. server.js is this app with promwire's explicit
// API; `node app.js` runs it bare (or under a preload that instruments it). PORT (default 3000;
// 0 picks a free one) and HOST (default 127.0.0.1) choose where it listens;
// PROMWIRE_EXAMPLE_CREATED (Unix seconds) fixes the replies' `created` field, so that
// transcripts can be compared byte for byte.
//
//   curl -s localhost:3000/v1/predict -H 'content-type: application/json' -d '{"inputs":[5.1,3.5,1.4,0.2]}'
//   curl -s 'localhost:3000/v1/predict?runtime=tfjs' -H 'content-type: application/json' \
//        -d '{"inputs":[[5.1,3.5,1.4,0.2],[6.3,3.3,6.0,2.5]]}'
//   curl -sN localhost:3000/v1/chat/completions -H 'content-type: application/json' \
//        -d '{"model":"charlm","messages":[{"role":"user","content":"the river"}],"stream":true,"seed":1}'
const { readFile } = require('node:fs/promises');
const { join } = require('node:path');
const express = require('express');
const ort = require('onnxruntime-node');
const tf = require('@tensorflow/tfjs');
const { CLASSES, FEATURES } = require('./model/iris');
const { Generator } = require('./openai/generator');
const { openaiRoutes, isOpenAIPath, sendOpenAIError } = require('./openai/routes');
const { upstreamBase } = require('./openai/gateway');

const MODEL_DIR = join(__dirname, 'model');
/** Most rows one request may send. */
const MAX_BATCH = 256;

/**
 * Loads the classifier in both runtimes and the language model (not needed by a gateway), from
 * the files scripts/build-models.js wrote.
 */
async function loadModels({ upstream } = {}) {
  const session = await ort.InferenceSession.create(join(MODEL_DIR, 'iris.onnx'));
  const layers = await tf.loadLayersModel(filesHandler(join(MODEL_DIR, 'iris', 'model.json')));
  const generator = upstream === undefined ? new Generator(ort, await ort.InferenceSession.create(join(MODEL_DIR, 'charlm.onnx'))) : undefined;
  return { session, layers, generator };
}

/** A TF.js IOHandler reading a saved LayersModel (model.json and its weight files) from disk. */
function filesHandler(modelJson) {
  return {
    async load() {
      const { modelTopology, weightsManifest, format, generatedBy, convertedBy } = JSON.parse(await readFile(modelJson, 'utf8'));
      const weightSpecs = weightsManifest.flatMap((group) => group.weights);
      const buffers = await Promise.all(weightsManifest.flatMap((group) => group.paths).map((p) => readFile(join(modelJson, '..', p))));
      const weights = Buffer.concat(buffers);
      const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
      return { modelTopology, weightSpecs, weightData, format, generatedBy, convertedBy };
    },
  };
}

/** The rows of a request body: `{ inputs: [4 numbers] }` or `{ inputs: [[4 numbers], …] }`, or an error message. */
function readInputs(body) {
  const inputs = body?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) return { error: 'body must be {"inputs": [4 numbers]} or {"inputs": [[4 numbers], ...]}' };
  const single = !Array.isArray(inputs[0]);
  const rows = single ? [inputs] : inputs;
  if (rows.length > MAX_BATCH) return { error: `at most ${MAX_BATCH} rows per request, got ${rows.length}` };
  for (const [i, row] of rows.entries()) {
    const where = single ? 'inputs' : `inputs[${i}]`;
    if (!Array.isArray(row) || row.length !== FEATURES) return { error: `${where} must be ${FEATURES} numbers (sepal length, sepal width, petal length, petal width in cm)` };
    if (!row.every((v) => typeof v === 'number' && Number.isFinite(v))) return { error: `${where} must hold finite numbers` };
  }
  return { rows, single };
}

const RUNNERS = {
  async onnx({ session }, rows) {
    const features = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, FEATURES]);
    const { probabilities } = await session.run({ features });
    return probabilities.data;
  },
  async tfjs({ layers }, rows) {
    const output = tf.tidy(() => layers.predict(tf.tensor2d(rows, [rows.length, FEATURES])));
    try {
      return await output.data();
    } finally {
      output.dispose();
    }
  },
};

function prediction(probabilities, row) {
  const p = Array.from(probabilities.subarray(row * CLASSES.length, (row + 1) * CLASSES.length));
  const best = p.indexOf(Math.max(...p));
  return { class: CLASSES[best], probabilities: Object.fromEntries(CLASSES.map((c, i) => [c, p[i]])) };
}

/**
 * The app. `use`: middleware mounted first (server.js passes promwire's); `upstream`: the
 * OpenAI-compatible server a gateway forwards to; `created`: the replies' `created` time.
 */
function createApp(models, { use = [], upstream, created } = {}) {
  const app = express();
  for (const middleware of use) app.use(middleware);
  // A gateway forwards the bytes the client sent; the parsed body is still read (by promwire).
  const keepRaw = (req, res, buf) => {
    req.rawBody = buf;
  };
  app.use(express.json({ limit: '256kb', verify: upstream === undefined ? undefined : keepRaw }));
  app.use(openaiRoutes({ generator: models.generator, upstream, created }));

  app.post('/v1/predict', async (req, res) => {
    const runtime = req.query.runtime ?? 'onnx';
    const run = typeof runtime === 'string' && Object.hasOwn(RUNNERS, runtime) ? RUNNERS[runtime] : undefined;
    if (run === undefined) return res.status(400).json({ error: `runtime must be one of ${Object.keys(RUNNERS).join(', ')}` });
    const { rows, single, error } = readInputs(req.body);
    if (error !== undefined) return res.status(400).json({ error });
    const probabilities = await run(models, rows);
    const predictions = rows.map((_, i) => prediction(probabilities, i));
    res.json(single ? { runtime, model: 'iris', prediction: predictions[0] } : { runtime, model: 'iris', predictions });
  });
  app.get('/health', (req, res) => res.send('ok\n'));

  // A body that is not JSON, or too large: 400 (413) with a JSON error, like the other bad input.
  app.use((err, req, res, next) => {
    if (res.headersSent) return next(err);
    if (isOpenAIPath(req.path)) return sendOpenAIError(err, res);
    const status = err.status >= 400 && err.status < 500 ? err.status : 500;
    res.status(status).json({ error: status === 500 ? 'internal error' : err.message });
  });
  return app;
}

/** The options of the command line and environment: `--upstream URL` (or PROMWIRE_EXAMPLE_UPSTREAM), PROMWIRE_EXAMPLE_CREATED. */
function commandLine(argv = process.argv.slice(2), env = process.env) {
  const at = argv.indexOf('--upstream');
  const upstream = at >= 0 ? argv[at + 1] : env.PROMWIRE_EXAMPLE_UPSTREAM || undefined;
  if (at >= 0 && (upstream === undefined || upstream.startsWith('--'))) throw new TypeError('--upstream needs a URL');
  if (upstream !== undefined) upstreamBase(upstream); // a bad URL fails now, not on the first request
  const fixed = env.PROMWIRE_EXAMPLE_CREATED;
  if (fixed !== undefined && !/^\d+$/.test(fixed)) throw new TypeError(`PROMWIRE_EXAMPLE_CREATED must be Unix seconds, got ${fixed}`);
  return { upstream, created: fixed === undefined ? undefined : () => Number(fixed) };
}

/** Loads the models and listens; resolves with the server. */
async function start(options = {}) {
  const settings = { ...commandLine(), ...options };
  const models = await loadModels(settings);
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  const server = createApp(models, settings).listen(port, host);
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://${host}:${server.address().port}`;
  console.log(`listening on ${base}${settings.upstream === undefined ? '' : ` (a gateway to ${settings.upstream})`}`);
  console.log(`  try:     curl -s ${base}/v1/predict -H 'content-type: application/json' -d '{"inputs":[5.1,3.5,1.4,0.2]}'`);
  console.log(`           curl -sN ${base}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"charlm","messages":[{"role":"user","content":"the river"}],"stream":true}'`);
  if (options.use?.length) console.log(`  metrics: ${base}/metrics`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

if (require.main === module) {
  start().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { createApp, loadModels, start, readInputs };
