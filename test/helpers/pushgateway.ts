/**
 * A real Pushgateway (Debian's /usr/bin/prometheus-pushgateway) for tests: on a free loopback
 * port, no persistence file, stopped by its pid.
 */
import { freePort, startProcess } from './processes';
import { type Exposition, parseExposition } from './exposition';

export const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';

export interface Pushgateway {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** `host:port`, for a Prometheus scrape job. */
  target: string;
  /** The gateway's own /metrics, parsed. */
  metrics(): Promise<Exposition>;
  /** The samples of group `job` in /metrics, less the gateway's push_time_seconds and push_failure_time_seconds. */
  group(job: string): Promise<Exposition['samples']>;
  stop(): Promise<void>;
}

export async function startPushgateway(): Promise<Pushgateway> {
  const port = await freePort();
  const running = await startProcess(PUSHGATEWAY, [
    `--web.listen-address=127.0.0.1:${port}`,
    '--persistence.file=',
    '--log.level=warn',
  ], undefined);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await running.stop();
      throw new Error(`the Pushgateway did not become ready:\n${running.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const metrics = async (): Promise<Exposition> => parseExposition(await (await fetch(`${url}/metrics`)).text());
  return {
    url,
    target: `127.0.0.1:${port}`,
    metrics,
    async group(job) {
      return (await metrics()).samples.filter(
        (s) => s.labels.job === job && s.name !== 'push_time_seconds' && s.name !== 'push_failure_time_seconds',
      );
    },
    stop: () => running.stop(),
  };
}
