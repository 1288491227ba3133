'use strict';
// Jest's node environment with the typed-array and ArrayBuffer constructors of the process
// itself. onnxruntime-node's native binding creates its output arrays in the process's realm;
// in jest's own sandbox realm, onnxruntime-common's `data instanceof Float32Array` would then
// refuse the runtime's own results. Test files running onnxruntime-node select it with
// `@jest-environment ./packages/ml/test/environment.js`.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array',
  'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class SharedTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArraysEnvironment;
