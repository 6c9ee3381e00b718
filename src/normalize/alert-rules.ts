/**
 * The built-in alerts and the threshold series they compare against.
 *
 * Fleet scale: thresholds are series, not rules. Each alert is ONE rule for every model or service; it
 * compares the signal against a per-target threshold series (a constant recording rule carrying `model` or
 * `service` and `team` labels), joined by label. Models the config doesn't list fall back to a default
 * series; a disabled threshold simply has no series, so the join finds nothing and the alert can't fire.
 *
 * Identity: a model alert is about the model and a service alert about the service, never about the pod that
 * happens to export the series. Every model alert is aggregated `by (model)` and every service alert
 * `by (service)`, so three replicas give one alert, and gauges are read through `avg_over_time(x[window])`, so
 * a rollout, an eviction or an autoscaler (one pod's series ends, the next one's starts, maybe a scrape or two
 * later) and a failed scrape (which writes staleness markers) leave the alert's series, and its `for` clock,
 * running. What the alerts cannot see is an alert of its own: ServiceUnreachable and ModelMetricsMissing.
 *
 * Every expression is written against the seed's instrumentation (see metric-catalog.ts). Where the seed's
 * own snippets are wrong, the comment on the alert says how and why ours differs.
 */
import type { BuiltinAlertName, Severity } from '../config/types.js';
import { escapeGoTemplate } from '../formats/go-template.js';
import type { AlertingRule, BuiltinAlert, RecordingRule, ResolvedInfrastructure, ResolvedModel, ResolvedModelThresholds, ResolvedService, ResolvedServiceThresholds, ThresholdKey } from './model.js';

export interface AlertSettings {
  readonly severity: Severity;
  readonly for: string;
  readonly window: string;
  readonly enabled: boolean;
}

interface AlertInputs {
  readonly settings: Readonly<Record<BuiltinAlertName, AlertSettings>>;
  readonly infrastructure: ResolvedInfrastructure;
  readonly services: readonly ResolvedService[];
  readonly models: readonly ResolvedModel[];
  readonly defaultTeam: string;
  readonly defaultModelThresholds: ResolvedModelThresholds;
  readonly runbookBaseUrl: string | undefined;
}

/** What the seed ships, and what `alerts.<Name>` in the config overrides. */
export const builtinAlertDefaults: Readonly<Record<BuiltinAlertName, Omit<AlertSettings, 'enabled'>>> = {
  HighCPUUsage: { severity: 'warning', for: '5m', window: '5m' },
  HighMemoryUsage: { severity: 'warning', for: '5m', window: '5m' },
  DiskSpaceLow: { severity: 'critical', for: '5m', window: '5m' },
  ServiceDown: { severity: 'critical', for: '2m', window: '5m' },
  HighErrorRate: { severity: 'critical', for: '5m', window: '5m' },
  HighLatency: { severity: 'warning', for: '5m', window: '5m' },
  LowThroughput: { severity: 'warning', for: '10m', window: '5m' },
  ModelAccuracyDrop: { severity: 'critical', for: '15m', window: '5m' },
  DataDriftDetected: { severity: 'warning', for: '10m', window: '5m' },
  HighInferenceLatency: { severity: 'warning', for: '5m', window: '5m' },
  LowPredictionConfidence: { severity: 'warning', for: '15m', window: '10m' },
  // Absence: `window` is how long without a successful scrape (or a sample) counts as gone, long enough that a
  // lost scrape or a rollout's gap between pods never does; `for` is how long it must then stay gone.
  ServiceUnreachable: { severity: 'critical', for: '3m', window: '2m' },
  ModelMetricsMissing: { severity: 'critical', for: '5m', window: '5m' },
};

/**
 * What each alert is about, for inhibition (check inhibit/mutes-other-things): `identity` are the labels that
 * tell its instances apart as things (the node or scrape target, the service, the model), and `labelSets`
 * the labels its instances carry from the expression (one set per kind of instance), before the rule's own
 * labels and Prometheus' external labels. A filesystem of DiskSpaceLow is part of its node: the node is what
 * it is about.
 */
export const builtinAlertShapes: Readonly<Record<BuiltinAlertName, Pick<BuiltinAlert, 'identity' | 'labelSets'>>> = {
  HighCPUUsage: { identity: ['instance'], labelSets: [['instance', 'team']] },
  HighMemoryUsage: { identity: ['instance'], labelSets: [['instance', 'job', 'team']] },
  DiskSpaceLow: { identity: ['instance'], labelSets: [['device', 'fstype', 'instance', 'job', 'mountpoint', 'team']] },
  // A target of a configured service carries `service` (and its team); Prometheus and node-exporter don't.
  ServiceDown: { identity: ['instance'], labelSets: [['instance', 'job', 'service', 'team'], ['instance', 'job', 'team']] },
  HighErrorRate: { identity: ['service'], labelSets: [['service', 'team']] },
  HighLatency: { identity: ['service'], labelSets: [['service', 'team']] },
  LowThroughput: { identity: ['service'], labelSets: [['service', 'team']] },
  ServiceUnreachable: { identity: ['service'], labelSets: [['service', 'team']] },
  ModelAccuracyDrop: { identity: ['model'], labelSets: [['model', 'team']] },
  DataDriftDetected: { identity: ['model'], labelSets: [['model', 'team']] },
  HighInferenceLatency: { identity: ['model'], labelSets: [['model', 'team']] },
  LowPredictionConfidence: { identity: ['model'], labelSets: [['model', 'team']] },
  // mlmon:model_info's labels: the service that serves the model is there to read, the model is what it is about.
  ModelMetricsMissing: { identity: ['model'], labelSets: [['model', 'service', 'team']] },
};

export const builtinAlertNames = Object.keys(builtinAlertDefaults) as BuiltinAlertName[];

/** Recording rule names of the per-target threshold series. */
export const thresholdSeries = {
  maxErrorRatio: 'mlmon:service_max_error_ratio:threshold',
  maxLatencyP95Seconds: 'mlmon:service_max_latency_p95_seconds:threshold',
  minThroughputRps: 'mlmon:service_min_throughput_rps:threshold',
  minAccuracy: 'mlmon:model_min_accuracy:threshold',
  maxDriftScore: 'mlmon:model_max_drift_score:threshold',
  maxInferenceLatencyP95Seconds: 'mlmon:model_max_inference_latency_p95_seconds:threshold',
  minMeanConfidence: 'mlmon:model_min_mean_confidence:threshold',
} as const satisfies Partial<Record<ThresholdKey, string>>;

/** Listed models, so that the default thresholds apply only to models the config doesn't list. */
export const modelInfoSeries = 'mlmon:model_info';

/** Configured services with their team: what ServiceUnreachable expects to see, and whose team ServiceDown carries. */
export const serviceInfoSeries = 'mlmon:service_info';

/**
 * The model metrics of the seed's instrumentation: a listed model that exports none of them (within the
 * window) is missing. Any one is enough, so a model without, say, a drift detector is not missing.
 */
const modelSignals = ['model_accuracy', 'data_drift_score', 'model_inference_duration_seconds_count', 'prediction_confidence_count', 'predictions_total'];

export function defaultSeriesOf(series: string): string {
  return series.replace(/:threshold$/, ':default_threshold');
}

type Comparison = '>' | '<';

/**
 * `signal <op> threshold` for every model, where the threshold is the model's own series or, for models the
 * config doesn't list, the default series. `presence` is a selector that exists for every model the signal
 * covers; it is how unlisted models are found.
 */
function perModelComparison(signal: string, op: Comparison, series: string, presence: string, hasDefault: boolean): string {
  const threshold = hasDefault
    ? [
        `(`,
        `    ${series}`,
        `  or on (model)`,
        `    (`,
        `      (0 * group by (model) (${presence}) unless on (model) ${modelInfoSeries})`,
        `      + on () group_left (team) ${defaultSeriesOf(series)}`,
        `    )`,
        `)`,
      ].join('\n')
    : series;
  return `${signal}\n  ${op} on (model) group_left (team)\n${indent(threshold, 2)}`;
}

function perServiceComparison(signal: string, op: Comparison, series: string): string {
  return `${signal}\n  ${op} on (service) group_left (team)\n  ${series}`;
}

function indent(text: string, spaces: number): string {
  return text.split('\n').map((line) => ' '.repeat(spaces) + line).join('\n');
}

export function buildBuiltinAlerts(inputs: AlertInputs): BuiltinAlert[] {
  const { settings, infrastructure: infra, runbookBaseUrl } = inputs;
  const alerts: BuiltinAlert[] = [];
  const anyService = (key: keyof ResolvedServiceThresholds) => inputs.services.some((s) => s.thresholds[key] !== false);
  const modelHasDefault = (key: keyof ResolvedModelThresholds) => inputs.defaultModelThresholds[key] !== false;
  const anyModel = (key: keyof ResolvedModelThresholds) => modelHasDefault(key) || inputs.models.some((m) => m.thresholds[key] !== false);

  const add = (
    name: BuiltinAlertName,
    scope: BuiltinAlert['scope'],
    expr: string,
    text: { summary: string; description: string },
    threshold?: BuiltinAlert['threshold'],
    staticLabels: Record<string, string> = {},
  ): void => {
    const s = settings[name];
    if (!s.enabled) return;
    const group = scope === 'infrastructure' ? 'infrastructure' : scope === 'service' ? 'application' : 'ml-models';
    // Prometheus expands every alert label and annotation as a Go template, so a config value (a team name,
    // the runbook URL) is escaped to render as itself; `text` is mlmon's own template.
    const annotations: Record<string, string> = { summary: text.summary, description: text.description };
    if (runbookBaseUrl) annotations.runbook_url = escapeGoTemplate(`${runbookBaseUrl.replace(/\/+$/, '')}/${name}`);
    const rule: AlertingRule = {
      kind: 'alert',
      alert: name,
      expr,
      for: s.for,
      labels: { severity: s.severity, ...Object.fromEntries(Object.entries(staticLabels).map(([k, v]) => [k, escapeGoTemplate(v)])) },
      annotations,
      source: `alerts.${name}`,
    };
    alerts.push({ name, scope, group, severity: s.severity, for: s.for, rule, ...builtinAlertShapes[name], ...(threshold ? { threshold } : {}) });
  };

  const w = (name: BuiltinAlertName) => settings[name].window;
  const t = infra.thresholds;
  const team = { team: infra.team };
  // Memory and disk are gauges: averaged over the window, so one failed scrape of node-exporter (staleness
  // markers) doesn't empty the series and restart `for`, and `alerts.<Name>.window` means what it says.
  // Pseudo-filesystems are never "full" in a way anyone can act on, and tmpfs reports its size as free RAM.
  const realFs = 'fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs"';

  // The seed uses irate(), which only sees the last two samples: one busy scrape pages someone. rate() over
  // the window is what "usage above X% for 5m" means.
  add('HighCPUUsage', 'infrastructure',
    `100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[${w('HighCPUUsage')}]))) > ${t.maxCpuPercent}`,
    { summary: 'High CPU usage on {{ $labels.instance }}', description: `CPU usage is {{ $value | printf "%.1f" }}% on {{ $labels.instance }}, above ${t.maxCpuPercent}%.` },
    { key: 'maxCpuPercent', firesWhen: 'above' }, team);
  add('HighMemoryUsage', 'infrastructure',
    `100 * (1 - avg_over_time(node_memory_MemAvailable_bytes[${w('HighMemoryUsage')}]) / avg_over_time(node_memory_MemTotal_bytes[${w('HighMemoryUsage')}])) > ${t.maxMemoryPercent}`,
    { summary: 'High memory usage on {{ $labels.instance }}', description: `Memory usage is {{ $value | printf "%.1f" }}% on {{ $labels.instance }}, above ${t.maxMemoryPercent}%.` },
    { key: 'maxMemoryPercent', firesWhen: 'above' }, team);
  add('DiskSpaceLow', 'infrastructure',
    `100 * avg_over_time(node_filesystem_avail_bytes{${realFs}}[${w('DiskSpaceLow')}]) / avg_over_time(node_filesystem_size_bytes{${realFs}}[${w('DiskSpaceLow')}]) < ${t.minDiskFreePercent}`,
    { summary: 'Low disk space on {{ $labels.instance }} ({{ $labels.mountpoint }})', description: `Only {{ $value | printf "%.1f" }}% disk space is left on {{ $labels.mountpoint }} of {{ $labels.instance }}, below ${t.minDiskFreePercent}%.` },
    { key: 'minDiskFreePercent', firesWhen: 'below' }, team);
  // A target is owned by the team of the service it belongs to (joined from mlmon:service_info on `service`);
  // a target of no configured service (Prometheus itself, node-exporter, the kubelets) by the infrastructure
  // team. The team is in the expression, not a static label, because a rule's static label would override it.
  add('ServiceDown', 'infrastructure',
    [
      `(up == 0) * on (service) group_left (team) ${serviceInfoSeries}`,
      `  or ignoring (team)`,
      `label_replace(up == 0, "team", ${JSON.stringify(infra.team.replaceAll('$', () => '$$'))}, "", "")`,
    ].join('\n'),
    { summary: 'Target {{ $labels.instance }} of job {{ $labels.job }} is down', description: `Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for more than ${settings.ServiceDown.for}.` });

  // The seed divides rate(http_requests_total{status=~"5.."}) by rate(http_requests_total) series by series:
  // both sides keep `status`, so each 5xx series is divided by itself and the "error rate" is 100% whenever
  // any request fails. Sum both sides by service first.
  if (anyService('maxErrorRatio')) add('HighErrorRate', 'service',
    perServiceComparison(
      `(\n    sum by (service) (rate(http_requests_total{status=~"5.."}[${w('HighErrorRate')}]))\n  /\n    sum by (service) (rate(http_requests_total[${w('HighErrorRate')}]))\n)`,
      '>', thresholdSeries.maxErrorRatio),
    { summary: 'High error rate on service {{ $labels.service }}', description: '{{ $value | humanizePercentage }} of requests to {{ $labels.service }} fail with a 5xx status, above its threshold.' },
    { key: 'maxErrorRatio', firesWhen: 'above', series: thresholdSeries.maxErrorRatio });
  // The seed takes a quantile per (method, endpoint, instance) series; the service's p95 needs the buckets
  // summed across them, keeping `le`.
  if (anyService('maxLatencyP95Seconds')) add('HighLatency', 'service',
    perServiceComparison(
      `histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket[${w('HighLatency')}])))`,
      '>', thresholdSeries.maxLatencyP95Seconds),
    { summary: 'High latency on service {{ $labels.service }}', description: 'P95 latency of {{ $labels.service }} is {{ $value | humanizeDuration }}, above its threshold.' },
    { key: 'maxLatencyP95Seconds', firesWhen: 'above', series: thresholdSeries.maxLatencyP95Seconds });
  // The seed compares each (method, endpoint, status) series with the minimum: any rarely used endpoint,
  // or any rare status code, is "low throughput". Throughput is the service's total.
  if (anyService('minThroughputRps')) add('LowThroughput', 'service',
    perServiceComparison(`sum by (service) (rate(http_requests_total[${w('LowThroughput')}]))`, '<', thresholdSeries.minThroughputRps),
    { summary: 'Low throughput on service {{ $labels.service }}', description: 'Service {{ $labels.service }} serves only {{ $value | printf "%.2f" }} requests/s, below its threshold.' },
    { key: 'minThroughputRps', firesWhen: 'below', series: thresholdSeries.minThroughputRps });
  // Absence of a service: no successful scrape of any of its targets within the window, whether none is
  // discovered (scaled to zero, a selector that matches nothing) or every one is down. Both are the same fact
  // about the service (nothing serves it) and get one alert about the service; ServiceDown stays the alert
  // about each target (one crash-looping replica of three), and can't see a service that has no target.
  if (inputs.services.length > 0) add('ServiceUnreachable', 'service',
    `${serviceInfoSeries}\n  unless on (service)\n(max_over_time(up[${w('ServiceUnreachable')}]) == 1)`,
    { summary: 'No target of service {{ $labels.service }} is up', description: `Prometheus has not scraped any target of {{ $labels.service }} successfully for ${w('ServiceUnreachable')} and more: none is discovered (scaled to zero, or a selector that matches nothing), or every one is down. Its alerts can't see it.` });

  // The seed's model alerts read `$labels.model_name`, a label the instrumentation doesn't set (it is
  // `model`), so every summary said "on " with no model. They also hard-coded 85% in the summary.
  //
  // The gauges are averaged over the window per series, then the worst replica is taken: one replica on a
  // broken version, or seeing drifted input, is the model failing for the requests that reach it, and an
  // average across replicas would hide it behind the healthy ones. A replica that is gone still counts for
  // one window, which is what bridges a rollout's gap.
  const accuracy = `min by (model) (avg_over_time(model_accuracy[${w('ModelAccuracyDrop')}]))`;
  if (anyModel('minAccuracy')) add('ModelAccuracyDrop', 'model',
    perModelComparison(accuracy, '<', thresholdSeries.minAccuracy, accuracy, modelHasDefault('minAccuracy')),
    { summary: 'Accuracy of model {{ $labels.model }} dropped below its threshold', description: `Accuracy of {{ $labels.model }} is {{ $value | humanizePercentage }} (its worst replica, averaged over ${w('ModelAccuracyDrop')}).` },
    { key: 'minAccuracy', firesWhen: 'below', series: thresholdSeries.minAccuracy, defaultSeries: defaultSeriesOf(thresholdSeries.minAccuracy) });
  const drift = `max by (model) (avg_over_time(data_drift_score[${w('DataDriftDetected')}]))`;
  if (anyModel('maxDriftScore')) add('DataDriftDetected', 'model',
    perModelComparison(drift, '>', thresholdSeries.maxDriftScore, drift, modelHasDefault('maxDriftScore')),
    { summary: 'Data drift detected on model {{ $labels.model }}', description: `Drift score of {{ $labels.model }} is {{ $value | printf "%.3f" }} (its worst replica, averaged over ${w('DataDriftDetected')}), above its threshold.` },
    { key: 'maxDriftScore', firesWhen: 'above', series: thresholdSeries.maxDriftScore, defaultSeries: defaultSeriesOf(thresholdSeries.maxDriftScore) });
  if (anyModel('maxInferenceLatencyP95Seconds')) add('HighInferenceLatency', 'model',
    perModelComparison(
      `histogram_quantile(0.95, sum by (model, le) (rate(model_inference_duration_seconds_bucket[${w('HighInferenceLatency')}])))`,
      '>', thresholdSeries.maxInferenceLatencyP95Seconds, `present_over_time(model_inference_duration_seconds_count[${w('HighInferenceLatency')}])`, modelHasDefault('maxInferenceLatencyP95Seconds')),
    { summary: 'High inference latency on model {{ $labels.model }}', description: 'P95 inference latency of {{ $labels.model }} is {{ $value | humanizeDuration }}, above its threshold.' },
    { key: 'maxInferenceLatencyP95Seconds', firesWhen: 'above', series: thresholdSeries.maxInferenceLatencyP95Seconds, defaultSeries: defaultSeriesOf(thresholdSeries.maxInferenceLatencyP95Seconds) });
  // The seed's avg_over_time(prediction_confidence[10m]) can never fire: prediction_confidence is a
  // histogram, so no series has that bare name (only _bucket, _sum and _count). The mean confidence over
  // the window is rate(_sum) / rate(_count).
  const cw = w('LowPredictionConfidence');
  if (anyModel('minMeanConfidence')) add('LowPredictionConfidence', 'model',
    perModelComparison(
      `(\n    sum by (model) (rate(prediction_confidence_sum[${cw}]))\n  /\n    sum by (model) (rate(prediction_confidence_count[${cw}]))\n)`,
      '<', thresholdSeries.minMeanConfidence, `present_over_time(prediction_confidence_count[${cw}])`, modelHasDefault('minMeanConfidence')),
    { summary: 'Low prediction confidence on model {{ $labels.model }}', description: 'Mean prediction confidence of {{ $labels.model }} is {{ $value | printf "%.3f" }}, below its threshold.' },
    { key: 'minMeanConfidence', firesWhen: 'below', series: thresholdSeries.minMeanConfidence, defaultSeries: defaultSeriesOf(thresholdSeries.minMeanConfidence) });
  // Absence of a listed model: none of its metrics within the window (its service is gone, or serves it no
  // more). Only listed models can be missed; a model no config lists is known only by its metrics.
  const mw = w('ModelMetricsMissing');
  if (inputs.models.length > 0) add('ModelMetricsMissing', 'model',
    `${modelInfoSeries}\n  unless on (model)\n(\n${modelSignals.map((m) => `  present_over_time(${m}[${mw}])`).join('\nor\n')}\n)`,
    { summary: 'Model {{ $labels.model }} reports no metrics', description: `No metric of {{ $labels.model }} (served by {{ $labels.service }}) has been scraped for ${mw} and more: its alerts can't see it.` });

  return alerts;
}

/** The constant series the alerts join against: one per listed target and enabled threshold. */
export function buildThresholdRules(inputs: Pick<AlertInputs, 'services' | 'models' | 'defaultTeam' | 'defaultModelThresholds'>): RecordingRule[] {
  const rules: RecordingRule[] = [];
  const constant = (record: string, value: number, labels: Record<string, string>, source: string): void => {
    rules.push({ kind: 'record', record, expr: `vector(${formatNumber(value)})`, labels, source });
  };
  for (const service of inputs.services) {
    constant(serviceInfoSeries, 1, { service: service.name, team: service.team }, `services.${service.name}`);
    for (const key of ['maxErrorRatio', 'maxLatencyP95Seconds', 'minThroughputRps'] as const) {
      const value = service.thresholds[key];
      if (value !== false) constant(thresholdSeries[key], value, { service: service.name, team: service.team }, `services.${service.name}.thresholds.${key}`);
    }
  }
  const modelKeys = ['minAccuracy', 'maxDriftScore', 'maxInferenceLatencyP95Seconds', 'minMeanConfidence'] as const;
  for (const key of modelKeys) {
    const value = inputs.defaultModelThresholds[key];
    if (value !== false) constant(defaultSeriesOf(thresholdSeries[key]), value, { team: inputs.defaultTeam }, `defaults.modelThresholds.${key}`);
  }
  for (const model of inputs.models) {
    constant(modelInfoSeries, 1, { model: model.name, service: model.service, team: model.team }, `models.${model.name}`);
    for (const key of modelKeys) {
      const value = model.thresholds[key];
      if (value !== false) constant(thresholdSeries[key], value, { model: model.name, team: model.team }, `models.${model.name}.thresholds.${key}`);
    }
  }
  return rules;
}

/** Shortest exact decimal text of a number, never exponent notation (PromQL reads both; people read this). */
export function formatNumber(value: number): string {
  const text = String(value);
  const exponent = /^(-?)(\d)(?:\.(\d+))?e([-+]\d+)$/.exec(text);
  if (!exponent) return text;
  // Shift the decimal point of JavaScript's shortest round-trip digits: toFixed(20) turned 3.4e-48 into 0,
  // a threshold no one set, and toFixed can't go past 100 digits.
  const [, sign, first, rest = '', power] = exponent;
  const digits = first! + rest;
  const point = 1 + Number(power);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
