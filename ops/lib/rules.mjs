// The recording and alerting rules, as plain objects (groups of rules), for one set of parameters.
import { names } from './names.mjs';
import { burnWindows, durationSeconds } from './params.mjs';
import { budget, leMatcher, recordName, sel } from './promql.mjs';

export const QUANTILES = ['0.5', '0.95', '0.99'];

/** Record names the dashboard and the alerts use, so both are built from the same strings. */
export function records(params) {
  const n = names(params.naming, params.prefix);
  const h = n.http;
  const w = params.rateWindow;
  const lvl = `job_${h.route}_${h.method}`;
  return {
    n,
    httpLabels: ['job', h.route, h.method],
    requestsByStatus: recordName(`${lvl}_${h.status}`, h.requestsBase, `rate${w}`),
    requests: recordName(lvl, h.requestsBase, `rate${w}`),
    errorRatio: recordName(lvl, `${h.requestsBase}_errors`, `ratio_rate${w}`),
    durationBuckets: recordName(`${lvl}_le`, `${h.duration}_bucket`, `rate${w}`),
    durationQuantiles: recordName(lvl, h.duration, `histogram_quantile_rate${w}`),
    inFlight: recordName(`job_${h.method}`, h.inFlight, 'sum'),
    jobErrorRatio: (win) => recordName('job', `${h.requestsBase}_errors`, `ratio_rate${win}`),
    jobSlowRatio: (win) => recordName('job', `${h.duration}_slow`, `ratio_rate${win}`),
    mlInferences: recordName('job_model_runtime_outcome', `${n.ml.inference}_count`, `rate${w}`),
    mlErrorRatio: recordName('job_model_runtime', `${n.ml.inference}_errors`, `ratio_rate${w}`),
    mlDurationBuckets: recordName('job_model_runtime_le', `${n.ml.inference}_bucket`, `rate${w}`),
    mlDurationQuantiles: recordName('job_model_runtime', n.ml.inference, `histogram_quantile_rate${w}`),
    mlBatchMean: recordName('job_model_runtime', n.ml.batch, `mean_rate${w}`),
    mlBatchQuantiles: recordName('job_model_runtime', n.ml.batch, `histogram_quantile_rate${w}`),
    mlInFlight: recordName('job_model_runtime', n.ml.inFlight, 'sum'),
    mlLoadMean: recordName('job_model_runtime', n.ml.load, 'mean'),
    genaiTokens: recordName('job_model_token_type', n.genai.tokensBase, `rate${w}`),
    genaiRequests: recordName('job_operation_model', n.genai.requestsBase, `rate${w}`),
    genaiErrorRatio: recordName('job_operation_model', `${n.genai.requestsBase}_errors`, `ratio_rate${w}`),
    genaiTtft: recordName('job_model', n.genai.ttft, `histogram_quantile_rate${w}`),
    genaiTpot: recordName('job_model', n.genai.tpot, `histogram_quantile_rate${w}`),
    genaiInFlight: recordName('job_operation_model', n.genai.inFlight, 'sum'),
  };
}

const by = (labels) => `by (${labels.join(', ')})`;
const rec = (record, expr, labels) => ({ record, expr, ...(labels ? { labels } : {}) });

function httpGroup(params, r) {
  const { n, httpLabels } = r;
  const h = n.http;
  const s = (metric, m = []) => sel(metric, m, params.selector);
  const w = params.rateWindow;
  return {
    name: 'promwire-http',
    rules: [
      rec(r.requestsByStatus, `sum ${by([...httpLabels, h.status])} (rate(${s(h.requests)}[${w}]))`),
      rec(r.requests, `sum without (${h.status}) (${r.requestsByStatus})`),
      rec(r.errorRatio,
        `(\n  sum without (${h.status}) (${r.requestsByStatus}{${h.status}=~"5.."})\n  or ${r.requests} * 0\n)\n/ ${r.requests}`),
      rec(r.durationBuckets, `sum ${by([...httpLabels, 'le'])} (rate(${s(`${h.duration}_bucket`)}[${w}]))`),
      ...QUANTILES.map((q) => rec(r.durationQuantiles, `histogram_quantile(${q}, ${r.durationBuckets})`, { quantile: q })),
      rec(r.inFlight, `sum ${by(['job', h.method])} (${s(h.inFlight)})`),
    ],
  };
}

function sloGroup(params, r) {
  const h = r.n.http;
  const s = (metric, m = []) => sel(metric, m, params.selector);
  const windows = [...new Set(burnWindows(params).flatMap((b) => [b.short, b.long]))].sort((a, b) => durationSeconds(a) - durationSeconds(b));
  return {
    name: 'promwire-slo-sli',
    rules: windows.flatMap((win) => {
      const total = `sum by (job) (rate(${s(h.requests)}[${win}]))`;
      const count = `sum by (job) (rate(${s(`${h.duration}_count`)}[${win}]))`;
      return [
        rec(r.jobErrorRatio(win), `(\n  sum by (job) (rate(${s(h.requests, [`${h.status}=~"5.."`])}[${win}]))\n  or ${total} * 0\n)\n/ ${total}`),
        rec(r.jobSlowRatio(win), `1 - (\n  sum by (job) (rate(${s(`${h.duration}_bucket`, [leMatcher(params.latencyThreshold)])}[${win}]))\n  / ${count}\n)`),
      ];
    }),
  };
}

function mlGroup(params, r) {
  const ml = r.n.ml;
  const s = (metric, m = []) => sel(metric, m, params.selector);
  const w = params.rateWindow;
  const mr = ['job', 'model', 'runtime'];
  return {
    name: 'promwire-ml',
    rules: [
      rec(r.mlInferences, `sum ${by([...mr, 'outcome'])} (rate(${s(`${ml.inference}_count`)}[${w}]))`),
      rec(r.mlErrorRatio,
        `(\n  sum without (outcome) (${r.mlInferences}{outcome="error"})\n  or sum without (outcome) (${r.mlInferences}) * 0\n)\n/ sum without (outcome) (${r.mlInferences})`),
      rec(r.mlDurationBuckets, `sum ${by([...mr, 'le'])} (rate(${s(`${ml.inference}_bucket`)}[${w}]))`),
      ...QUANTILES.map((q) => rec(r.mlDurationQuantiles, `histogram_quantile(${q}, ${r.mlDurationBuckets})`, { quantile: q })),
      rec(r.mlBatchMean, `sum ${by(mr)} (rate(${s(`${ml.batch}_sum`)}[${w}]))\n/ sum ${by(mr)} (rate(${s(`${ml.batch}_count`)}[${w}]))`),
      ...['0.5', '0.95'].map((q) => rec(r.mlBatchQuantiles, `histogram_quantile(${q}, sum ${by([...mr, 'le'])} (rate(${s(`${ml.batch}_bucket`)}[${w}])))`, { quantile: q })),
      rec(r.mlInFlight, `sum ${by(mr)} (${s(ml.inFlight)})`),
      // Loads happen once per model: a mean since start, not a rate over a window.
      rec(r.mlLoadMean, `sum ${by(mr)} (${s(`${ml.load}_sum`, ['outcome="success"'])})\n/ sum ${by(mr)} (${s(`${ml.load}_count`, ['outcome="success"'])})`),
    ],
  };
}

function genaiGroup(params, r) {
  const g = r.n.genai;
  const s = (metric, m = []) => sel(metric, m, params.selector);
  const w = params.rateWindow;
  const om = ['job', 'gen_ai_operation_name', 'gen_ai_request_model'];
  const model = ['job', 'gen_ai_request_model'];
  return {
    name: 'promwire-genai',
    rules: [
      rec(r.genaiTokens, `sum ${by([...model, 'gen_ai_token_type'])} (rate(${s(g.tokens)}[${w}]))`),
      rec(r.genaiRequests, `sum ${by(om)} (rate(${s(g.requests)}[${w}]))`),
      rec(r.genaiErrorRatio, `(\n  sum ${by(om)} (rate(${s(g.requests, ['error_type!=""'])}[${w}]))\n  or ${r.genaiRequests} * 0\n)\n/ ${r.genaiRequests}`),
      ...QUANTILES.map((q) => rec(r.genaiTtft, `histogram_quantile(${q}, sum ${by([...model, 'le'])} (rate(${s(`${g.ttft}_bucket`)}[${w}])))`, { quantile: q })),
      ...QUANTILES.map((q) => rec(r.genaiTpot, `histogram_quantile(${q}, sum ${by([...model, 'le'])} (rate(${s(`${g.tpot}_bucket`)}[${w}])))`, { quantile: q })),
      rec(r.genaiInFlight, `sum ${by(om)} (${s(g.inFlight)})`),
    ],
  };
}

export function ruleGroups(params) {
  const r = records(params);
  return [httpGroup(params, r), sloGroup(params, r), mlGroup(params, r), genaiGroup(params, r), ...alertGroups(params, r)];
}

/** A rising counter: an increase within the window, or a series that appeared within it at > 0. */
function rising(metric, labels, window) {
  return `sum ${by(labels)} (increase(${metric}[${window}])) > 0\nor\nsum ${by(labels)} (${metric} unless ${metric} offset ${window}) > 0`;
}

function burnAlerts(params, name, ratio, objective, what) {
  const b = budget(objective);
  const runbook = `${params.runbookUrl}#${name.toLowerCase()}`;
  return ['page', 'ticket'].map((severity) => {
    const windows = burnWindows(params).filter((x) => x.severity === severity);
    const expr = windows
      .map((x) => `(\n  ${ratio(x.long)} > (${x.factor} * ${b})\n  and\n  ${ratio(x.short)} > (${x.factor} * ${b})\n)`)
      .join('\nor\n');
    const label = windows.map((x) => `${x.factor}x over ${x.long}/${x.short}`).join(', ');
    return {
      alert: `${name}${severity === 'page' ? 'Page' : 'Ticket'}`,
      expr,
      labels: { severity, slo: name === 'PromwireAvailabilityBudgetBurn' ? 'availability' : 'latency' },
      annotations: {
        summary: `{{ $labels.job }} burns its ${what} error budget too fast`,
        description: `The ${what} SLO (${objective}) of {{ $labels.job }} burns its error budget at ${label} the sustainable rate. Current ratio of bad requests: {{ $value | humanizePercentage }}.`,
        runbook_url: runbook,
      },
    };
  });
}

function alertGroups(params, r) {
  const n = r.n;
  const s = (metric, m = []) => sel(metric, m, params.selector);
  const win = params.increaseWindow;
  const runbook = (name) => `${params.runbookUrl}#${name.toLowerCase()}`;
  const simple = (alert, expr, severity, summary, description, extra = {}) => ({
    alert, expr, ...extra, labels: { severity }, annotations: { summary, description, runbook_url: runbook(alert) },
  });
  return [
    {
      name: 'promwire-slo-alerts',
      rules: [
        ...burnAlerts(params, 'PromwireAvailabilityBudgetBurn', r.jobErrorRatio, params.sloAvailability, 'availability (5xx)'),
        ...burnAlerts(params, 'PromwireLatencyBudgetBurn', r.jobSlowRatio, params.sloLatency, `latency (slower than ${params.latencyThreshold}s)`),
      ],
    },
    {
      name: 'promwire-health-alerts',
      rules: [
        simple('PromwireTargetDown', `${s('up', [])} == 0`, 'warning',
          '{{ $labels.job }} target {{ $labels.instance }} is down',
          'Prometheus could not scrape {{ $labels.instance }} of {{ $labels.job }} for ' + params.downFor + ': the process is down, or /metrics fails or answers too slowly.',
          { for: params.downFor }),
        simple('PromwireLabelOverflow', rising(s(n.overflow), ['job', 'instance', 'metric', 'label'], win), 'warning',
          'Label {{ $labels.label }} of {{ $labels.metric }} reached maxLabelValues on {{ $labels.instance }}',
          'New values of {{ $labels.label }} are recorded as __overflow__: an unbounded value (raw URL, id, user input) reaches a label, or maxLabelValues is too low.'),
        simple('PromwireClusterWorkerTimeouts', rising(s(n.clusterTimeouts), ['job', 'instance'], win), 'warning',
          'Cluster workers of {{ $labels.instance }} miss the metrics deadline',
          'A worker did not answer the primary in time; its last counters were served. A blocked event loop or an overloaded worker is the usual cause.'),
        simple('PromwireGenAiStreamUsageMissing', rising(s(n.genai.usageMissing), ['job', 'gen_ai_operation_name', 'gen_ai_request_model'], win), 'info',
          'Streams of {{ $labels.gen_ai_request_model }} end without token usage',
          'Streamed responses of {{ $labels.gen_ai_request_model }} ({{ $labels.gen_ai_operation_name }}) carry no usage chunk, so their tokens are not counted. Ask the upstream for usage (OpenAI: stream_options.include_usage).'),
      ],
    },
  ];
}
