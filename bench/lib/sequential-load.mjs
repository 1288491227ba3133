// The load of the instruction-count mode: exactly `count` requests `GET /users/<id>` (ids
// cycling over 1..1000), one at a time over one kept-alive connection to 127.0.0.1. A server
// under callgrind runs some fifty times slower than natively, so one connection keeps it busy;
// the same connection serves every load of a server, so no connection set-up or teardown falls
// between two counter reads (`newConnections` says when the server closed it anyway).
import http from 'node:http';

const IDS = 1000;

export class SequentialLoad {
  /** `timeoutMs`: the longest a single answer may take (a server under valgrind is slow). */
  constructor(port, { timeoutMs = 120000, headers = { 'x-tenant': 'acme' } } = {}) {
    this.port = port;
    this.timeoutMs = timeoutMs;
    this.headers = headers;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 1000 });
    this.next = 0;
  }

  /** Sends `count` requests in sequence; answers `{ ok, non2xx, newConnections, seconds }`. */
  async run(count) {
    const started = performance.now();
    let ok = 0;
    let non2xx = 0;
    let newConnections = 0;
    for (let i = 0; i < count; i++) {
      const id = (this.next++ % IDS) + 1;
      const { status, reused } = await this.#get(`/users/${id}`);
      if (!reused) newConnections++;
      if (status >= 200 && status < 300) ok++;
      else non2xx++;
    }
    return { ok, non2xx, newConnections, seconds: (performance.now() - started) / 1000 };
  }

  #get(path) {
    return new Promise((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: this.port, path, agent: this.agent, headers: this.headers },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
          res.on('error', reject);
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`no answer to GET ${path} within ${this.timeoutMs} ms`)));
      req.on('error', reject);
    });
  }

  close() {
    this.agent.destroy();
  }
}
