/**
 * Where a module's function can be replaced. `@tensorflow/tfjs` re-exports tfjs-layers and
 * tfjs-converter through getters that cannot be redefined; the function lives on the exports
 * object of the package it comes from, which is where it must be wrapped (the getter then
 * answers the wrapper).
 */

/**
 * The object whose own property `key` can be replaced to change what `moduleObject[key]`
 * answers: `moduleObject` itself when that property is a replaceable data property, else the
 * loaded CommonJS module whose exports hold the same function under `key`. Undefined when none.
 * Only property descriptors are read, so no getter of any module runs.
 */
export function replaceableOwner(moduleObject: object, key: string): object | undefined {
  const own = Object.getOwnPropertyDescriptor(moduleObject, key);
  if (own === undefined) return undefined;
  if ('value' in own && (own.writable === true || own.configurable === true) && !isNamespace(moduleObject)) return moduleObject;
  const value: unknown = (moduleObject as Record<string, unknown>)[key];
  if (typeof value !== 'function') return undefined;
  for (const id of Object.keys(require.cache)) {
    const exports: unknown = require.cache[id]?.exports;
    if (typeof exports !== 'object' || exports === null || exports === moduleObject) continue;
    const found = Object.getOwnPropertyDescriptor(exports, key);
    if (found !== undefined && found.value === value && (found.writable === true || found.configurable === true)) return exports;
  }
  return undefined;
}

/** An ES module namespace object: its properties cannot be redefined. */
function isNamespace(value: object): boolean {
  return Object.prototype.toString.call(value) === '[object Module]';
}
