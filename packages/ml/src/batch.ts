/**
 * Batch sizes read from inference inputs: the first dimension of the first input tensor.
 * Read without copying or converting anything; -1 when there is no such dimension.
 */

/** ONNX Runtime feeds (`{ name: Tensor }`): `dims[0]` of the first feed. */
export function onnxBatchSize(feeds: unknown): number {
  if (typeof feeds !== 'object' || feeds === null) return -1;
  for (const name in feeds) return firstDimension((feeds as Record<string, { dims?: unknown } | null | undefined>)[name]?.dims);
  return -1;
}

/** TF.js inputs (a Tensor, a Tensor[] or a `{ name: Tensor }` map): `shape[0]` of the first tensor. */
export function tfjsBatchSize(inputs: unknown): number {
  if (typeof inputs !== 'object' || inputs === null) return -1;
  if (Array.isArray(inputs)) return tensorBatchSize(inputs[0]);
  const shape = (inputs as { shape?: unknown }).shape;
  if (Array.isArray(shape)) return firstDimension(shape);
  for (const name in inputs) return tensorBatchSize((inputs as Record<string, unknown>)[name]);
  return -1;
}

function tensorBatchSize(tensor: unknown): number {
  return typeof tensor === 'object' && tensor !== null ? firstDimension((tensor as { shape?: unknown }).shape) : -1;
}

function firstDimension(dims: unknown): number {
  if (!Array.isArray(dims) || dims.length === 0) return -1;
  const first: unknown = dims[0];
  return typeof first === 'number' && Number.isInteger(first) && first >= 0 ? first : -1;
}
