/**
 * Zero-code ML metrics: examples/ml-inference's app.js (no promwire code) under
 * `node --require` and `node --import @promwire/auto/register` shows the same inference-runtime
 * metrics as server.js, the same app with promwire's explicit API (`instrumentOnnxRuntime`,
 * `instrumentTfjs`), after the same real inferences on onnxruntime-node and TensorFlow.js.
 * Durations differ from run to run, so they are compared by count; everything else by value.
 */
import type { Exposition, Sample } from '../helpers/exposition';
import { request } from '../helpers/http';
import { type Target, startAll, startPreloaded, startScript } from '../genai/support';

jest.setTimeout(180000);

const FLOWERS = [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5]];
const BODIES = [{ inputs: FLOWERS[0] }, { inputs: [0, 1, 2, 3].map((i) => FLOWERS[i % 3]) }, { inputs: Array.from({ length: 32 }, (_, i) => FLOWERS[i % 3]) }];
const RUNTIMES = { onnx: 'onnxruntime-node', tfjs: 'tfjs' } as const;

/** The same predictions, one after the other, on both runtimes; answers the reply bodies. */
async function traffic(target: Target): Promise<string[]> {
  const bodies: string[] = [];
  for (const runtime of Object.keys(RUNTIMES)) {
    for (const body of BODIES) {
      const reply = await request(`${target.appUrl}/v1/predict?runtime=${runtime}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      expect(reply.status).toBe(200);
      bodies.push(reply.body);
    }
  }
  return bodies;
}

/** The ML series of one scrape, each as `name{labels} value`, durations by count only; sorted. */
function mlSeries(exp: Exposition): string[] {
  const timed = /^ml_(inference|model_load)_duration_seconds_(bucket|sum)$/;
  const show = (s: Sample): string => {
    const labels = Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}="${v}"`).join(',');
    return `${s.name}{${labels}}${timed.test(s.name) ? '' : ` ${s.value}`}`;
  };
  return exp.samples.filter((s) => s.name.startsWith('ml_')).map(show).sort();
}

test.each(['--require', '--import'] as const)('node %s @promwire/auto/register app.js shows the ML metrics server.js shows with the explicit API', async (flag) => {
  const [explicit, preloaded] = await startAll(startScript('server.js'), startPreloaded(flag));
  try {
    const [explicitBodies, preloadedBodies] = await Promise.all([traffic(explicit), traffic(preloaded)]);
    expect(preloadedBodies).toEqual(explicitBodies);

    const [withApi, zeroCode] = await Promise.all([explicit.scrape(), preloaded.scrape()]);
    for (const runtime of Object.values(RUNTIMES)) {
      const where = { model: 'iris', runtime };
      for (const exp of [withApi, zeroCode]) {
        // The classifier loaded once per runtime, then runs of batch 1, 4 and 32 on it.
        expect(exp.value('ml_model_load_duration_seconds_count', { ...where, outcome: 'success' })).toBe(1);
        expect(exp.value('ml_inference_duration_seconds_count', { ...where, outcome: 'success' })).toBe(3);
        expect(exp.value('ml_inference_batch_size_count', where)).toBe(3);
        expect(exp.value('ml_inference_batch_size_sum', where)).toBe(1 + 4 + 32);
        expect(exp.value('ml_inference_batch_size_bucket', { ...where, le: '1' })).toBe(1);
        expect(exp.value('ml_inference_in_flight', where)).toBe(0);
      }
    }
    // Every ML series, the language model's load included, with the same labels and values.
    expect(mlSeries(zeroCode)).toEqual(mlSeries(withApi));
  } finally {
    await Promise.all([explicit.stop(), preloaded.stop()]);
  }
});
