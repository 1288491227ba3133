'use strict';
// Runs the character-level language model (model/charlm.js) with onnxruntime-node: a prompt is
// read in one batched `session.run` (a row per prompt position, the last row giving the first
// generated token), then each further token takes one `session.run` on the last two tokens.
// Sampling draws from the model's distribution with a seeded PRNG, so a seed fixes the output.
const { EOS, V, encode, decode, contextOf } = require('../model/charlm');

/** Most tokens one reply may generate. */
const MAX_TOKENS_LIMIT = 1024;

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence in [0, 1). */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The index drawn from `probabilities` (row `row` of an [N, V] tensor) by `random()`, or the most likely with `greedy`. */
function pick(probabilities, row, random, greedy) {
  const p = probabilities.subarray(row * V, (row + 1) * V);
  if (greedy) return p.indexOf(Math.max(...p));
  let r = random();
  for (let i = 0; i < V; i++) {
    r -= p[i];
    if (r < 0) return i;
  }
  return p.findLastIndex((x) => x > 0); // float rounding left a little of r: the last possible token
}

class Generator {
  /** @param ort onnxruntime-node; @param session the loaded model/charlm.onnx */
  constructor(ort, session) {
    this.ort = ort;
    this.session = session;
  }

  /** One run of the model on the contexts (pairs of the two previous tokens), at `temperature` (0: 1, read greedily). */
  async run(contexts, temperature) {
    const { Tensor } = this.ort;
    const context = new Tensor('int64', BigInt64Array.from(contexts, (c) => BigInt(c)), [contexts.length]);
    const inverse = new Tensor('float32', Float32Array.of(temperature > 0 ? 1 / temperature : 1), [1]);
    const { probabilities } = await this.session.run({ context, inverse_temperature: inverse });
    return probabilities.data;
  }

  /**
   * Generates after the prompt's tokens (`prompt`, non-empty, starting after an end token).
   * Yields each token's text as it is produced ('' for the end token, which ends the reply);
   * returns `{ finishReason: 'stop' | 'length', tokens }`. `shouldStop()` is asked before each
   * run (a client that went away); then it returns `{ finishReason: null }` early.
   */
  async *generate(prompt, { maxTokens, temperature, seed, shouldStop = () => false }) {
    const random = prng(seed);
    const greedy = temperature === 0;
    const contexts = prompt.map((id, i) => contextOf(i > 0 ? prompt[i - 1] : EOS, id));
    let probabilities = await this.run(contexts, temperature);
    let row = contexts.length - 1;
    let [a, b] = [prompt.length > 1 ? prompt.at(-2) : EOS, prompt.at(-1)];
    for (let tokens = 1; ; tokens++) {
      const next = pick(probabilities, row, random, greedy);
      yield decode([next]);
      if (next === EOS) return { finishReason: 'stop', tokens };
      if (tokens >= maxTokens) return { finishReason: 'length', tokens };
      if (shouldStop()) return { finishReason: null, tokens };
      [a, b] = [b, next];
      probabilities = await this.run([contextOf(a, b)], temperature);
      row = 0;
    }
  }

  /** The embedding of `text`'s tokens: the model's next-token distributions averaged over the positions, L2-normalised ([V] numbers). */
  async embed(ids) {
    const probabilities = await this.run(ids.map((id, i) => contextOf(i > 0 ? ids[i - 1] : EOS, id)), 1);
    const mean = new Float64Array(V);
    for (let i = 0; i < probabilities.length; i++) mean[i % V] += probabilities[i] / ids.length;
    const norm = Math.hypot(...mean);
    return Array.from(mean, (x) => x / norm);
  }
}

module.exports = { Generator, MAX_TOKENS_LIMIT, encode, EOS, prng };
