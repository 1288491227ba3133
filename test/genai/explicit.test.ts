/**
 * examples/ml-inference with promwire's explicit API (server.js: @promwire/express and
 * @promwire/ml), driven by the official `openai` client: tokens, TTFT and TPOT against what the
 * client received and when; the same requests answered byte for byte as by the bare app.
 */
import { checkClientTraffic } from './scenario';
import { type Target, startAll, startScript, transcript } from './support';

jest.setTimeout(120000);

let instrumented: Target;
let bare: Target;
beforeAll(async () => {
  [instrumented, bare] = await startAll(startScript('server.js'), startScript('app.js'));
});
afterAll(async () => {
  await Promise.all([instrumented?.stop(), bare?.stop()]);
});

test('the client receives the same bytes with and without promwire (streamed with and without usage, whole, embeddings, an error)', async () => {
  const [withMetrics, without] = await Promise.all([transcript(instrumented.appUrl), transcript(bare.appUrl)]);
  expect(withMetrics).toEqual(without);
  expect(withMetrics[0]).toMatch(/^data: \{"id":"chatcmpl-00000001",.*"delta":\{"role":"assistant","content":"","refusal":null\}/);
  expect(withMetrics[0]).toMatch(/"choices":\[\],"usage":\{"prompt_tokens":\d+,"completion_tokens":\d+,"total_tokens":\d+\}\}\n\ndata: \[DONE\]\n\n$/);
  expect(withMetrics[1]).not.toMatch(/usage/);
});

test('the openai client against server.js: the metrics equal the usage it received, TTFT and TPOT within its own timings', async () => {
  await checkClientTraffic(instrumented);
});
