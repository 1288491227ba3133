export interface OnnxValue {
  name: string;
  /** Numbers, or names for dynamic dimensions ('N'). */
  dims: (number | string)[];
  /** The element type; default 'float32'. */
  type?: 'float32' | 'int64';
}
export interface OnnxInitializer {
  name: string;
  dims: number[];
  values: readonly number[];
}
export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
}
export interface OnnxModelSpec {
  name: string;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  initializers: OnnxInitializer[];
  nodes: OnnxNode[];
}
/** The bytes of an ONNX model (IR version 8, default opset 13). */
export function buildOnnxModel(spec: OnnxModelSpec): Uint8Array;
