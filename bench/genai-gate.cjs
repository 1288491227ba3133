// Instructions a request that is not a GenAI route pays for the GenAI metrics: the lifecycle's
// one test (`GenAiTracker.mayMatch`, then `tapGenAi` only when it passes), called N times on
// non-GenAI paths, against a no-op function of the same shape. Count both under callgrind and
// divide the difference by N:
//
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/g.out node --single-threaded bench/genai-gate.cjs noop 5000000
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/g.out node --single-threaded bench/genai-gate.cjs gate 5000000
//
// (the "Collected" line of each; build @promwire/core first). A third argument `mixed` puts
// `/v1/models` (which passes the first test and tries every route) among the paths.
const { tapGenAi } = require('../packages/core/dist/genai/response-tap.js');
const { GenAiTracker } = require('../packages/core/dist/genai/tracker.js');
const { resolveGenAiOptions } = require('../packages/core/dist/genai/options.js');

const tracker = new GenAiTracker('bench', resolveGenAiOptions('bench', undefined), null, '', 1000, undefined);
const urls = process.argv[4] === 'mixed'
  ? ['/users/123', '/api/v1/items?x=1', '/health', '/v1/models']
  : ['/users/123', '/api/v1/items?x=1', '/health', '/orders/7/items'];
const res = {};
const state = {};
let sink = 0;
function noop(t, s, u) {
  sink += u.length;
}
function gate(t, s, u, r, k) {
  if (t.mayMatch(u)) tapGenAi(t, s, u, r, k);
}
const f = process.argv[2] === 'gate' ? gate : noop;
const n = Number(process.argv[3] ?? 1000000);
for (let i = 0; i < 200000; i++) f(tracker, state, urls[i & 3], res, false); // JIT warm-up, in both
for (let i = 0; i < n; i++) f(tracker, state, urls[i & 3], res, false);
if (sink < 0) console.log(sink);
