// The frameworks the benchmark knows, and which of them can run here: a framework runs when
// its promwire adapter has a built dist/ and the framework itself resolves.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const FRAMEWORKS = ['express', 'fastify', 'koa', 'nestjs'];

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(new URL('../package.json', import.meta.url));

export function loadFramework(id) {
  if (!FRAMEWORKS.includes(id)) throw new Error(`unknown framework ${id}`);
  return import(`../variants/${id}.mjs`);
}

/** Why `id` cannot run here, or undefined when it can. */
export function unavailable(id, framework) {
  const dir = framework.promwirePackage.replace('@promwire/', '');
  if (!existsSync(`${ROOT}packages/${dir}/dist/index.js`)) return `packages/${dir} has no built dist/`;
  for (const name of [framework.frameworkPackage, ...(framework.requires ?? [])]) {
    try {
      require.resolve(name);
    } catch {
      return `${name} is not installed`;
    }
  }
  return undefined;
}

/** The installed version of `name` as this workspace resolves it, or undefined. */
export function versionOf(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    // Packages whose exports hide package.json: walk up from the entry point.
    try {
      let dir = require.resolve(name);
      for (let i = 0; i < 6; i++) {
        dir = dir.slice(0, dir.lastIndexOf('/'));
        const file = `${dir}/package.json`;
        if (existsSync(file)) {
          const pkg = require(file);
          if (pkg.name === name) return pkg.version;
        }
      }
    } catch {
      return undefined;
    }
    return undefined;
  }
}
