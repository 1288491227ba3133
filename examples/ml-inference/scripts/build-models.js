'use strict';
// Writes the example's model files from the code in model/iris.js:
//   model/iris.onnx                     the classifier for onnxruntime-node
//   model/iris/model.json, weights.bin  the same classifier as a TF.js LayersModel, saved by TF.js
//   model/charlm.onnx                   the character-level language model (model/charlm.js)
// Usage: node scripts/build-models.js [outDir]   (default: model/ beside this script)
// With --check, writes nothing and exits 1 when the files in model/ differ from what it would write.
const { mkdirSync, readFileSync, writeFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const tf = require('@tensorflow/tfjs');
const { irisOnnx, irisTfjs } = require('../model/iris');
const { charlmOnnx } = require('../model/charlm');

/** The files, by path relative to the model folder. */
async function modelFiles() {
  const files = { 'iris.onnx': Buffer.from(irisOnnx()), 'charlm.onnx': Buffer.from(charlmOnnx()) };
  const model = irisTfjs(tf);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { modelTopology, weightSpecs, weightData, format, generatedBy, convertedBy } = artifacts;
      const manifest = { format, generatedBy, convertedBy, modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }] };
      files['iris/model.json'] = Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`);
      files['iris/weights.bin'] = Buffer.from(weightData);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return files;
}

async function main() {
  const check = process.argv.includes('--check');
  const outDir = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? join(__dirname, '..', 'model');
  const files = await modelFiles();
  let stale = 0;
  for (const [name, content] of Object.entries(files)) {
    const file = join(outDir, name);
    if (check) {
      if (!existsSync(file) || !readFileSync(file).equals(content)) {
        console.error(`${file} is not what scripts/build-models.js writes; run it and commit the result`);
        stale++;
      }
      continue;
    }
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
    console.log(`wrote ${file} (${content.length} bytes)`);
  }
  if (stale > 0) process.exit(1);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { modelFiles };
