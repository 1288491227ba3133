'use strict';
// An iris classifier served over HTTP, with no promwire code: `POST /v1/predict` runs the model
// on onnxruntime-node (`?runtime=onnx`, the default) or TensorFlow.js (`?runtime=tfjs`).
// server.js is this app with promwire's explicit API; `node app.js` runs it bare (or under a
// preload that instruments it). PORT (default 3000; 0 picks a free one) and HOST (default
// 127.0.0.1) choose where it listens.
//
//   curl -s localhost:3000/v1/predict -H 'content-type: application/json' -d '{"inputs":[5.1,3.5,1.4,0.2]}'
//   curl -s 'localhost:3000/v1/predict?runtime=tfjs' -H 'content-type: application/json' \
//        -d '{"inputs":[[5.1,3.5,1.4,0.2],[6.3,3.3,6.0,2.5]]}'
const { readFile } = require('node:fs/promises');
const { join } = require('node:path');
const express = require('express');
const ort = require('onnxruntime-node');
const tf = require('@tensorflow/tfjs');
const { CLASSES, FEATURES } = require('./model/iris');

const MODEL_DIR = join(__dirname, 'model');
/** Most rows one request may send. */
const MAX_BATCH = 256;

/** Loads the classifier in both runtimes, from the files scripts/build-models.js wrote. */
async function loadModels() {
  const session = await ort.InferenceSession.create(join(MODEL_DIR, 'iris.onnx'));
  const layers = await tf.loadLayersModel(filesHandler(join(MODEL_DIR, 'iris', 'model.json')));
  return { session, layers };
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

/** The app. `use`: middleware mounted first (server.js passes promwire's). */
function createApp(models, { use = [] } = {}) {
  const app = express();
  for (const middleware of use) app.use(middleware);
  app.use(express.json({ limit: '256kb' }));

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
    const status = err.status >= 400 && err.status < 500 ? err.status : 500;
    res.status(status).json({ error: status === 500 ? 'internal error' : err.message });
  });
  return app;
}

/** Loads the models and listens; resolves with the server. */
async function start(options = {}) {
  const models = await loadModels();
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  const server = createApp(models, options).listen(port, host);
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://${host}:${server.address().port}`;
  console.log(`listening on ${base}`);
  console.log(`  try:     curl -s ${base}/v1/predict -H 'content-type: application/json' -d '{"inputs":[5.1,3.5,1.4,0.2]}'`);
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
