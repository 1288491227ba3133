// The load generator: a long-lived process (pinned to its own CPU by run.mjs) that runs one
// autocannon load per `run` message over IPC and answers its counts. Requests cycle over
// `GET /users/1` … `/users/1000`. Every load is bounded by a request count (`amount`) and by
// `maxSeconds`, after which it is stopped and reported as cut short.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

const IDS = 1000;
const requests = Array.from({ length: IDS }, (_, i) => ({ method: 'GET', path: `/users/${i + 1}` }));

function run({ port, amount, connections, maxSeconds }) {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const cpuStart = process.cpuUsage();
    const startedAt = performance.now();
    let lastResponseAt = startedAt;
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        pipelining: 1,
        amount,
        timeout: 10,
        // autocannon notices the end of an `amount` at its next sample tick; keep that short.
        sampleInt: 20,
        headers: { 'x-tenant': 'acme' },
        requests,
      },
      (error, result) => {
        clearTimeout(timer);
        if (error) return reject(error);
        // Up to the last response, not autocannon's own finish time (which waits for a tick).
        const elapsed = (lastResponseAt - startedAt) / 1000;
        const cpu = process.cpuUsage(cpuStart);
        const responses = result['2xx'] + result.non2xx;
        resolve({
          ok: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          seconds: elapsed,
          rps: responses / elapsed,
          latencyP50: result.latency.p50,
          latencyP99: result.latency.p99,
          timedOut,
          // Share of one CPU the load generator used: near 1 means it, not the server, set the pace.
          loadCpuShare: (cpu.user + cpu.system) / 1e6 / elapsed,
        });
      },
    );
    instance.on('response', () => {
      lastResponseAt = performance.now();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      instance.stop();
    }, maxSeconds * 1000);
  });
}

process.on('message', async (message) => {
  if (message.type === 'exit') process.exit(0);
  if (message.type !== 'run') return;
  try {
    process.send({ type: 'result', id: message.id, result: await run(message) });
  } catch (error) {
    process.send({ type: 'result', id: message.id, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
