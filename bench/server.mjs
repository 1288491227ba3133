// One benchmark server: `node bench/server.mjs <framework> <variant>`, spawned by run.mjs with
// an IPC channel. It listens on 127.0.0.1, reports its port, and measures its own CPU time
// (user + system, all threads) between a `start` and a `stop` message, together with the
// number of `GET /users/:id` requests it answered in that window. The messages themselves
// travel over IPC, not HTTP, so they never touch the framework or the metrics under test.
import { served } from './lib/common.mjs';
import { loadFramework } from './lib/frameworks.mjs';

const [frameworkId, variantId] = process.argv.slice(2);
// The client promwire records into when the run does not choose one: prom-client, the floor's
// and the peers'. (With both installed it would take @prometheus-io/client, which needs Node 22.)
process.env.PROMWIRE_CLIENT ??= 'prom-client';

function send(message) {
  process.send?.(message);
}

try {
  const { variants } = await loadFramework(frameworkId);
  const variant = variants.find((v) => v.id === variantId);
  if (variant === undefined) throw new Error(`unknown variant ${frameworkId}/${variantId}`);
  const port = await variant.start();
  let cpuStart;
  let servedStart = 0;
  process.on('message', (message) => {
    if (message.type === 'start') {
      servedStart = served.count;
      cpuStart = process.cpuUsage();
      send({ type: 'started' });
    } else if (message.type === 'stop') {
      const cpu = process.cpuUsage(cpuStart);
      send({ type: 'stopped', user: cpu.user, system: cpu.system, served: served.count - servedStart });
    } else if (message.type === 'served') {
      send({ type: 'served', served: served.count, memory: process.memoryUsage() });
    } else if (message.type === 'exit') {
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port });
} catch (error) {
  send({ type: 'failed', error: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
}
