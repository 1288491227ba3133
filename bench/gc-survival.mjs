// How much of a server's young generation survives V8's scavenges, from V8's own traces. Each
// variant's server (bench/server.mjs) runs with the node flags of the instruction mode plus
// --trace-gc-nvp and --trace-pretenuring-statistics, answers 20,000 sequential requests over one
// kept-alive connection, and exits. Per run: the scavenges and mark-compacts, the median bytes a
// scavenge kept (survived in the new space or promoted) over the second half of the run, and
// the allocation sites V8 decided to tenure (allocate straight in the old generation).
//
//   node bench/gc-survival.mjs nestjs bare,noop,promwire-no-defaults [--runs 3] [--requests 20000]
//
// What a scavenge keeps it copies, and the objects it tenures keep what they point to until a
// mark-compact: this is what the instruction mode's GC column shows, run by run.
import { parseArgs } from 'node:util';
import { spawnNode, nextMessage, stop } from './lib/processes.mjs';
import { SequentialLoad } from './lib/sequential-load.mjs';
import { DEFAULT_NODE_FLAGS } from './instructions.mjs';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '3' }, requests: { type: 'string', default: '20000' } },
});
const [framework, variantList] = positionals;
if (framework === undefined || variantList === undefined) {
  console.error('usage: node bench/gc-survival.mjs <framework> <variant,…> [--runs 3] [--requests 20000]');
  process.exit(2);
}
const runs = Number(values.runs);
const requests = Number(values.requests);

/** One server run, read from the traces V8 printed. */
async function survival(variant) {
  const child = spawnNode('server.mjs', [framework, variant], {
    nodeArgs: [...DEFAULT_NODE_FLAGS, '--trace-gc-nvp', '--trace-pretenuring-statistics'],
    stdio: 'pipe',
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  try {
    const { port } = await nextMessage(child, 'ready', 60000);
    await new SequentialLoad(port).run(requests);
  } finally {
    await stop(child);
  }
  const field = (line, name) => Number(new RegExp(` ${name}=(\\d+)`).exec(line)?.[1] ?? 0);
  const scavenges = log.split('\n').filter((line) => line.includes(' gc=s '));
  const kept = scavenges.slice(scavenges.length >> 1).map((line) => field(line, 'new_space_survived') + field(line, 'promoted'));
  const tenured = new Set(log.match(/AllocationSite\([^)]*\)(?=: \(created, found, ratio\) .*=> tenure$)/gm) ?? []);
  return {
    scavenges: scavenges.length,
    markCompacts: (log.match(/ gc=(?:mc|ms) /g) ?? []).length,
    keptMb: median(kept) / 1e6,
    tenuredSites: tenured.size,
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[sorted.length >> 1];
}

console.log(`${framework}: ${requests} sequential requests per run, ${runs} runs per variant; node ${DEFAULT_NODE_FLAGS.join(' ')} --trace-gc-nvp --trace-pretenuring-statistics`);
console.log('| variant | run | scavenges | mark-compacts | kept per scavenge, MB (median, 2nd half) | sites tenured |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const variant of variantList.split(',')) {
  for (let run = 1; run <= runs; run++) {
    const r = await survival(variant);
    console.log(`| ${variant} | ${run} | ${r.scavenges} | ${r.markCompacts} | ${r.keptMb.toFixed(2)} | ${r.tenuredSites} |`);
  }
}
