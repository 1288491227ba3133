'use strict';
// A minimal ONNX writer: encodes a ModelProto (onnx.proto, the fields used here) with a
// hand-written protobuf encoder, so the repository builds its models from code. Float tensors
// are stored as raw little-endian float32 bytes; inputs and outputs are float32 tensors (or
// int64, with `type: 'int64'`) whose dimensions are numbers or names (a name such as 'N' is a
// dynamic dimension).

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const FLOAT = 1; // TensorProto.DataType.FLOAT
const ELEMENT_TYPES = { float32: FLOAT, int64: 7 }; // TensorProto.DataType

function varint(n) {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint out of range: ${n}`);
  const out = [];
  while (n > 127) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

const key = (field, wire) => varint(field * 8 + wire);
const int = (field, n) => Buffer.concat([key(field, WIRE_VARINT), varint(n)]);
const bytes = (field, payload) => Buffer.concat([key(field, WIRE_BYTES), varint(payload.length), payload]);
const string = (field, s) => bytes(field, Buffer.from(s, 'utf8'));
const message = (field, parts) => bytes(field, Buffer.concat(parts));

/** TensorProto: a named float32 tensor of shape `dims` holding `values` (row-major). */
function tensor(field, name, dims, values) {
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new RangeError(`${name}: ${values.length} values for dims [${dims}]`);
  const raw = Buffer.alloc(count * 4);
  values.forEach((v, i) => raw.writeFloatLE(v, i * 4));
  return message(field, [...dims.map((d) => int(1, d)), int(2, FLOAT), string(8, name), bytes(9, raw)]);
}

/** ValueInfoProto of a tensor: TypeProto.tensor_type { elem_type, shape { dim … } }. */
function valueInfo(field, { name, dims, type = 'float32' }) {
  const elemType = ELEMENT_TYPES[type];
  if (elemType === undefined) throw new RangeError(`${name}: unsupported type ${type}`);
  const shape = dims.map((d) => message(1, [typeof d === 'number' ? int(1, d) : string(2, d)]));
  return message(field, [string(1, name), message(2, [message(1, [int(1, elemType), message(2, shape)])])]);
}

/** NodeProto: `op` reading `inputs`, writing `outputs`. */
function node(spec) {
  return message(1, [
    ...spec.inputs.map((i) => string(1, i)),
    ...spec.outputs.map((o) => string(2, o)),
    string(3, spec.name ?? spec.outputs[0]),
    string(4, spec.op),
  ]);
}

/**
 * The bytes of an ONNX model (IR version 8, default opset 13).
 * `spec`: { name, inputs: [{ name, dims }], outputs: [{ name, dims }],
 *           initializers: [{ name, dims, values }], nodes: [{ op, inputs, outputs, name? }] }
 */
function buildOnnxModel(spec) {
  const graph = [
    ...spec.nodes.map(node),
    string(2, spec.name),
    ...spec.initializers.map((t) => tensor(5, t.name, t.dims, t.values)),
    ...spec.inputs.map((v) => valueInfo(11, v)),
    ...spec.outputs.map((v) => valueInfo(12, v)),
  ];
  return new Uint8Array(Buffer.concat([
    int(1, 8), // ir_version
    string(2, 'promwire-examples'), // producer_name
    message(7, graph),
    message(8, [int(2, 13)]), // opset_import { domain: '', version: 13 }
  ]));
}

module.exports = { buildOnnxModel };
