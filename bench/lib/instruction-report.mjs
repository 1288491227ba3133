// Figures, tables and target checks of the instruction-count mode (bench/instructions.mjs).

const int = (v) => (v === undefined || !Number.isFinite(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const signed = (v) => (v === undefined || !Number.isFinite(v) ? '—' : `${v >= 0 ? '+' : '−'}${int(Math.abs(v))}`);

/** Targets of issue 10, in instructions per request. */
export const OWN_WORK_LIMIT = 1000;
export const FASTIFY_TOTAL_LIMIT = 3000;

/**
 * The promwire variant the targets use: without default metrics when it was counted. Their
 * samplers run on timers (@prometheus-io/client's event-loop utilization summary: ten
 * observations a second), a cost per second that under valgrind, some fifty times slower
 * per request, would count as per-request work many times over.
 */
export function promwireId(fw) {
  return ['promwire-no-defaults', 'promwire'].find((id) => fw.figures?.[id] !== undefined);
}

/** A run counts when it finished, every request got a 2xx, and `/metrics` showed the traffic. */
export const usable = (r) => r.error === undefined && r.problem === undefined && r.check?.ok === true;

/**
 * Per variant: `{ mean, min, max, runs }` instructions per request over its usable runs,
 * `overhead` (mean − bare's mean) and `overNoop` (mean − no-op's mean).
 */
export function instructionFigures(fw) {
  const figures = {};
  for (const v of fw.variants) {
    const runs = v.runs.filter(usable);
    const values = runs.map((r) => r.perRequest);
    if (values.length === 0) continue;
    const gc = runs.map((r) => r.gcPerRequest).filter((x) => x !== undefined);
    figures[v.id] = {
      mean: values.reduce((s, x) => s + x, 0) / values.length,
      gc: gc.length === runs.length ? gc.reduce((s, x) => s + x, 0) / gc.length : undefined,
      min: Math.min(...values),
      max: Math.max(...values),
      runs: values.length,
    };
  }
  for (const [id, f] of Object.entries(figures)) {
    if (id !== 'bare' && figures.bare !== undefined) f.overhead = f.mean - figures.bare.mean;
    if (id !== 'bare' && id !== 'noop' && figures.noop !== undefined) f.overNoop = f.mean - figures.noop.mean;
  }
  return figures;
}

function checkText(v) {
  const failed = v.runs.find((r) => !usable(r));
  if (failed !== undefined) return `FAILED (run ${failed.run}): ${failed.error ?? failed.problem ?? failed.check?.reason}`;
  const c = v.runs.at(-1)?.check;
  if (c === undefined) return '—';
  return c.kind === 'served' ? `served ${int(c.recorded)}` : `ok ${int(c.recorded)} ≥ ${int(c.expected)}`;
}

/** Rows of one framework's instruction table, header first. */
export function instructionRows(fw) {
  const repeated = fw.variants.some((v) => v.runs.length > 1);
  const header = ['variant', 'instructions/request', 'of which GC', 'overhead vs bare', 'over no-op'];
  if (repeated) header.push('each run', 'spread');
  header.push('/metrics check');
  const rows = [header];
  for (const v of fw.variants) {
    const f = fw.figures?.[v.id];
    const name = v.runs.every(usable) ? v.id : `${v.id} ✗`;
    const overNoop = v.id === promwireId(fw) && f?.overNoop !== undefined ? `${signed(f.overNoop)} (own work)` : signed(f?.overNoop);
    const overhead = f?.overhead === undefined ? '—' : `${signed(f.overhead)} (${((f.overhead / fw.figures.bare.mean) * 100).toFixed(1)} %)`;
    const row = [name, int(f?.mean), int(f?.gc), v.id === 'bare' ? '—' : overhead, v.id === 'bare' || v.id === 'noop' ? '—' : overNoop];
    if (repeated) {
      row.push(v.runs.map((r) => (r.perRequest === undefined ? '✗' : `${int(r.perRequest)}${r.gcPerRequest === undefined ? '' : ` (GC ${int(r.gcPerRequest)})`}`)).join(' · '));
      row.push(f === undefined || f.runs < 2 ? '—' : `${int(f.max - f.min)} (${(((f.max - f.min) / f.mean) * 100).toFixed(2)} %)`);
    }
    row.push(checkText(v));
    rows.push(row);
  }
  return rows;
}

/** The issue's instruction targets on this run's means; each `{ text, met }`. */
export function instructionTargets(frameworks) {
  const targets = [];
  for (const fw of frameworks) {
    const f = fw.figures ?? {};
    const id = promwireId(fw);
    const p = f[id];
    if (p === undefined) {
      targets.push({ text: `${fw.title}: promwire has no usable count`, met: false });
      continue;
    }
    if (p.overNoop !== undefined) {
      targets.push({
        text: `${fw.title}: promwire's own work (${id} − no-op) ${signed(p.overNoop)} ≤ ${int(OWN_WORK_LIMIT)} instructions/request`,
        met: p.overNoop <= OWN_WORK_LIMIT,
      });
    }
    if (fw.id === 'fastify' && p.overhead !== undefined) {
      targets.push({
        text: `${fw.title}: promwire's total overhead (${id} − bare) ${signed(p.overhead)} < ${int(FASTIFY_TOTAL_LIMIT)} instructions/request`,
        met: p.overhead < FASTIFY_TOTAL_LIMIT,
      });
    }
    if (f.floor?.overhead !== undefined && p.overhead !== undefined) {
      targets.push({
        text: `${fw.title}: ${id} overhead ${signed(p.overhead)} < prom-client floor ${signed(f.floor.overhead)} instructions/request`,
        met: p.overhead < f.floor.overhead,
      });
    }
  }
  return targets;
}
