/**
 * The eleven built-in alerts and the threshold series they compare against.
 *
 * Fleet scale: thresholds are series, not rules. Each alert is ONE rule for every model or service; it
 * compares the signal against a per-target threshold series (a constant recording rule carrying `model` or
 * `service` and `team` labels), joined by label. Models the config doesn't list fall back to a default
 * series; a disabled threshold simply has no series, so the join finds nothing and the alert can't fire.
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
    alerts.push({ name, scope, group, severity: s.severity, for: s.for, rule, ...(threshold ? { threshold } : {}) });
  };

  const w = (name: BuiltinAlertName) => settings[name].window;
  const t = infra.thresholds;
  const team = { team: infra.team };
  // Pseudo-filesystems are never "full" in a way anyone can act on, and tmpfs reports its size as free RAM.
  const realFs = 'fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs"';

  // The seed uses irate(), which only sees the last two samples: one busy scrape pages someone. rate() over
  // the window is what "usage above X% for 5m" means.
  add('HighCPUUsage', 'infrastructure',
    `100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[${w('HighCPUUsage')}]))) > ${t.maxCpuPercent}`,
    { summary: 'High CPU usage on {{ $labels.instance }}', description: `CPU usage is {{ $value | printf "%.1f" }}% on {{ $labels.instance }}, above ${t.maxCpuPercent}%.` },
    { key: 'maxCpuPercent', firesWhen: 'above' }, team);
  add('HighMemoryUsage', 'infrastructure',
    `100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > ${t.maxMemoryPercent}`,
    { summary: 'High memory usage on {{ $labels.instance }}', description: `Memory usage is {{ $value | printf "%.1f" }}% on {{ $labels.instance }}, above ${t.maxMemoryPercent}%.` },
    { key: 'maxMemoryPercent', firesWhen: 'above' }, team);
  add('DiskSpaceLow', 'infrastructure',
    `100 * node_filesystem_avail_bytes{${realFs}} / node_filesystem_size_bytes{${realFs}} < ${t.minDiskFreePercent}`,
    { summary: 'Low disk space on {{ $labels.instance }} ({{ $labels.mountpoint }})', description: `Only {{ $value | printf "%.1f" }}% disk space is left on {{ $labels.mountpoint }} of {{ $labels.instance }}, below ${t.minDiskFreePercent}%.` },
    { key: 'minDiskFreePercent', firesWhen: 'below' }, team);
  add('ServiceDown', 'infrastructure',
    'up == 0',
    { summary: 'Target {{ $labels.instance }} of job {{ $labels.job }} is down', description: `Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for more than ${settings.ServiceDown.for}.` },
    undefined, team);

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

  // The seed's model alerts read `$labels.model_name`, a label the instrumentation doesn't set (it is
  // `model`), so every summary said "on " with no model. They also hard-coded 85% in the summary.
  if (anyModel('minAccuracy')) add('ModelAccuracyDrop', 'model',
    perModelComparison('model_accuracy', '<', thresholdSeries.minAccuracy, 'model_accuracy', modelHasDefault('minAccuracy')),
    { summary: 'Accuracy of model {{ $labels.model }} dropped below its threshold', description: 'Accuracy of {{ $labels.model }} is {{ $value | humanizePercentage }}.' },
    { key: 'minAccuracy', firesWhen: 'below', series: thresholdSeries.minAccuracy, defaultSeries: defaultSeriesOf(thresholdSeries.minAccuracy) });
  if (anyModel('maxDriftScore')) add('DataDriftDetected', 'model',
    perModelComparison('data_drift_score', '>', thresholdSeries.maxDriftScore, 'data_drift_score', modelHasDefault('maxDriftScore')),
    { summary: 'Data drift detected on model {{ $labels.model }}', description: 'Drift score of {{ $labels.model }} is {{ $value | printf "%.3f" }}, above its threshold.' },
    { key: 'maxDriftScore', firesWhen: 'above', series: thresholdSeries.maxDriftScore, defaultSeries: defaultSeriesOf(thresholdSeries.maxDriftScore) });
  if (anyModel('maxInferenceLatencyP95Seconds')) add('HighInferenceLatency', 'model',
    perModelComparison(
      `histogram_quantile(0.95, sum by (model, le) (rate(model_inference_duration_seconds_bucket[${w('HighInferenceLatency')}])))`,
      '>', thresholdSeries.maxInferenceLatencyP95Seconds, 'model_inference_duration_seconds_count', modelHasDefault('maxInferenceLatencyP95Seconds')),
    { summary: 'High inference latency on model {{ $labels.model }}', description: 'P95 inference latency of {{ $labels.model }} is {{ $value | humanizeDuration }}, above its threshold.' },
    { key: 'maxInferenceLatencyP95Seconds', firesWhen: 'above', series: thresholdSeries.maxInferenceLatencyP95Seconds, defaultSeries: defaultSeriesOf(thresholdSeries.maxInferenceLatencyP95Seconds) });
  // The seed's avg_over_time(prediction_confidence[10m]) can never fire: prediction_confidence is a
  // histogram, so no series has that bare name (only _bucket, _sum and _count). The mean confidence over
  // the window is rate(_sum) / rate(_count).
  const cw = w('LowPredictionConfidence');
  if (anyModel('minMeanConfidence')) add('LowPredictionConfidence', 'model',
    perModelComparison(
      `(\n    sum by (model) (rate(prediction_confidence_sum[${cw}]))\n  /\n    sum by (model) (rate(prediction_confidence_count[${cw}]))\n)`,
      '<', thresholdSeries.minMeanConfidence, 'prediction_confidence_count', modelHasDefault('minMeanConfidence')),
    { summary: 'Low prediction confidence on model {{ $labels.model }}', description: 'Mean prediction confidence of {{ $labels.model }} is {{ $value | printf "%.3f" }}, below its threshold.' },
    { key: 'minMeanConfidence', firesWhen: 'below', series: thresholdSeries.minMeanConfidence, defaultSeries: defaultSeriesOf(thresholdSeries.minMeanConfidence) });

  return alerts;
}

/** The constant series the alerts join against: one per listed target and enabled threshold. */
export function buildThresholdRules(inputs: Pick<AlertInputs, 'services' | 'models' | 'defaultTeam' | 'defaultModelThresholds'>): RecordingRule[] {
  const rules: RecordingRule[] = [];
  const constant = (record: string, value: number, labels: Record<string, string>, source: string): void => {
    rules.push({ kind: 'record', record, expr: `vector(${formatNumber(value)})`, labels, source });
  };
  for (const service of inputs.services) {
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
  return /e/i.test(text) ? value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '') : text;
}
