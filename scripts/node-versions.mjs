// The Node.js versions the test matrix runs on besides the machine's own, and where their
// binaries live. They come from the npm registry's binary packages (node-<platform>-<arch>),
// installed by scripts/setup.mjs into a cache folder outside the repository, so a fresh
// clone reuses them. PROMWIRE_NODE_CACHE overrides the folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The newest release of each line, pinned so a run is repeatable. */
export const NODE_VERSIONS = ['22.23.5', '24.22.3', '26.12.1'];

export const NODE_PACKAGE = `node-${process.platform}-${process.arch}`;

export function nodeCacheDir() {
  return process.env.PROMWIRE_NODE_CACHE || join(homedir(), '.cache', 'promwire');
}

/** The install folder of one version (an npm --prefix). */
export function nodePrefix(version) {
  return join(nodeCacheDir(), `node-${version}`);
}

/** The `node` executable of one version, once installed. */
export function nodeBinary(version) {
  return join(nodePrefix(version), 'node_modules', NODE_PACKAGE, 'bin', 'node');
}
