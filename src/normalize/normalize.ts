import { resolveDeploy } from '../config/deploy-types.js';
import { basename, posix, resolve } from 'node:path';
import { configDefaults } from '../config/defaults.js';
import type { AlertingConfig, BuiltinAlertName, KubernetesConfig, GrafanaConfig, LoggingConfig, MonitoringConfig, ModelThresholds, ServiceThresholds } from '../config/types.js';
import { alertingSecretFiles, alertmanagerSecretMount } from '../config/alerting-secrets.js';
import { escapeGoTemplate } from '../formats/go-template.js';
import { mlmonVersion } from '../version.js';
import { alertCatalog, defaultSeriesOf, seedThresholds, thresholdsOf, thresholdSeriesName, type AlertCatalog } from '../catalog/index.js';
import { modelInfoSeries, serviceInfoSeries } from '../catalog/series.js';
import { activeCatalog, enabledIntegrationAlerts, enabledIntegrations, foreignThresholdsOff, serviceIntegrationOf } from '../catalog/integrations/index.js';
import { buildBuiltinAlerts, buildThresholdRules, type AlertSettings } from './alert-rules.js';
import { buildLogRetention } from './log-retention.js';
import { builtinMetrics, integrationMetrics, recordedMetric } from './metric-catalog.js';
import type { ContainerResourcesModel, GrafanaModel, KubernetesComponent, KubernetesModel, PodSchedulingModel, RbacRule, TolerationModel, RecordingRule, ScrapeJob, SloModel, MetricDefinition, LoggingModel, LogParsing, MonitoringModel, ResolvedModel, ResolvedInfrastructure, ResolvedModelThresholds, ResolvedService, ResolvedServiceThresholds, RuleFile, RuleGroup } from './model.js';
import { buildInhibitRules, buildReceivers, buildRoute, defaultGroupBy } from './routing.js';
import { buildRuleProofs } from './rule-proofs.js';
import { ruleGroupOf } from './rule-groups.js';
import { resolveShards, shardLabels, shardGroups } from './alert-shards.js';
import { buildRoutingProofs } from './routing-proofs.js';
import { buildScrapeJobs } from './scrape-jobs.js';
import { buildScaleOut } from './sharding.js';
import { dcgmExporterJob, dcgmMetrics, dcgmRuleFile, resolveDcgm } from './dcgm.js';
import { buildSloAlertRules, buildSloConstants, buildSloRecordingRules, sloMetrics } from './slo-rules.js';
import { thresholdRuleFiles, withTargetSeries } from './threshold-files.js';
import { resolveSlos } from './slos.js';
import { frozenModel } from './freeze.js';

export const defaultImages = {
  prometheus: configDefaults['kubernetes.images.prometheus'],
  alertmanager: configDefaults['kubernetes.images.alertmanager'],
  grafana: configDefaults['kubernetes.images.grafana'],
  logstash: configDefaults['kubernetes.images.logstash'],
  filebeat: configDefaults['kubernetes.images.filebeat'],
} as const;

/** Requests and limits of each container unless `kubernetes.resources` overrides them (types.ts documents them). */
export const defaultResources: Readonly<Record<KubernetesComponent, ContainerResourcesModel>> = {
  prometheus: configDefaults['kubernetes.resources.prometheus'],
  alertmanager: configDefaults['kubernetes.resources.alertmanager'],
  grafana: configDefaults['kubernetes.resources.grafana'],
  logstash: configDefaults['kubernetes.resources.logstash'],
  filebeat: configDefaults['kubernetes.resources.filebeat'],
};

/**
 * Tolerations of each component unless `kubernetes.scheduling.<component>.tolerations` replaces them. Filebeat
 * collects the logs of the node it runs on, so it must run on every node, tainted ones (GPU nodes carry
 * `nvidia.com/gpu:NoSchedule`) included: it tolerates every NoSchedule and NoExecute taint, as kube-prometheus'
 * node-exporter DaemonSet does (`operator: Exists`). PreferNoSchedule never keeps a pod off a node.
 */
export const defaultTolerations: Readonly<Record<KubernetesComponent, readonly TolerationModel[]>> = {
  prometheus: configDefaults['kubernetes.scheduling.prometheus'].tolerations,
  alertmanager: configDefaults['kubernetes.scheduling.alertmanager'].tolerations,
  grafana: configDefaults['kubernetes.scheduling.grafana'].tolerations,
  logstash: configDefaults['kubernetes.scheduling.logstash'].tolerations,
  filebeat: configDefaults['kubernetes.scheduling.filebeat'].tolerations,
};

export interface NormalizeOptions {
  /** Absolute path of the config file: relative paths in the config are resolved against its folder. */
  readonly configFile: string;
  /** The alert catalog; the built-in one unless a test adds an alert (docs/architecture.md, "Adding an alert"). */
  readonly catalog?: AlertCatalog;
  /** Set for one environment of a config with `environments`: inhibitions stay within the environment. */
  readonly environment?: string | undefined;
}

/**
 * Turns a checked config into the read-only, fully defaulted model. All defaults and decisions live here
 * and in the builders it calls; renderers only lay the model out.
 */
export function normalize(config: MonitoringConfig, options: NormalizeOptions): MonitoringModel {
  const configDir = resolve(options.configFile, '..');
  const defaultTeam = config.defaults?.team ?? configDefaults['defaults.team'];
  // The integrations' alerts only for the integrations the config enables (services', then the GPU pack's).
  const catalog = [...activeCatalog(options.catalog ?? alertCatalog, enabledIntegrations(config.services)), ...enabledIntegrationAlerts(config)];
  const defaultModelThresholds = withDefaults(seedThresholds('model', catalog) as ResolvedModelThresholds, config.defaults?.modelThresholds);
  const defaultServiceThresholds = withDefaults(seedThresholds('service', catalog) as ResolvedServiceThresholds, config.defaults?.serviceThresholds);
  const prometheus = config.prometheus ?? {};
  const infraConfig = config.infrastructure ?? {};
  const dcgm = resolveDcgm(infraConfig.gpus?.dcgm);

  const services: ResolvedService[] = Object.entries(config.services ?? {}).map(([name, s]) => ({
    name,
    team: s.team ?? defaultTeam,
    discovery: s.discovery.kubernetesPods
      ? {
          kind: 'kubernetes-pods',
          namespaces: s.discovery.kubernetesPods.namespaces,
          ...(s.discovery.kubernetesPods.port !== undefined ? { port: s.discovery.kubernetesPods.port } : {}),
        }
      : { kind: 'static', targets: s.discovery.staticTargets ?? [] },
    thresholds: { ...withDefaults(defaultServiceThresholds, s.thresholds as ServiceThresholds | undefined), ...foreignThresholdsOff('service', serviceIntegrationOf(s.integration).integration?.name, catalog) },
    logging: {
      jsonField: s.logging?.jsonField ?? unattributedLogParsing.jsonField,
      timestampField: s.logging?.timestampField ?? unattributedLogParsing.timestampField,
      pathField: s.logging?.pathField ?? unattributedLogParsing.pathField,
      dropPaths: s.logging?.dropPaths ?? [],
    },
    ...serviceIntegrationOf(s.integration),
  }));
  // A model's thresholds of the integrations its service doesn't run are off; computed once per service.
  const offByService = new Map(services.map((s) => [s.name, foreignThresholdsOff('model', s.integration?.name, catalog)]));
  const foreignOff = (service: string) => offByService.get(service) ?? foreignThresholdsOff('model', undefined, catalog);
  const models: ResolvedModel[] = Object.entries(config.models ?? {}).map(([name, m]) => ({
    name,
    service: m.service,
    team: m.team ?? defaultTeam,
    thresholds: { ...withDefaults(defaultModelThresholds, m.thresholds as ModelThresholds | undefined), ...foreignOff(m.service) },
  }));
  const infrastructure = {
    team: infraConfig.team ?? configDefaults['infrastructure.team'],
    nodeExporter: infraConfig.nodeExporter
      ? {
          kind: 'kubernetes-pods' as const,
          namespace: infraConfig.nodeExporter.kubernetes.namespace,
          podLabels: infraConfig.nodeExporter.kubernetes.podLabels ?? configDefaults['infrastructure.nodeExporter.kubernetes.podLabels'],
          port: infraConfig.nodeExporter.kubernetes.port ?? configDefaults['infrastructure.nodeExporter.kubernetes.port'],
        }
      : { kind: 'static' as const, targets: infraConfig.nodeExporterTargets ?? configDefaults['infrastructure.nodeExporterTargets'] },
    kubernetesNodes: infraConfig.kubernetesNodes ?? configDefaults['infrastructure.kubernetesNodes'],
    thresholds: withDefaults(seedThresholds('infrastructure', catalog) as ResolvedInfrastructure['thresholds'], infraConfig.thresholds),
  };

  const alertSettings = Object.fromEntries(
    catalog.map(({ name, defaults: seed }): [string, AlertSettings] => {
      const override = config.alerts?.[name as BuiltinAlertName] ?? {};
      return [name, { severity: override.severity ?? seed.severity, for: override.for ?? seed.for, window: override.window ?? seed.window, enabled: override.enabled ?? configDefaults['alerts.*.enabled'] }];
    }),
  );

  const ruleGroupInterval = prometheus.ruleGroupInterval ?? configDefaults['prometheus.ruleGroupInterval'];
  const modelShards = resolveShards('model', prometheus.modelShards, models.length);
  const serviceShards = resolveShards('service', prometheus.serviceShards, services.length);
  const builtinAlerts = buildBuiltinAlerts({
    settings: alertSettings, infrastructure, services, models, defaultTeam, defaultModelThresholds, runbookBaseUrl: config.runbookBaseUrl, catalog, dcgm,
    shards: { model: modelShards, service: serviceShards },
  });
  const customAlerts = (config.rules?.alerts ?? []).map((rule, i) => ({
    kind: 'alert' as const,
    alert: rule.name,
    expr: rule.expr,
    for: rule.for ?? configDefaults['rules.alerts[].for'],
    // labels, summary and description are the user's own Go templates (checked in config/semantics.ts); the
    // team and the runbook URL are plain values, escaped to render as themselves.
    labels: { ...rule.labels, severity: rule.severity ?? configDefaults['rules.alerts[].severity'], team: escapeGoTemplate(rule.team ?? defaultTeam) },
    annotations: {
      summary: rule.summary,
      description: rule.description,
      ...(config.runbookBaseUrl ? { runbook_url: escapeGoTemplate(`${config.runbookBaseUrl.replace(/\/+$/, '')}/${rule.name}`) } : {}),
    },
    source: `rules.alerts[${i}]`,
  }));
  const alertGroups: RuleGroup[] = [...new Set(builtinAlerts.map(ruleGroupOf))].map((name) => ({ name, interval: ruleGroupInterval, rules: builtinAlerts.filter((a) => ruleGroupOf(a) === name).map((a) => a.rule) }));
  if (customAlerts.length) alertGroups.push({ name: 'custom', interval: ruleGroupInterval, rules: customAlerts });
  // Before the alerts: the proofs evaluate groups in file order, so each alert reads the breach its shards
  // recorded in the same round, as a real Prometheus does at best (src/normalize/alert-shards.ts).
  alertGroups.unshift(...shardGroups('service', builtinAlerts, serviceShards, ruleGroupInterval), ...shardGroups('model', builtinAlerts, modelShards, ruleGroupInterval));

  const slos = resolveSlos(config, services, models, defaultTeam);
  const sloRecording = buildSloRecordingRules(slos);
  const sloAlerts = buildSloAlertRules(slos, config.runbookBaseUrl);
  const ruleFiles: RuleFile[] = [
    ...thresholdRuleFiles(withTargetSeries(buildThresholdRules({ services, models, defaultTeam, defaultModelThresholds, catalog, shards: { model: modelShards, service: serviceShards } }), buildSloConstants(slos)), ruleGroupInterval),
    ...(dcgm ? [dcgmRuleFile(dcgm, ruleGroupInterval)] : []),
    { name: 'alerts.yml', groups: alertGroups.filter((g) => g.rules.length > 0) },
    ...(sloRecording.length > 0 ? [{ name: 'slo.yml', groups: [
      { name: 'mlmon-slo-indicators', interval: ruleGroupInterval, rules: sloRecording },
      { name: 'slo-alerts', interval: ruleGroupInterval, rules: sloAlerts },
    ] }] : []),
  ];
  const customRecording = (config.rules?.recording ?? []).map((r, i) => ({ kind: 'record' as const, record: r.record, expr: r.expr, labels: r.labels ?? {}, source: `rules.recording[${i}]` }));
  if (customRecording.length) ruleFiles.push({ name: 'recording.yml', groups: [{ name: 'custom-recording', interval: ruleGroupInterval, rules: customRecording }] });

  const alerting = config.alerting ?? {};
  const grouping = {
    groupBy: alerting.grouping?.groupBy ?? defaultGroupBy,
    groupWait: alerting.grouping?.groupWait ?? configDefaults['alerting.grouping.groupWait'],
    groupInterval: alerting.grouping?.groupInterval ?? configDefaults['alerting.grouping.groupInterval'],
    repeatInterval: alerting.grouping?.repeatInterval ?? configDefaults['alerting.grouping.repeatInterval'],
  };
  const defaultReceiver = alerting.defaultReceiver ?? configDefaults['alerting.defaultReceiver'];
  const receiversConfig = alerting.receivers ?? { [defaultReceiver]: {} };

  const thresholdMetrics = (['service', 'model'] as const).flatMap((target) => thresholdsOf(target, catalog).flatMap(({ threshold }) => {
    const series = thresholdSeriesName(target, threshold.key);
    const sharded = (target === 'model' ? modelShards : serviceShards) > 1;
    const own = recordedMetric(series, [target, 'team', ...(sharded ? [shardLabels[target]] : [])], `Per-${target} threshold from the config`);
    return target === 'model' ? [own, recordedMetric(defaultSeriesOf(series), ['team'], 'Default model threshold from the config')] : [own];
  }));
  // A config `metrics` entry named like a built-in histogram gives its buckets (a latency SLO's target must be one).
  const ownBuckets = new Map((config.metrics ?? []).flatMap((m) => (m.buckets ? [[m.name, m.buckets] as const] : [])));
  const serverMetrics = integrationMetrics(services);
  const metricCatalog = [
    ...builtinMetrics.map((m) => (ownBuckets.has(m.name) && m.type === 'histogram' ? { ...m, buckets: ownBuckets.get(m.name)! } : m)),
    recordedMetric(modelInfoSeries, ['model', 'service', 'team', ...(modelShards > 1 ? [shardLabels.model] : [])], 'One series per model listed in the config'),
    recordedMetric(serviceInfoSeries, ['service', 'team'], 'One series per service configured'),
    ...sloMetrics(slos),
    ...thresholdMetrics,
    ...(config.metrics ?? []).filter((m) => !builtinMetrics.some((b) => b.name === m.name && b.type === 'histogram' && m.buckets)).map((m) => ({ name: m.name, type: m.type, labels: m.labels ?? [], help: m.help ?? '', origin: 'config' as const, ...(m.buckets ? { buckets: m.buckets } : {}) })),
    ...customRecording.map((r) => recordedMetric(r.record, Object.keys(r.labels), 'Custom recording rule')),
    ...builtinAlerts.flatMap((a) => (a.shards && a.scope !== 'infrastructure' ? [recordedMetric(a.shards.record, [...a.labelSets[0]!, shardLabels[a.scope]], `The ${a.scope}s past ${a.name}'s threshold, per shard`)] : [])),
    ...serverMetrics,
    // The GPU pack reads the model servers' queue gauges: as the servers' entries where a service runs them.
    ...(dcgm ? dcgmMetrics().filter((m) => !serverMetrics.some((i) => i.name === m.name)) : []),
  ];

  const prometheusPort = prometheus.port ?? configDefaults['prometheus.port'];
  const dcgmJob = dcgm && dcgmExporterJob(dcgm);
  const scrapeJobs = [...buildScrapeJobs(services, infrastructure, prometheusPort, { model: modelShards, service: serviceShards }), ...(dcgmJob ? [dcgmJob] : [])];
  const scaleOut = buildScaleOut(prometheus, ruleFiles, scrapeJobs);
  const model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'> = {
    generator: { name: 'mlmon', version: mlmonVersion, configFile: basename(options.configFile) },
    cluster: config.cluster ?? configDefaults.cluster,
    environment: config.environment ?? configDefaults.environment,
    externalLabels: { cluster: config.cluster ?? configDefaults.cluster, environment: config.environment ?? configDefaults.environment },
    prometheus: {
      scrapeInterval: prometheus.scrapeInterval ?? configDefaults['prometheus.scrapeInterval'],
      evaluationInterval: prometheus.evaluationInterval ?? configDefaults['prometheus.evaluationInterval'],
      ruleGroupInterval,
      modelShards,
      serviceShards,
      alertmanagers: prometheus.alertmanagers ?? configDefaults['prometheus.alertmanagers'],
      retention: prometheus.retention ?? configDefaults['prometheus.retention'],
      storageSize: prometheus.storageSize ?? configDefaults['prometheus.storageSize'],
      port: prometheusPort,
      ruleFilePaths: scaleOut.localRuleFiles.map((name) => `rules/${name}`),
    },
    scrapeJobs,
    ruleFiles,
    scaleOut,
    builtinAlerts,
    slos,
    services,
    models,
    defaults: { team: defaultTeam, modelThresholds: defaultModelThresholds, serviceThresholds: defaultServiceThresholds },
    infrastructure,
    dcgm,
    alertmanager: {
      resolveTimeout: alerting.resolveTimeout ?? configDefaults['alerting.resolveTimeout'],
      ...(alerting.smtp ? { smtp: { ...alerting.smtp, requireTls: alerting.smtp.requireTls ?? configDefaults['alerting.smtp.requireTls'] } } : {}),
      ...(alerting.slackApiUrlFile ? { slackApiUrlFile: alerting.slackApiUrlFile } : {}),
      route: buildRoute(alerting, grouping, defaultReceiver),
      receivers: buildReceivers(receiversConfig),
      inhibitRules: buildInhibitRules(alerting.inhibitRules, slos.slos.length > 0, options.environment !== undefined, builtinAlerts.map((a) => a.identity)),
    },
    metricCatalog,
    logging: buildLogging(config.logging ?? {}),
    kubernetes: buildKubernetes(config.kubernetes ?? {}, scrapeJobs, alerting),
    deploy: resolveDeploy(config.deploy),
    grafana: resolveGrafana(config.grafana ?? {}, prometheus.scrapeInterval ?? configDefaults['prometheus.scrapeInterval'], buildLogging(config.logging ?? {}), prometheusPort),
    templatesDir: config.templatesDir ? resolve(configDir, config.templatesDir) : undefined,
    userRuleTestFiles: (config.ruleTestFiles ?? []).map((f) => resolve(configDir, f)),
  };
  return frozenModel({ ...model, ruleTests: buildRuleProofs(model), routingTests: buildRoutingProofs(model) });
}

/** The seed's log parsing: JSON in `message`, its time in `timestamp`; nothing dropped. */
const unattributedLogParsing: LogParsing = { jsonField: configDefaults['services.*.logging.jsonField'], timestampField: configDefaults['services.*.logging.timestampField'], pathField: configDefaults['services.*.logging.pathField'], dropPaths: [] };

function buildLogging(logging: LoggingConfig): LoggingModel {
  const beatsPort = logging.beatsPort ?? configDefaults['logging.beatsPort'];
  const serviceLabel = logging.serviceLabel ?? configDefaults['logging.serviceLabel'];
  const indexPrefix = logging.indexPrefix ?? configDefaults['logging.indexPrefix'];
  return {
    beatsPort,
    elasticsearchHosts: logging.elasticsearchHosts ?? configDefaults['logging.elasticsearchHosts'],
    indexPrefix,
    serviceLabel,
    // filebeat.yml sets labels.dedot, so `app.kubernetes.io/name` arrives as kubernetes.labels.app_kubernetes_io/name.
    serviceLabelField: ['kubernetes', 'labels', serviceLabel.replaceAll('.', '_')],
    // The Logstash Service of the Kubernetes manifests, in Filebeat's own namespace.
    logstashHost: logging.logstashHost ?? `logstash:${beatsPort}`,
    jsonTarget: 'app',
    unattributed: unattributedLogParsing,
    elasticsearchCredentials: { userVariable: 'ES_USER', passwordVariable: 'ES_PASSWORD' },
    pipeline: { id: 'ml-logs', configPath: '/usr/share/logstash/pipeline/logstash.conf' },
    retention: buildLogRetention(indexPrefix, logging.retention ?? {}),
  };
}

/**
 * Grafana's data sources and dashboard settings. Elasticsearch is the first of `logging.elasticsearchHosts`
 * (a Grafana data source has one URL), reading the log data stream (and older daily indices) by the pattern Kibana's
 * data view uses; Elasticsearch skips the backing indices outside a query's time range itself.
 */
function resolveGrafana(grafana: GrafanaConfig, scrapeInterval: string, logging: LoggingModel, prometheusPort: number): GrafanaModel {
  return {
    perModelDashboards: grafana.perModelDashboards ?? configDefaults['grafana.perModelDashboards'],
    folder: grafana.folder ?? configDefaults['grafana.folder'],
    dashboardsPath: '/var/lib/grafana/dashboards/mlmon',
    refresh: '30s',
    timeFrom: 'now-6h',
    prometheus: { name: 'Prometheus', uid: 'mlmon-prometheus', url: grafana.prometheusUrl ?? `http://prometheus:${prometheusPort}`, scrapeInterval },
    elasticsearch: {
      name: 'Elasticsearch',
      uid: 'mlmon-elasticsearch',
      url: logging.elasticsearchHosts[0] ?? configDefaults['logging.elasticsearchHosts'][0],
      index: logging.retention.searchPattern,
      timeField: '@timestamp',
      messageField: 'message',
    },
  };
}

/** Where and how the stack runs in Kubernetes: images, resources, users, the user's Secrets and RBAC. */
function buildKubernetes(kubernetes: KubernetesConfig, scrapeJobs: readonly ScrapeJob[], alerting: AlertingConfig): KubernetesModel {
  const components = Object.keys(defaultResources) as KubernetesComponent[];
  const resources = Object.fromEntries(components.map((component): [KubernetesComponent, ContainerResourcesModel] => {
    const own = kubernetes.resources?.[component];
    const base = defaultResources[component];
    return [component, { requests: withDefaults(base.requests, own?.requests), limits: withDefaults(base.limits, own?.limits) }];
  })) as Record<KubernetesComponent, ContainerResourcesModel>;

  const { name: secretName, mountPath } = alertmanagerSecretMount(kubernetes);
  // The Secret's keys are the file names alerting reads; files elsewhere are refused by the meaning checks.
  const secretKeys = alertingSecretFiles(alerting).map((f) => posix.normalize(f.file)).filter((file) => posix.dirname(file) === mountPath).map((file) => posix.basename(file));

  return {
    namespace: kubernetes.namespace ?? configDefaults['kubernetes.namespace'],
    images: { ...defaultImages, ...kubernetes.images },
    resources,
    // Each image's own user, so the files it ships stay readable and its data folders writable (fsGroup).
    security: {
      prometheus: { user: 65534, group: 65534, fsGroup: 65534 },
      alertmanager: { user: 65534, group: 65534, fsGroup: 65534 },
      grafana: { user: 472, group: 472, fsGroup: 472 },
      logstash: {
        user: 1000,
        group: 1000,
        fsGroup: 1000,
        // https://github.com/kubernetes/kubernetes/issues/110835
        writableRootFilesystemBecause:
          "Logstash's JRuby refuses a temporary folder that is world-writable without the sticky bit, which is what an emptyDir is, " +
          "so /tmp must be the image's own (mode 1777)",
      },
      filebeat: {
        user: 0,
        group: 0,
        rootBecause:
          'the kubelet writes container logs under /var/log/pods as root with mode 0640, so only root can read them; ' +
          'a non-root user with an added capability is not enough, as Kubernetes sets no ambient capabilities for non-root containers',
      },
    },
    scheduling: Object.fromEntries(components.map((component): [KubernetesComponent, PodSchedulingModel] => {
      const own = kubernetes.scheduling?.[component];
      return [component, {
        tolerations: (own?.tolerations ?? defaultTolerations[component]).map((t) => ({ ...t, operator: t.operator ?? configDefaults['kubernetes.scheduling.*.tolerations[].operator'] })),
        nodeSelector: own?.nodeSelector ?? configDefaults['kubernetes.scheduling.*.nodeSelector'],
        ...(own?.priorityClassName ? { priorityClassName: own.priorityClassName } : {}),
      }];
    })) as Record<KubernetesComponent, PodSchedulingModel>,
    alertmanagerStorageSize: kubernetes.alertmanagerStorageSize ?? configDefaults['kubernetes.alertmanagerStorageSize'],
    alertmanagerSecret: { name: secretName, mountPath, keys: [...new Set(secretKeys)].sort() },
    grafanaAdminSecret: { name: kubernetes.grafanaAdminSecretName ?? configDefaults['kubernetes.grafanaAdminSecretName'], userKey: 'admin-user', passwordKey: 'admin-password' },
    elasticsearchSecret: { name: kubernetes.elasticsearchSecretName ?? configDefaults['kubernetes.elasticsearchSecretName'], usernameKey: 'username', passwordKey: 'password' },
    prometheusRbac: prometheusRbacRules(scrapeJobs),
    filebeatRbac: [
      {
        apiGroups: [''],
        resources: ['namespaces', 'nodes', 'pods'],
        verbs: ['get', 'list', 'watch'],
        because: 'add_kubernetes_metadata watches the pods on its node and looks up their namespace and node to label each log line',
      },
    ],
  };
}

/**
 * Only what the scrape jobs' Kubernetes discovery reads. Pod discovery is cluster-wide: a Role per discovered
 * namespace would be narrower, but kustomize's `namespace:` would move those Roles into the monitoring namespace.
 */
function prometheusRbacRules(scrapeJobs: readonly ScrapeJob[]): RbacRule[] {
  const jobsWith = (match: (job: ScrapeJob) => boolean): string => scrapeJobs.filter(match).map((job) => job.name).join(', ');
  const rules: RbacRule[] = [];
  const podJobs = jobsWith((job) => job.kubernetesSd?.role === 'pod');
  if (podJobs) rules.push({ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'], because: `kubernetes_sd_configs role "pod" lists and watches pods (jobs: ${podJobs})` });
  const nodeJobs = jobsWith((job) => job.kubernetesSd?.role === 'node');
  if (nodeJobs) rules.push({ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'], because: `kubernetes_sd_configs role "node" lists and watches nodes (jobs: ${nodeJobs})` });
  const kubeletJobs = jobsWith((job) => job.kind === 'kubernetes-nodes');
  if (kubeletJobs) rules.push({ apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'], because: `the kubelet authorizes a scrape of its /metrics as "get nodes/metrics" (jobs: ${kubeletJobs})` });
  return rules;
}

/** `base` with the keys `override` sets (including `false`, which disables) replaced. */
function withDefaults<T extends object>(base: T, override: Partial<T> | undefined): T {
  const out = { ...base };
  for (const [key, value] of Object.entries(override ?? {})) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}
