// The traffic check: scrape a server's `/metrics` and add up the samples of one metric whose
// labels match, to compare with the number of requests the load generator got answers to.

/** Samples of the text exposition: `{ name, labels, value }` per line. */
export function parseExposition(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const labels = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name] = value.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of `check.metric` over samples whose labels include `check.labels`. */
export function countRecorded(text, check) {
  let total = 0;
  let found = false;
  for (const sample of parseExposition(text)) {
    if (sample.name !== check.metric) continue;
    if (!Object.entries(check.labels ?? {}).every(([k, v]) => sample.labels[k] === v)) continue;
    found = true;
    total += sample.value;
  }
  return found ? total : undefined;
}

/** Scrapes `http://127.0.0.1:<port><path>` (within `ms`) and answers `{ recorded }` or `{ error }`. */
export async function scrapeCount(port, check, path = '/metrics', ms = 15000) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(ms) });
    const text = await response.text();
    if (response.status !== 200) return { error: `${path} answered ${response.status}` };
    const recorded = countRecorded(text, check);
    if (recorded === undefined) return { error: `no ${describe(check)} sample in ${path}` };
    return { recorded };
  } catch (error) {
    return { error: `scraping ${path} failed: ${error.message}` };
  }
}

export function describe(check) {
  const labels = Object.entries(check.labels ?? {}).map(([k, v]) => `${k}="${v}"`).join(',');
  return labels === '' ? check.metric : `${check.metric}{${labels}}`;
}
