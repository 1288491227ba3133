// The Grafana dashboard (classic JSON model), built on the recording rules where they exist and
// on raw series where a panel needs `instance` (recording rules aggregate it away).
import { budget } from './promql.mjs';
import { records } from './rules.mjs';

/** Grafana 12's dashboard schema; later versions migrate it on load (v42/v43 touch nothing here). */
export const SCHEMA_VERSION = 41;

const DS = { type: 'prometheus', uid: '${datasource}' };

function panel(type, title, targets, { unit, description, w = 8, h = 8, options = {}, custom = {}, min, max } = {}) {
  return {
    type, title, description, datasource: DS, w, h,
    targets: targets.map(([expr, legendFormat, extra = {}], i) => ({
      datasource: DS, refId: String.fromCharCode(65 + i), expr, legendFormat, range: true, ...extra,
    })),
    fieldConfig: { defaults: { unit, custom, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) }, overrides: [] },
    options,
  };
}
const legend = { displayMode: 'list', placement: 'bottom', showLegend: true };
const ts = (title, targets, o = {}) => panel('timeseries', title, targets, {
  ...o, options: { legend, tooltip: { mode: 'multi', sort: 'desc' } }, custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never', ...(o.stack ? { stacking: { mode: 'normal', group: 'A' } } : {}) },
});
const stat = (title, targets, o = {}) => panel('stat', title, targets, {
  h: 5, w: 6, ...o, options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto', justifyMode: 'auto', orientation: 'auto' },
});
const heatmap = (title, expr, o = {}) => panel('heatmap', title, [[expr, '{{le}}', { format: 'heatmap' }]], {
  ...o, options: { calculate: false, cellGap: 1, color: { mode: 'scheme', scheme: 'Oranges', steps: 64 }, yAxis: { unit: 's' }, legend: { show: true }, tooltip: { mode: 'single', yHistogram: true }, rowsFrame: { layout: 'auto' } },
});

function variables(n) {
  const query = (name, label, q, allValue = '.+') => ({
    type: 'query', name, label, datasource: DS, definition: q,
    query: { qryType: 1, query: q, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2, includeAll: true, multi: true, allValue, current: {}, options: [], regex: '', sort: 1, hide: 0,
  });
  return [
    { type: 'datasource', name: 'datasource', label: 'Data source', query: 'prometheus', current: {}, options: [], refresh: 1, regex: '', hide: 0 },
    query('job', 'Job', `label_values(${n.http.requests}, job)`),
    query('instance', 'Instance', `label_values(up{job=~"$job"}, instance)`),
    query('route', 'Route', `label_values(${n.http.requests}{job=~"$job"}, ${n.http.route})`),
  ];
}

function rows(params) {
  const r = records(params);
  const { n } = r;
  const h = n.http;
  const job = 'job=~"$job"';
  const inst = `${job}, instance=~"$instance"`;
  const route = `${job}, ${h.route}=~"$route"`;
  const g = n.genai;
  return [
    ['Service level', [
      stat('Availability (1h)', [[`1 - ${r.jobErrorRatio('1h')}{${job}}`, '{{job}}']], { unit: 'percentunit', description: 'Share of requests not answered 5xx over the last hour.' }),
      stat('Availability budget burn rate (1h)', [[`${r.jobErrorRatio('1h')}{${job}} / ${budget(params.sloAvailability)}`, '{{job}}']], { unit: 'none', description: `1 spends the error budget of the ${params.sloAvailability} objective exactly over the SLO period; the page alert fires at 14.4 (1h/5m) or 6 (6h/30m).` }),
      stat('Latency budget burn rate (1h)', [[`${r.jobSlowRatio('1h')}{${job}} / ${budget(params.sloLatency)}`, '{{job}}']], { unit: 'none', description: `Requests slower than ${params.latencyThreshold}s against the ${params.sloLatency} objective.` }),
      stat('Firing promwire alerts', [[`sum by (alertname, severity) (ALERTS{alertname=~"Promwire.*", alertstate="firing", ${job}})`, '{{alertname}} ({{severity}})']], { unit: 'none' }),
    ]],
    ['Requests (RED per route)', [
      ts('Request rate by route', [[`sum by (${h.route}, ${h.method}) (${r.requests}{${route}})`, `{{${h.method}}} {{${h.route}}}`]], { unit: 'reqps' }),
      ts('Error ratio (5xx) by route', [[`${r.errorRatio}{${route}}`, `{{${h.method}}} {{${h.route}}}`]], { unit: 'percentunit', min: 0 }),
      ts('Status classes', [[`sum by (status_class) (label_replace(${r.requestsByStatus}{${route}}, "status_class", "\${1}xx", "${h.status}", "([1-5])..") )`, '{{status_class}}']], { unit: 'reqps', stack: true }),
      ts('Request rate by instance', [[`sum by (instance) (rate(${h.requests}{${inst}, ${h.route}=~"$route"}[$__rate_interval]))`, '{{instance}}']], { unit: 'reqps', w: 12 }),
      ts('In-flight requests', [[`sum by (${h.method}) (${r.inFlight}{${job}})`, `{{${h.method}}} (all instances)`], [`sum by (instance) (${h.inFlight}{${inst}})`, '{{instance}}']], { unit: 'none', w: 12 }),
    ]],
    ['Latency', [
      ts('Latency p50 / p95 / p99 by route', [[`${r.durationQuantiles}{${route}}`, `p{{quantile}} {{${h.method}}} {{${h.route}}}`]], { unit: 's' }),
      ts('Latency p50 / p95 / p99, selected routes together', ['0.5', '0.95', '0.99'].map((q) => [`histogram_quantile(${q}, sum by (le) (${r.durationBuckets}{${route}}))`, `p${q}`]), { unit: 's' }),
      heatmap('Latency heatmap', `sum by (le) (${r.durationBuckets}{${route}})`),
    ]],
    ['Cardinality and cluster', [
      ts('Label values recorded as __overflow__', [[`sum by (metric, label) (increase(${n.overflow}{${inst}}[$__rate_interval]))`, '{{metric}} {{label}}']], { unit: 'none', w: 12, description: 'Any value here means a label reached maxLabelValues: see PromwireLabelOverflow in docs/operations.md.' }),
      ts('Cluster worker scrape timeouts', [[`sum by (instance) (increase(${n.clusterTimeouts}{${inst}}[$__rate_interval]))`, '{{instance}}']], { unit: 'none', w: 12 }),
    ]],
    ['Process (prom-client default metrics)', [
      ts('CPU (cores)', [[`sum by (instance) (rate(process_cpu_seconds_total{${inst}}[$__rate_interval]))`, '{{instance}}']], { unit: 'none' }),
      ts('Resident memory', [[`process_resident_memory_bytes{${inst}}`, '{{instance}}']], { unit: 'bytes' }),
      ts('Heap used / total', [[`nodejs_heap_size_used_bytes{${inst}}`, 'used {{instance}}'], [`nodejs_heap_size_total_bytes{${inst}}`, 'total {{instance}}']], { unit: 'bytes' }),
      ts('Event loop lag', [[`nodejs_eventloop_lag_p99_seconds{${inst}}`, 'p99 {{instance}}'], [`nodejs_eventloop_lag_seconds{${inst}}`, 'last {{instance}}']], { unit: 's' }),
      ts('GC time per second', [[`sum by (instance, kind) (rate(nodejs_gc_duration_seconds_sum{${inst}}[$__rate_interval]))`, '{{kind}} {{instance}}']], { unit: 'percentunit' }),
      ts('Active handles', [[`nodejs_active_handles_total{${inst}}`, '{{instance}}']], { unit: 'none' }),
    ]],
    ['ML inference', [
      ts('Inferences per second', [[`sum by (model, runtime, outcome) (${r.mlInferences}{${job}})`, '{{model}} {{runtime}} {{outcome}}']], { unit: 'ops' }),
      ts('Inference duration p50 / p95 / p99', [[`${r.mlDurationQuantiles}{${job}}`, 'p{{quantile}} {{model}} {{runtime}}']], { unit: 's' }),
      ts('Inference error ratio', [[`${r.mlErrorRatio}{${job}}`, '{{model}} {{runtime}}']], { unit: 'percentunit', min: 0 }),
      ts('Batch size', [[`${r.mlBatchMean}{${job}}`, 'mean {{model}} {{runtime}}'], [`${r.mlBatchQuantiles}{${job}}`, 'p{{quantile}} {{model}} {{runtime}}']], { unit: 'none' }),
      ts('Inferences in flight', [[`${r.mlInFlight}{${job}}`, '{{model}} {{runtime}}']], { unit: 'none' }),
      ts('Model load time (mean of successful loads)', [[`${r.mlLoadMean}{${job}}`, '{{model}} {{runtime}}']], { unit: 's' }),
    ]],
    ['Generative AI', [
      ts('Tokens per second, input and output', [[`sum by (gen_ai_request_model, gen_ai_token_type) (${r.genaiTokens}{${job}})`, '{{gen_ai_token_type}} {{gen_ai_request_model}}']], { unit: 'none' }),
      ts('Requests per second and error ratio', [[`${r.genaiRequests}{${job}}`, '{{gen_ai_operation_name}} {{gen_ai_request_model}}'], [`${r.genaiErrorRatio}{${job}}`, 'error ratio {{gen_ai_request_model}}']], { unit: 'none' }),
      ts('Time to first token p50 / p95 / p99', [[`${r.genaiTtft}{${job}}`, 'p{{quantile}} {{gen_ai_request_model}}']], { unit: 's' }),
      ts('Time per output token p50 / p95 / p99', [[`${r.genaiTpot}{${job}}`, 'p{{quantile}} {{gen_ai_request_model}}']], { unit: 's' }),
      ts('Finish reasons', [[`sum by (finish_reason) (rate(${g.requests}{${inst}}[$__rate_interval]))`, '{{finish_reason}}']], { unit: 'reqps', stack: true }),
      ts('Requests in flight; streams without usage', [[`${r.genaiInFlight}{${job}}`, 'in flight {{gen_ai_request_model}}'], [`sum by (gen_ai_request_model) (increase(${g.usageMissing}{${inst}}[$__rate_interval]))`, 'no usage {{gen_ai_request_model}}']], { unit: 'none' }),
    ]],
  ];
}

/** Panels laid out on Grafana's 24-column grid, each row header followed by its panels. */
function layout(sections) {
  const panels = [];
  let id = 1;
  let y = 0;
  for (const [title, items] of sections) {
    panels.push({ type: 'row', title, id: id++, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const { w, h, ...p } of items) {
      if (x + w > 24) { y += rowHeight; x = 0; rowHeight = 0; }
      panels.push({ ...p, id: id++, gridPos: { h, w, x, y } });
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return panels;
}

export function dashboard(params) {
  const r = records(params);
  const suffix = [params.naming === 'otel' ? 'otel' : '', params.prefix.replace(/_$/, '')].filter(Boolean).join('-');
  return {
    annotations: { list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }] },
    description: `promwire: RED per route, latency, saturation, process, ML inference and GenAI (${params.naming} naming${params.prefix ? `, prefix ${params.prefix}` : ''}). Needs ops/rules from the same generator.`,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: [],
    panels: layout(rows(params)),
    refresh: '30s',
    schemaVersion: SCHEMA_VERSION,
    tags: ['promwire', 'prometheus', 'nodejs'],
    templating: { list: variables(r.n) },
    time: { from: 'now-1h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    title: `promwire${suffix ? ` (${suffix})` : ''}`,
    uid: `promwire${suffix ? `-${suffix}` : ''}`,
    version: 1,
    weekStart: '',
  };
}
