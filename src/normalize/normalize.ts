import { basename, resolve } from 'node:path';
import type { BuiltinAlertName, MonitoringConfig, ModelThresholds, ServiceThresholds } from '../config/types.js';
import { mlmonVersion } from '../version.js';
import { builtinAlertDefaults, builtinAlertNames, buildBuiltinAlerts, buildThresholdRules, modelInfoSeries, thresholdSeries, defaultSeriesOf, type AlertSettings } from './alert-rules.js';
import { builtinMetrics, recordedMetric } from './metric-catalog.js';
import type { MonitoringModel, ResolvedModel, ResolvedModelThresholds, ResolvedService, ResolvedServiceThresholds, RuleFile } from './model.js';
import { buildInhibitRules, buildReceivers, buildRoute, defaultGroupBy } from './routing.js';
import { buildRuleProofs } from './rule-proofs.js';
import { buildScrapeJobs } from './scrape-jobs.js';

/** The seed's thresholds. */
export const seedModelThresholds: ResolvedModelThresholds = { minAccuracy: 0.85, maxDriftScore: 0.3, maxInferenceLatencyP95Seconds: 1, minMeanConfidence: 0.7 };
export const seedServiceThresholds: ResolvedServiceThresholds = { maxErrorRatio: 0.05, maxLatencyP95Seconds: 0.5, minThroughputRps: 1 };

export const defaultImages = {
  prometheus: 'prom/prometheus:v3.16.0',
  alertmanager: 'prom/alertmanager:v0.35.0',
  grafana: 'grafana/grafana:12.3.0',
  logstash: 'docker.elastic.co/logstash/logstash:8.19.0',
  filebeat: 'docker.elastic.co/beats/filebeat:8.19.0',
} as const;

export interface NormalizeOptions {
  /** Absolute path of the config file: relative paths in the config are resolved against its folder. */
  readonly configFile: string;
}

/**
 * Turns a checked config into the read-only, fully defaulted model. All defaults and decisions live here
 * and in the builders it calls; renderers only lay the model out.
 */
export function normalize(config: MonitoringConfig, options: NormalizeOptions): MonitoringModel {
  const configDir = resolve(options.configFile, '..');
  const defaultTeam = config.defaults?.team ?? 'ml-platform';
  const defaultModelThresholds = withDefaults(seedModelThresholds, config.defaults?.modelThresholds);
  const defaultServiceThresholds = withDefaults(seedServiceThresholds, config.defaults?.serviceThresholds);
  const prometheus = config.prometheus ?? {};
  const infraConfig = config.infrastructure ?? {};

  const services: ResolvedService[] = Object.entries(config.services ?? {}).map(([name, s]) => ({
    name,
    team: s.team ?? defaultTeam,
    discovery: s.discovery.kubernetesPods
      ? { kind: 'kubernetes-pods', namespaces: s.discovery.kubernetesPods.namespaces }
      : { kind: 'static', targets: s.discovery.staticTargets ?? [] },
    thresholds: withDefaults(defaultServiceThresholds, s.thresholds as ServiceThresholds | undefined),
    logging: { jsonField: s.logging?.jsonField ?? 'message', dropPaths: s.logging?.dropPaths ?? [] },
  }));
  const models: ResolvedModel[] = Object.entries(config.models ?? {}).map(([name, m]) => ({
    name,
    service: m.service,
    team: m.team ?? defaultTeam,
    thresholds: withDefaults(defaultModelThresholds, m.thresholds as ModelThresholds | undefined),
  }));
  const infrastructure = {
    team: infraConfig.team ?? 'platform',
    nodeExporterTargets: infraConfig.nodeExporterTargets ?? ['node-exporter:9100'],
    kubernetesNodes: infraConfig.kubernetesNodes ?? true,
    thresholds: {
      maxCpuPercent: infraConfig.thresholds?.maxCpuPercent ?? 80,
      maxMemoryPercent: infraConfig.thresholds?.maxMemoryPercent ?? 85,
      minDiskFreePercent: infraConfig.thresholds?.minDiskFreePercent ?? 15,
    },
  };

  const alertSettings = Object.fromEntries(
    builtinAlertNames.map((name): [BuiltinAlertName, AlertSettings] => {
      const override = config.alerts?.[name] ?? {};
      const seed = builtinAlertDefaults[name];
      return [name, { severity: override.severity ?? seed.severity, for: override.for ?? seed.for, window: override.window ?? seed.window, enabled: override.enabled ?? true }];
    }),
  ) as Record<BuiltinAlertName, AlertSettings>;

  const ruleGroupInterval = prometheus.ruleGroupInterval ?? '30s';
  const builtinAlerts = buildBuiltinAlerts({
    settings: alertSettings, infrastructure, services, models, defaultTeam, defaultModelThresholds, runbookBaseUrl: config.runbookBaseUrl,
  });
  const customAlerts = (config.rules?.alerts ?? []).map((rule, i) => ({
    kind: 'alert' as const,
    alert: rule.name,
    expr: rule.expr,
    for: rule.for ?? '0s',
    labels: { ...rule.labels, severity: rule.severity ?? 'warning', team: rule.team ?? defaultTeam },
    annotations: {
      summary: rule.summary,
      description: rule.description,
      ...(config.runbookBaseUrl ? { runbook_url: `${config.runbookBaseUrl.replace(/\/+$/, '')}/${rule.name}` } : {}),
    },
    source: `rules.alerts[${i}]`,
  }));
  const groupOf = (group: string) => ({ name: group, interval: ruleGroupInterval, rules: builtinAlerts.filter((a) => a.group === group).map((a) => a.rule) });
  const alertGroups = [groupOf('infrastructure'), groupOf('application'), groupOf('ml-models')];
  if (customAlerts.length) alertGroups.push({ name: 'custom', interval: ruleGroupInterval, rules: customAlerts });

  const ruleFiles: RuleFile[] = [
    { name: 'thresholds.yml', groups: [{ name: 'mlmon-thresholds', interval: ruleGroupInterval, rules: buildThresholdRules({ services, models, defaultTeam, defaultModelThresholds }) }] },
    { name: 'alerts.yml', groups: alertGroups.filter((g) => g.rules.length > 0) },
  ];
  const customRecording = (config.rules?.recording ?? []).map((r, i) => ({ kind: 'record' as const, record: r.record, expr: r.expr, labels: r.labels ?? {}, source: `rules.recording[${i}]` }));
  if (customRecording.length) ruleFiles.push({ name: 'recording.yml', groups: [{ name: 'custom-recording', interval: ruleGroupInterval, rules: customRecording }] });

  const alerting = config.alerting ?? {};
  const grouping = {
    groupBy: alerting.grouping?.groupBy ?? defaultGroupBy,
    groupWait: alerting.grouping?.groupWait ?? '10s',
    groupInterval: alerting.grouping?.groupInterval ?? '10s',
    repeatInterval: alerting.grouping?.repeatInterval ?? '12h',
  };
  const defaultReceiver = alerting.defaultReceiver ?? 'default';
  const receiversConfig = alerting.receivers ?? { [defaultReceiver]: {} };

  const thresholdMetrics = Object.values(thresholdSeries).flatMap((series) => {
    const target = series.startsWith('mlmon:service_') ? 'service' : 'model';
    const own = recordedMetric(series, [target, 'team'], `Per-${target} threshold from the config`);
    return target === 'model' ? [own, recordedMetric(defaultSeriesOf(series), ['team'], 'Default model threshold from the config')] : [own];
  });
  const metricCatalog = [
    ...builtinMetrics,
    recordedMetric(modelInfoSeries, ['model', 'service', 'team'], 'One series per model listed in the config'),
    ...thresholdMetrics,
    ...(config.metrics ?? []).map((m) => ({ name: m.name, type: m.type, labels: m.labels ?? [], help: m.help ?? '', origin: 'config' as const })),
    ...customRecording.map((r) => recordedMetric(r.record, Object.keys(r.labels), 'Custom recording rule')),
  ];

  const images = { ...defaultImages, ...config.kubernetes?.images };
  const model: Omit<MonitoringModel, 'ruleTests'> = {
    generator: { name: 'mlmon', version: mlmonVersion, configFile: basename(options.configFile) },
    cluster: config.cluster ?? 'ml-cluster',
    environment: config.environment ?? 'production',
    externalLabels: { cluster: config.cluster ?? 'ml-cluster', environment: config.environment ?? 'production' },
    prometheus: {
      scrapeInterval: prometheus.scrapeInterval ?? '15s',
      evaluationInterval: prometheus.evaluationInterval ?? '15s',
      ruleGroupInterval,
      alertmanagers: prometheus.alertmanagers ?? ['alertmanager:9093'],
      retention: prometheus.retention ?? '15d',
      storageSize: prometheus.storageSize ?? '50Gi',
      ruleFilePaths: ruleFiles.map((f) => `rules/${f.name}`),
    },
    scrapeJobs: buildScrapeJobs(services, infrastructure),
    ruleFiles,
    builtinAlerts,
    services,
    models,
    defaults: { team: defaultTeam, modelThresholds: defaultModelThresholds, serviceThresholds: defaultServiceThresholds },
    infrastructure,
    alertmanager: {
      resolveTimeout: alerting.resolveTimeout ?? '5m',
      ...(alerting.smtp ? { smtp: { ...alerting.smtp, requireTls: alerting.smtp.requireTls ?? true } } : {}),
      ...(alerting.slackApiUrlFile ? { slackApiUrlFile: alerting.slackApiUrlFile } : {}),
      route: buildRoute(alerting, grouping, defaultReceiver),
      receivers: buildReceivers(receiversConfig),
      inhibitRules: buildInhibitRules(alerting.inhibitRules),
    },
    metricCatalog,
    logging: {
      beatsPort: config.logging?.beatsPort ?? 5044,
      elasticsearchHosts: config.logging?.elasticsearchHosts ?? ['http://elasticsearch:9200'],
      indexPrefix: config.logging?.indexPrefix ?? 'ml-logs',
    },
    kubernetes: { namespace: config.kubernetes?.namespace ?? 'monitoring', images },
    templatesDir: config.templatesDir ? resolve(configDir, config.templatesDir) : undefined,
    userRuleTestFiles: (config.ruleTestFiles ?? []).map((f) => resolve(configDir, f)),
  };
  return deepFreeze({ ...model, ruleTests: buildRuleProofs(model) });
}

/** `base` with the keys `override` sets (including `false`, which disables) replaced. */
function withDefaults<T extends object>(base: T, override: Partial<T> | undefined): T {
  const out = { ...base };
  for (const [key, value] of Object.entries(override ?? {})) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
