'use strict';
// The example's language model: a character-level trigram model over model/corpus.txt (a few KB
// of the repository's own sentences, one a line). Tokens are characters of a fixed vocabulary;
// token 0 is the end of a sentence (it also stands before the first character, as the start).
// The next-character distribution is interpolated from the corpus counts,
//   P(c | a b) = 0.8 · P3(c | a b) + 0.18 · P2(c | b) + 0.02 · P1(c)   (P1 add-one smoothed),
// and its logarithm is stored as one row per two-character context. The ONNX graph looks the rows
// up (Gather), scales them by 1 / temperature (Mul) and normalises them (Softmax):
//   inputs  context [N] int64 (a · V + b for the last two tokens a, b), inverse_temperature [1]
//   output  probabilities [N, V]
// Everything is computed here from the corpus, so the model is the same on every build.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { buildOnnxModel } = require('./onnx');

const EOS = 0;
/** The vocabulary: index → character ('' for the end of a sentence). */
const VOCAB = ['', ' ', ...'abcdefghijklmnopqrstuvwxyz', ...".,;:'?!-"];
const V = VOCAB.length;
const INDEX = new Map(VOCAB.map((c, i) => [c, i]).filter(([c]) => c !== ''));
const SPACE = INDEX.get(' ');
const WEIGHTS = [0.02, 0.18, 0.8]; // unigram, bigram, trigram

/** Token ids of `text`: lower-cased; a character outside the vocabulary reads as a space. */
function encode(text) {
  const ids = [];
  for (const c of text.toLowerCase()) ids.push(INDEX.get(c) ?? SPACE);
  return ids;
}

/** The text of token ids (the end token has none). */
function decode(ids) {
  return ids.map((id) => VOCAB[id]).join('');
}

/** The index of the context row for the last two tokens. */
const contextOf = (a, b) => a * V + b;

function readCorpus() {
  return readFileSync(join(__dirname, 'corpus.txt'), 'utf8').split('\n').filter((line) => line.trim() !== '');
}

/** log P(c | a b) for every context (a, b) and next token c: [V · V × V], row-major. */
function logProbabilities(lines = readCorpus()) {
  const uni = new Float64Array(V);
  const bi = new Float64Array(V * V);
  const tri = new Float64Array(V * V * V);
  for (const line of lines) {
    // Each sentence starts after two end tokens and ends with one.
    const ids = [EOS, EOS, ...encode(line.trim()), EOS];
    for (let i = 2; i < ids.length; i++) {
      uni[ids[i]]++;
      bi[ids[i - 1] * V + ids[i]]++;
      tri[(ids[i - 2] * V + ids[i - 1]) * V + ids[i]]++;
    }
  }
  const total = uni.reduce((a, b) => a + b, 0);
  const p1 = Array.from(uni, (n) => (n + 1) / (total + V));
  const rowSum = (table, row) => table.subarray(row * V, (row + 1) * V).reduce((a, b) => a + b, 0);
  const out = new Array(V * V * V);
  for (let a = 0; a < V; a++) {
    for (let b = 0; b < V; b++) {
      const biTotal = rowSum(bi, b);
      const triTotal = rowSum(tri, a * V + b);
      for (let c = 0; c < V; c++) {
        const p2 = biTotal > 0 ? bi[b * V + c] / biTotal : p1[c];
        const p3 = triTotal > 0 ? tri[(a * V + b) * V + c] / triTotal : p2;
        out[(a * V + b) * V + c] = Math.log(WEIGHTS[0] * p1[c] + WEIGHTS[1] * p2 + WEIGHTS[2] * p3);
      }
    }
  }
  return out;
}

/** The model as ONNX bytes (see the top of this file). */
function charlmOnnx() {
  return buildOnnxModel({
    name: 'charlm',
    inputs: [
      { name: 'context', dims: ['N'], type: 'int64' },
      { name: 'inverse_temperature', dims: [1] },
    ],
    outputs: [{ name: 'probabilities', dims: ['N', V] }],
    initializers: [{ name: 'log_probabilities', dims: [V * V, V], values: logProbabilities() }],
    nodes: [
      { op: 'Gather', inputs: ['log_probabilities', 'context'], outputs: ['logits'] },
      { op: 'Mul', inputs: ['logits', 'inverse_temperature'], outputs: ['scaled'] },
      { op: 'Softmax', inputs: ['scaled'], outputs: ['probabilities'] },
    ],
  });
}

module.exports = { EOS, VOCAB, V, encode, decode, contextOf, logProbabilities, charlmOnnx };
