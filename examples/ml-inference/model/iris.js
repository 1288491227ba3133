'use strict';
// The example's classifier: an MLP over the four iris measurements (sepal length, sepal width,
// petal length, petal width, in cm) → probabilities of setosa, versicolor, virginica.
// 4 → 5 (ReLU) → 3 (softmax). The weights are set by hand from the classic decision rules on
// petal length (2.45 cm, 4.95 cm) and petal width (1.75 cm); the sepal measurements carry no
// weight. The same weights build the ONNX model, the TF.js LayersModel and the TF.js GraphModel,
// so every runtime answers the same inputs.

const { buildOnnxModel } = require('./onnx');

const CLASSES = ['setosa', 'versicolor', 'virginica'];
const FEATURES = 4;
const HIDDEN = 5;

// Hidden units: relu(2.45 − pl), relu(pl − 2.45), relu(1.75 − pw), relu(pw − 1.75), relu(pl − 4.95).
/** [FEATURES × HIDDEN], row-major: one row per input feature. */
const W1 = [
  0, 0, 0, 0, 0, // sepal length
  0, 0, 0, 0, 0, // sepal width
  -1, 1, 0, 0, 1, // petal length
  0, 0, -1, 1, 0, // petal width
];
const B1 = [2.45, -2.45, 1.75, -1.75, -4.95];
/** [HIDDEN × 3], row-major: one row per hidden unit, one column per class. */
const W2 = [
  6, -6, 0,
  -2, 0, 0,
  0, 6, 0,
  0, 0, 6,
  0, 0, 4,
];
const B2 = [0, 0, 0];

/** The iris classifier as ONNX bytes: input `features` [N, 4], output `probabilities` [N, 3]. */
function irisOnnx() {
  return buildOnnxModel({
    name: 'iris',
    inputs: [{ name: 'features', dims: ['N', FEATURES] }],
    outputs: [{ name: 'probabilities', dims: ['N', CLASSES.length] }],
    initializers: [
      { name: 'w1', dims: [FEATURES, HIDDEN], values: W1 },
      { name: 'b1', dims: [HIDDEN], values: B1 },
      { name: 'w2', dims: [HIDDEN, CLASSES.length], values: W2 },
      { name: 'b2', dims: [CLASSES.length], values: B2 },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['features', 'w1'], outputs: ['hidden_linear'] },
      { op: 'Add', inputs: ['hidden_linear', 'b1'], outputs: ['hidden_biased'] },
      { op: 'Relu', inputs: ['hidden_biased'], outputs: ['hidden'] },
      { op: 'MatMul', inputs: ['hidden', 'w2'], outputs: ['logits_linear'] },
      { op: 'Add', inputs: ['logits_linear', 'b2'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['probabilities'] },
    ],
  });
}

/** A trivial model for overhead measurements: `y = x + 1` on a [N, 4] float input `x`. */
function addOneOnnx() {
  return buildOnnxModel({
    name: 'add_one',
    inputs: [{ name: 'x', dims: ['N', FEATURES] }],
    outputs: [{ name: 'y', dims: ['N', FEATURES] }],
    initializers: [{ name: 'one', dims: [1], values: [1] }],
    nodes: [{ op: 'Add', inputs: ['x', 'one'], outputs: ['y'] }],
  });
}

/** The iris classifier as a TF.js LayersModel named `iris`, built in code with the same weights. */
function irisTfjs(tf) {
  const model = tf.sequential({
    name: 'iris',
    layers: [
      tf.layers.dense({ inputShape: [FEATURES], units: HIDDEN, activation: 'relu', name: 'hidden' }),
      tf.layers.dense({ units: CLASSES.length, activation: 'softmax', name: 'probabilities' }),
    ],
  });
  model.setWeights([
    tf.tensor2d(W1, [FEATURES, HIDDEN]),
    tf.tensor1d(B1),
    tf.tensor2d(W2, [HIDDEN, CLASSES.length]),
    tf.tensor1d(B2),
  ]);
  return model;
}

/**
 * The iris classifier as TF.js GraphModel artifacts (a GraphDef in JSON, as tfjs-converter
 * writes it, and its weights), for `tf.loadGraphModel(tf.io.fromMemory(artifacts))` or to
 * serve as `model.json` + `weights.bin`. Input `features` [-1, 4], output `probabilities`.
 */
function irisGraphModelArtifacts() {
  const float = { type: 'DT_FLOAT' };
  const constant = (name) => ({ name, op: 'Const', attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT' } } } });
  const op = (name, type, inputs) => ({ name, op: type, input: inputs, attr: { T: float } });
  const matMul = (name, inputs) => ({ ...op(name, 'MatMul', inputs), attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } });
  const modelTopology = {
    node: [
      { name: 'features', op: 'Placeholder', attr: { dtype: float, shape: { shape: { dim: [{ size: '-1' }, { size: String(FEATURES) }] } } } },
      constant('w1'), constant('b1'), constant('w2'), constant('b2'),
      matMul('hidden_linear', ['features', 'w1']),
      op('hidden_biased', 'AddV2', ['hidden_linear', 'b1']),
      op('hidden', 'Relu', ['hidden_biased']),
      matMul('logits_linear', ['hidden', 'w2']),
      op('logits', 'AddV2', ['logits_linear', 'b2']),
      op('probabilities', 'Softmax', ['logits']),
    ],
    versions: { producer: 1395 },
  };
  const weightSpecs = [
    { name: 'w1', shape: [FEATURES, HIDDEN], dtype: 'float32' },
    { name: 'b1', shape: [HIDDEN], dtype: 'float32' },
    { name: 'w2', shape: [HIDDEN, CLASSES.length], dtype: 'float32' },
    { name: 'b2', shape: [CLASSES.length], dtype: 'float32' },
  ];
  const weightData = new Float32Array([...W1, ...B1, ...W2, ...B2]).buffer;
  return { format: 'graph-model', generatedBy: 'promwire-examples', convertedBy: null, modelTopology, weightSpecs, weightData };
}

module.exports = { CLASSES, FEATURES, irisOnnx, addOneOnnx, irisTfjs, irisGraphModelArtifacts };
