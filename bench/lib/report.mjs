// The result tables (terminal and Markdown) and the target checks, from the raw results.

const num = (v, digits = 1) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const int = (v) => (v === undefined || !Number.isFinite(v) ? '—' : Math.round(v).toLocaleString('en-US'));

/** `median (min…max)` of a summary. */
export function range(s, digits = 1) {
  if (s === undefined) return '—';
  if (s.n === 1) return num(s.median, digits);
  return `${num(s.median, digits)} (${num(s.min, digits)}…${num(s.max, digits)})`;
}

function checkText(variant) {
  const c = variant.check;
  if (variant.startError !== undefined) return 'did not start';
  if (c === undefined) return '—';
  if (!c.ok) return `FAILED: ${c.reason}`;
  return c.kind === 'served' ? `served ${int(c.recorded)}` : `ok ${int(c.recorded)} ≥ ${int(c.expected)}`;
}

/**
 * The line above a framework's table: version, request count, rounds, and how busy the bare
 * server was. Below ~90 % of a core the pace was set by the load path, not the server, and the
 * req/s ratios understate the differences; CPU µs/req does not depend on it.
 */
export function frameworkHeading(fw) {
  const share = fw.figures?.bare?.serverCpuShare?.median;
  const load = fw.figures?.bare?.loadCpuShare?.median;
  let text = `${fw.title} ${fw.version}: ${fw.rounds} rounds × ${int(fw.requestsPerMeasurement)} requests per measurement`;
  if (share !== undefined) {
    text += `; bare server used ${Math.round(share * 100)} % of its core, the load generator ${Math.round(load * 100)} % of its own`;
    if (share < 0.9) text += ' (server not saturated: req/s ratios understate the differences)';
  }
  return text;
}

/** Rows of one framework's table: arrays of cells, header first. */
export function frameworkRows(fw) {
  const rows = [['variant', 'CPU µs/req', 'overhead µs', 'over no-op µs', 'req/s ÷ bare', '/metrics check']];
  for (const v of fw.variants) {
    const f = fw.figures?.[v.id];
    const name = v.check?.ok === false || v.startError !== undefined ? `${v.id} ✗` : v.id;
    if (f === undefined || v.startError !== undefined) {
      rows.push([name, '—', '—', '—', '—', checkText(v)]);
      continue;
    }
    rows.push([
      name,
      range(f.cpuPerRequest),
      v.id === 'bare' ? '—' : range(f.overhead),
      v.id === 'bare' || v.id === 'noop' ? '—' : range(f.overVsNoop),
      v.id === 'bare' ? `${int(f.rps?.median)} req/s` : range(f.rpsRatio, 2),
      checkText(v),
    ]);
  }
  return rows;
}

export function textTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(rows, align = []) {
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  const head = `| ${rows[0].map(esc).join(' | ')} |`;
  const sep = `|${rows[0].map((_, i) => (align[i] === 'r' ? '---:' : '---')).join('|')}|`;
  return [head, sep, ...rows.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function expositionRows(results) {
  const rows = [['implementation', 'series', 'serialize ms', 'heap B/series', 'body MB', 'samples']];
  for (const r of results) {
    if (r.error !== undefined) {
      rows.push([r.impl, int(r.series), `failed: ${r.error.split('\n')[0]}`, '—', '—', '—']);
      continue;
    }
    rows.push([r.label, int(r.series), range(r.render), int(r.heapBytesPerSeries), num(r.bodyBytes / 1e6, 1), int(r.samples)]);
  }
  return rows;
}

/** The targets, evaluated on this run's medians; each `{ text, met }` (met undefined: not measurable). */
export function evaluateTargets(frameworks, exposition) {
  const targets = [];
  for (const fw of frameworks) {
    if (fw.figures === undefined) continue;
    const counted = (v) => v.startError === undefined && v.check?.ok !== false && fw.figures[v.id]?.overhead !== undefined;
    const promwire = fw.variants.find((v) => v.id === 'promwire');
    const own = promwire !== undefined && counted(promwire) ? fw.figures.promwire.overhead.median : undefined;
    const peers = fw.variants.filter((v) => v.kind === 'peer' && counted(v));
    const best = peers.map((v) => ({ id: v.id, o: fw.figures[v.id].overhead.median })).sort((a, b) => a.o - b.o)[0];
    const floor = fw.variants.find((v) => v.kind === 'floor' && counted(v));
    const title = fw.title;
    if (own === undefined) {
      targets.push({ text: `${title}: promwire has no valid measurement`, met: false });
      continue;
    }
    if (best !== undefined) {
      targets.push({
        text: `${title}: promwire overhead ${num(own)} µs ≤ ⅓ of best peer (${best.id} ${num(best.o)} µs → limit ${num(best.o / 3)} µs)`,
        met: own <= best.o / 3,
      });
    } else {
      targets.push({ text: `${title}: no peer with a valid measurement to compare with`, met: undefined });
    }
    if (floor !== undefined) {
      const f = fw.figures[floor.id].overhead.median;
      targets.push({ text: `${title}: promwire overhead ${num(own)} µs < prom-client floor ${num(f)} µs`, met: own < f });
    }
    if (fw.id === 'fastify') {
      const d = fw.figures.promwire.overVsNoop?.median;
      targets.push({ text: `${title}: promwire minus no-op ${num(d, 2)} µs ≤ 1 µs`, met: d === undefined ? undefined : d <= 1 });
    }
  }
  const at = (impl, series) => exposition.find((r) => r.impl === impl && r.series === series && r.error === undefined);
  const p = at('promwire', 10000);
  const c = at('prom-client', 10000);
  if (p !== undefined && c !== undefined) {
    targets.push({
      text: `/metrics at 10,000 series: promwire ${num(p.render.median)} ms ≤ prom-client ${num(c.render.median)} ms`,
      met: p.render.median <= c.render.median,
    });
    targets.push({
      text: `heap per series at 10,000: promwire ${int(p.heapBytesPerSeries)} B ≤ prom-client ${int(c.heapBytesPerSeries)} B`,
      met: p.heapBytesPerSeries <= c.heapBytesPerSeries,
    });
  }
  return targets;
}

export function targetLine(t) {
  const mark = t.met === undefined ? 'n/a   ' : t.met ? 'met   ' : 'MISSED';
  return `${mark} ${t.text}`;
}
