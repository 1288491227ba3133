'use strict';
// The iris classifier of app.js with promwire's explicit API: HTTP metrics from
// @promwire/express, model loads and inferences from @promwire/ml, all at /metrics.
const ort = require('onnxruntime-node');
const tf = require('@tensorflow/tfjs');
const { metrics } = require('@promwire/express');
const { instrumentOnnxRuntime, instrumentTfjs } = require('@promwire/ml');

// Before the models load, so the loads are recorded too.
instrumentOnnxRuntime(ort);
instrumentTfjs(tf);

const { start } = require('./app');

start({ use: [metrics()] }).catch((error) => {
  console.error(error);
  process.exit(1);
});
