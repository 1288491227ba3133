// Medians and ranges, and the per-round figures of one framework: each variant against the
// mean of the two bare measurements that surround it in the same round.

export function median(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `{ median, min, max, n }` of `values`, or undefined when there are none. */
export function summary(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length };
}

/**
 * Figures per variant from a framework's measurements (in the order they ran): CPU µs per
 * request, overhead (variant − mean of the surrounding bares), requests/s ÷ the same bares,
 * and the overhead above the no-op variant of the same round.
 */
export function frameworkFigures(measurements, variantIds) {
  const perRound = new Map(); // round → Map(variant → { cpu, overhead, ratio })
  for (let i = 0; i < measurements.length; i++) {
    const m = measurements[i];
    if (m.variant === 'bare' || !m.valid) continue;
    const before = findBare(measurements, i, -1);
    const after = findBare(measurements, i, +1);
    const bares = [before, after].filter((b) => b !== undefined);
    if (bares.length === 0) continue;
    const bareCpu = bares.reduce((s, b) => s + b.cpuPerRequest, 0) / bares.length;
    const bareRps = bares.reduce((s, b) => s + b.rps, 0) / bares.length;
    if (!perRound.has(m.round)) perRound.set(m.round, new Map());
    perRound.get(m.round).set(m.variant, {
      overhead: m.cpuPerRequest - bareCpu,
      ratio: m.rps / bareRps,
    });
  }
  const figures = {};
  for (const id of variantIds) {
    const own = measurements.filter((m) => m.variant === id && m.valid);
    const rounds = [...perRound.values()].map((r) => r.get(id)).filter(Boolean);
    const vsNoop = [...perRound.values()]
      .filter((r) => r.has(id) && r.has('noop') && id !== 'noop')
      .map((r) => r.get(id).overhead - r.get('noop').overhead);
    figures[id] = {
      cpuPerRequest: summary(own.map((m) => m.cpuPerRequest)),
      rps: summary(own.map((m) => m.rps)),
      serverCpuShare: summary(own.map((m) => m.serverCpuShare)),
      loadCpuShare: summary(own.map((m) => m.loadCpuShare)),
      overhead: id === 'bare' ? undefined : summary(rounds.map((r) => r.overhead)),
      rpsRatio: id === 'bare' ? undefined : summary(rounds.map((r) => r.ratio)),
      overVsNoop: summary(vsNoop),
      measurements: own.length,
      invalid: measurements.filter((m) => m.variant === id && !m.valid).length,
    };
  }
  return figures;
}

function findBare(measurements, from, step) {
  const round = measurements[from].round;
  for (let j = from + step; j >= 0 && j < measurements.length; j += step) {
    const m = measurements[j];
    if (m.round !== round) return undefined;
    if (m.variant === 'bare') return m.valid ? m : undefined;
  }
  return undefined;
}
