/**
 * The one record of every function the preload replaced, with its original (OpenTelemetry's
 * `InstrumentationBase` model): patching is idempotent (a function already wrapped by promwire,
 * this copy or another, is left alone) and reversible (`restore`). Wrappers ask `active` before
 * doing anything of their own, so a wrapper an object copied before `restore` (Express copies
 * `handle` into every app it creates) calls straight through afterwards.
 */
const kWrapped = Symbol.for('promwire.auto.wrapped');

interface Patch {
  target: Record<PropertyKey, unknown>;
  name: PropertyKey;
  original: unknown;
  wrapper: unknown;
}

export class Patches {
  private readonly patches: Patch[] = [];
  active = true;

  /**
   * Replaces `target[name]` by `wrap(original)`, once. Answers false (and changes nothing) when
   * it is not a function or already promwire's wrapper.
   */
  wrap<F extends (...args: never[]) => unknown>(target: object, name: PropertyKey, wrap: (original: F) => F): boolean {
    const record = target as Record<PropertyKey, unknown>;
    const original = record[name];
    if (typeof original !== 'function' || (original as { [kWrapped]?: boolean })[kWrapped] === true) return false;
    const wrapper = wrap(original as F);
    Object.defineProperty(wrapper, kWrapped, { value: true });
    Object.defineProperty(wrapper, 'name', { value: (original as { name: string }).name, configurable: true });
    Object.defineProperty(wrapper, 'length', { value: (original as { length: number }).length, configurable: true });
    record[name] = wrapper;
    this.patches.push({ target: record, name, original, wrapper });
    return true;
  }

  /** Puts every original back, last patched first; a function someone wrapped over ours stays, calling through. */
  restore(): void {
    this.active = false;
    for (const patch of this.patches.splice(0).reverse()) {
      if (patch.target[patch.name] === patch.wrapper) patch.target[patch.name] = patch.original;
    }
  }
}
