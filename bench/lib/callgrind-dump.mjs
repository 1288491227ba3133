// Reads a callgrind dump: instructions per function (self), and per call edge (inclusive cost
// of the callee as called from the caller). Code without a symbol (V8's JIT code) is named from
// a perf map (`node --perf-basic-prof` writes /tmp/perf-<pid>.map: `start size name` per line).
import { existsSync, readFileSync } from 'node:fs';

/** A lookup from a code address to the name of the JIT code around it. */
export function perfMap(file) {
  if (file === undefined || !existsSync(file)) return () => undefined;
  const entries = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, seq) => {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m !== null) entries.push({ start: parseInt(m[1], 16), end: parseInt(m[1], 16) + parseInt(m[2], 16), name: m[3], seq });
  });
  entries.sort((a, b) => a.start - b.start || a.seq - b.seq);
  return (address) => {
    let lo = 0;
    let hi = entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (entries[mid].start <= address) lo = mid + 1;
      else hi = mid - 1;
    }
    // Code space is reused: the latest entry that covers the address names it.
    let best;
    for (let i = hi; i >= 0 && i > hi - 256; i--) {
      const e = entries[i];
      if (e.start <= address && address < e.end && (best === undefined || e.seq > best.seq)) best = e;
    }
    return best?.name;
  };
}

/**
 * `{ total, self: Map(name → Ir), calls: Map(caller → Map(callee → Ir)) }` of one dump.
 * Functions callgrind could not name (`0x…`) are named `JIT <perf map name>`; callgrind's
 * context suffixes (`'2`) are dropped, so recursion levels add up.
 */
export function readDump(file, lookup = () => undefined) {
  const names = new Map();
  const expand = (text) => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(text);
    if (m === null) return text;
    if (m[2] !== undefined) names.set(m[1], m[2]);
    return names.get(m[1]);
  };
  const cache = new Map();
  const nameOf = (raw) => {
    let name = cache.get(raw);
    if (name === undefined) {
      const bare = raw.replace(/'\d+$/, '');
      const m = /^0x([0-9a-f]+)$/.exec(bare);
      name = m === null ? bare : `JIT ${lookup(parseInt(m[1], 16)) ?? 'unknown'}`;
      cache.set(raw, name);
    }
    return name;
  };
  const self = new Map();
  const calls = new Map();
  let total = 0;
  let fn;
  let callee;
  let afterCalls = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('fn=')) {
      fn = nameOf(expand(line.slice(3)));
      afterCalls = false;
    } else if (line.startsWith('cfn=')) {
      callee = nameOf(expand(line.slice(4)));
    } else if (line.startsWith('calls=')) {
      afterCalls = true;
    } else if (fn !== undefined && /^[+\-*]?\d/.test(line)) {
      const cost = Number(line.trim().split(/\s+/)[1] ?? 0);
      if (afterCalls) {
        afterCalls = false;
        if (!calls.has(fn)) calls.set(fn, new Map());
        const edges = calls.get(fn);
        edges.set(callee, (edges.get(callee) ?? 0) + cost);
      } else {
        self.set(fn, (self.get(fn) ?? 0) + cost);
        total += cost;
      }
    }
  }
  return { total, self, calls };
}

/**
 * V8's garbage collector: scavenges, full GCs, incremental marking steps and tasks, the
 * marking write barrier, sweeping. Everything these call is part of them.
 */
const GC = new RegExp(
  '^v8::internal::(Heap::(CollectGarbage|CollectAllGarbage|PerformGarbageCollection|StartIncrementalMarking|FinalizeIncrementalMarking)' +
    '|IncrementalMarking(Job)?::|MinorGCJob::|ScavengeJob::|Scavenger|MarkCompactCollector::|MinorMarkCompactCollector::|ConcurrentMarking::' +
    '|MarkingBarrier::|WriteBarrier::MarkingSlow|Sweeper::|ScavengerCollector::|GCTracer::)',
);
export const isGc = (name) => GC.test(name);

/**
 * Instructions spent in garbage collection: the cost of every call from outside the
 * collector into it (a call's cost includes everything it calls).
 */
export function gcInstructions({ calls }) {
  let gc = 0;
  for (const [caller, edges] of calls) {
    if (isGc(caller)) continue;
    for (const [callee, cost] of edges) if (isGc(callee)) gc += cost;
  }
  return gc;
}
