/**
 * @jest-environment ./packages/ml/test/environment.js
 */
/**
 * The example's language model: the committed model files are what scripts/build-models.js
 * builds from the code and the corpus (so they cannot drift), and generation is real, seeded
 * computation with onnxruntime-node, one `session.run` per generated token.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { EOS, V, charlmOnnx, encode, logProbabilities } from '../../examples/ml-inference/model/charlm';
import { EXAMPLE } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { modelFiles } = require('../../examples/ml-inference/scripts/build-models.js') as { modelFiles(): Promise<Record<string, Buffer>> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Generator } = require('../../examples/ml-inference/openai/generator.js') as {
  Generator: new (o: typeof ort, s: ort.InferenceSession) => {
    generate(prompt: number[], o: { maxTokens: number; temperature: number; seed: number }): AsyncGenerator<string, { finishReason: string; tokens: number }>;
    embed(ids: number[]): Promise<number[]>;
  };
};

jest.setTimeout(60000);

test('every committed model file is what scripts/build-models.js writes', async () => {
  const files = await modelFiles();
  expect(Object.keys(files).sort()).toEqual(['charlm.onnx', 'iris.onnx', 'iris/model.json', 'iris/weights.bin']);
  for (const [name, content] of Object.entries(files)) expect(readFileSync(join(EXAMPLE, 'model', name)).equals(content)).toBe(true);
  expect(Buffer.from(charlmOnnx()).equals(files['charlm.onnx']!)).toBe(true);
});

test('the distributions are normalised and follow the corpus', () => {
  const logs = logProbabilities();
  expect(logs).toHaveLength(V * V * V);
  for (const [a, b] of [[EOS, EOS], [encode('t')[0]!, encode('h')[0]!], [encode('q')[0]!, encode('x')[0]!]]) {
    const row = logs.slice((a! * V + b!) * V, (a! * V + b!) * V + V).map(Math.exp);
    expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
  }
  // After "th", "e" is the likeliest next letter in the corpus.
  const th = (encode('t')[0]! * V + encode('h')[0]!) * V;
  const row = logs.slice(th, th + V);
  expect(row.indexOf(Math.max(...row))).toBe(encode('e')[0]);
});

describe('generation with onnxruntime-node', () => {
  let session: ort.InferenceSession;
  let runs = 0;
  let generator: InstanceType<typeof Generator>;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(join(EXAMPLE, 'model/charlm.onnx'));
    const run = session.run.bind(session);
    // Counts the calls (the tests generate one reply at a time), passing each through unchanged.
    Object.defineProperty(session, 'run', { value: (...args: Parameters<typeof run>) => (runs++, run(...args)) });
    generator = new Generator(ort, session);
  });
  afterAll(async () => {
    await session?.release();
  });

  async function generate(prompt: string, options: { maxTokens: number; temperature: number; seed: number }) {
    runs = 0;
    const it = generator.generate([EOS, ...encode(prompt), EOS], options);
    let text = '';
    let step: IteratorResult<string, { finishReason: string; tokens: number }>;
    while (!(step = await it.next()).done) text += step.value;
    return { text, ...step.value, runs };
  }

  test('the same seed gives the same text; another seed another; one run per token', async () => {
    const options = { maxTokens: 200, temperature: 1, seed: 42 };
    const first = await generate('the river', options);
    expect(await generate('the river', options)).toEqual(first);
    expect(first.runs).toBe(first.tokens);
    expect(first.tokens).toBe(first.text.length + (first.finishReason === 'stop' ? 1 : 0));
    const others = [];
    for (const seed of [1, 2, 3]) others.push(await generate('the river', { ...options, seed }));
    expect(new Set([first.text, ...others.map((o) => o.text)]).size).toBe(4);
    for (const o of others) expect(o.runs).toBe(o.tokens);
  });

  test('max_tokens ends with "length"; the end token with "stop"; temperature 0 is greedy and ignores the seed', async () => {
    const short = await generate('the river', { maxTokens: 3, temperature: 1, seed: 5 });
    expect(short).toMatchObject({ finishReason: 'length', tokens: 3, runs: 3 });
    expect(short.text).toHaveLength(3);
    const stopped = await generate('a', { maxTokens: 1024, temperature: 1, seed: 6 });
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.runs).toBe(stopped.tokens);
    const greedy = [await generate('count the errors', { maxTokens: 50, temperature: 0, seed: 1 }), await generate('count the errors', { maxTokens: 50, temperature: 0, seed: 2 })];
    expect(greedy[0]).toEqual(greedy[1]);
  });

  test('embeddings are unit vectors of the vocabulary\'s size; similar texts are closer', async () => {
    const [a, b, c] = await Promise.all(['the sea is grey', 'the sea is blue', 'xq zv!'].map((t) => generator.embed(encode(t))));
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(a).toHaveLength(V);
    expect(dot(a!, a!)).toBeCloseTo(1, 9);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
  });
});
