// Installs what the demo and the tests need, and nothing that is already there:
// the npm workspaces (npm ci), and for the tests Debian's prometheus,
// prometheus-pushgateway and python3-prometheus-client (apt-get), the Node versions of the test matrix (npm's binary
// packages, into a cache folder: scripts/node-versions.mjs), plus each package's own extra
// test installs.
// Usage: node scripts/setup.mjs [--demo]   (--demo: only what `npm run demo` runs)
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_PACKAGE, NODE_VERSIONS, nodeBinary, nodePrefix } from './node-versions.mjs';

const root = join(import.meta.dirname, '..');
const demoOnly = process.argv.includes('--demo');
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
const run = (cmd, cwd = root) => {
  console.log(`setup: ${cmd}`);
  execSync(cmd, { cwd, stdio: 'inherit', env });
};

const installed = join(root, 'node_modules/.package-lock.json');
const lock = join(root, 'package-lock.json');
// The demo needs only examples/ml-inference and @promwire/auto's workspace packages (about 350 of
// the lock's packages) plus TypeScript to build them; the rest needs every root devDependency.
// A demo-only install therefore never passes for a complete one.
const DEMO = ['examples/ml-inference', 'packages/auto'];
const needed = demoOnly
  ? ['typescript', 'express', 'onnxruntime-node', '@tensorflow/tfjs', 'koa']
  : Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies);
const current = existsSync(installed) && !(existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs)
  && needed.every((name) => existsSync(join(root, 'node_modules', name, 'package.json')));
if (!current && demoOnly && existsSync(lock)) {
  // Install scripts stay off: onnxruntime-node's fetches CUDA libraries the CPU demo does not use.
  const workspaces = `${DEMO.map((w) => `--workspace ${w}`).join(' ')} --include-workspace-root=false --ignore-scripts --no-audit --no-fund`;
  const typescript = JSON.parse(readFileSync(lock, 'utf8')).packages['node_modules/typescript'].version;
  run(`npm ci ${workspaces}`);
  run(`npm install --no-save typescript@${typescript} ${workspaces}`);
} else if (!current) {
  run(existsSync(lock) ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund');
}

if (!demoOnly) {
  // Debian package → a file it installs.
  const debian = {
    prometheus: '/usr/bin/prometheus',
    'prometheus-pushgateway': '/usr/bin/prometheus-pushgateway',
    'python3-prometheus-client': '/usr/lib/python3/dist-packages/prometheus_client/__init__.py',
  };
  const missing = Object.keys(debian).filter((pkg) => !existsSync(debian[pkg]));
  if (missing.length > 0) {
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    run(`${sudo}apt-get update && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(' ')}`);
  }
  // The other Node versions of the test matrix, each into its own prefix in the cache.
  for (const version of NODE_VERSIONS) {
    if (existsSync(nodeBinary(version))) continue;
    mkdirSync(nodePrefix(version), { recursive: true });
    run(`npm install --prefix ${JSON.stringify(nodePrefix(version))} --no-save --no-package-lock --no-audit --no-fund ${NODE_PACKAGE}@${version}`);
    if (!existsSync(nodeBinary(version))) throw new Error(`setup: ${NODE_PACKAGE}@${version} gave no ${nodeBinary(version)}`);
  }
  // A package may need an isolated install for its tests (an older framework major that cannot
  // share the root node_modules); it ships test/*/install.mjs for that.
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const testDir = join(root, 'packages', pkg, 'test');
    if (!existsSync(testDir)) continue;
    for (const sub of readdirSync(testDir)) {
      const script = join(testDir, sub, 'install.mjs');
      if (existsSync(script)) run(`node ${JSON.stringify(script)}`);
    }
  }
}
