/** Minimal TF.js surface the builders use; the real module is passed in. */
import type * as tfjs from '@tensorflow/tfjs';

export const CLASSES: readonly ['setosa', 'versicolor', 'virginica'];
export const FEATURES: 4;
/** The iris classifier as ONNX bytes: input `features` [N, 4], output `probabilities` [N, 3]. */
export function irisOnnx(): Uint8Array;
/** A trivial model for overhead measurements: `y = x + 1` on a [N, 4] float input `x`. */
export function addOneOnnx(): Uint8Array;
/** The iris classifier as a TF.js LayersModel named `iris`, built in code with the same weights. */
export function irisTfjs(tf: typeof tfjs): tfjs.Sequential;
/** The iris classifier as TF.js GraphModel artifacts (GraphDef JSON and weights). */
export function irisGraphModelArtifacts(): tfjs.io.ModelArtifacts & { weightSpecs: tfjs.io.WeightsManifestEntry[]; weightData: ArrayBuffer };
