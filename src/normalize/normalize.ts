import { basename, posix, resolve } from 'node:path';
import type { AlertingConfig, BuiltinAlertName, KubernetesConfig, GrafanaConfig, LoggingConfig, MonitoringConfig, ModelThresholds, ServiceThresholds } from '../config/types.js';
import { escapeGoTemplate } from '../formats/go-template.js';
import { mlmonVersion } from '../version.js';
import { builtinAlertDefaults, builtinAlertNames, buildBuiltinAlerts, buildThresholdRules, modelInfoSeries, serviceInfoSeries, thresholdSeries, defaultSeriesOf, type AlertSettings } from './alert-rules.js';
import { builtinMetrics, recordedMetric } from './metric-catalog.js';
import type { ContainerResourcesModel, GrafanaModel, KubernetesComponent, KubernetesModel, PodSchedulingModel, RbacRule, TolerationModel, RecordingRule, ScrapeJob, LoggingModel, LogParsing, MonitoringModel, ResolvedModel, ResolvedModelThresholds, ResolvedService, ResolvedServiceThresholds, RuleFile } from './model.js';
import { buildInhibitRules, buildReceivers, buildRoute, defaultGroupBy } from './routing.js';
import { buildRuleProofs } from './rule-proofs.js';
import { buildRoutingProofs } from './routing-proofs.js';
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

/** Requests and limits of each container unless `kubernetes.resources` overrides them (types.ts documents them). */
export const defaultResources: Readonly<Record<KubernetesComponent, ContainerResourcesModel>> = {
  prometheus: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
  alertmanager: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
  grafana: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  // The image's jvm.options sets a 1 GiB heap; the JVM needs room beyond it (metaspace, threads, direct buffers).
  logstash: { requests: { cpu: '500m', memory: '1536Mi' }, limits: { cpu: '1', memory: '2Gi' } },
  filebeat: { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '500m', memory: '200Mi' } },
};

/**
 * Tolerations of each component unless `kubernetes.scheduling.<component>.tolerations` replaces them. Filebeat
 * collects the logs of the node it runs on, so it must run on every node, tainted ones (GPU nodes carry
 * `nvidia.com/gpu:NoSchedule`) included: it tolerates every NoSchedule and NoExecute taint, as kube-prometheus'
 * node-exporter DaemonSet does (`operator: Exists`). PreferNoSchedule never keeps a pod off a node.
 */
export const defaultTolerations: Readonly<Record<KubernetesComponent, readonly TolerationModel[]>> = {
  prometheus: [],
  alertmanager: [],
  grafana: [],
  logstash: [],
  filebeat: [
    { operator: 'Exists', effect: 'NoSchedule' },
    { operator: 'Exists', effect: 'NoExecute' },
  ],
};

/** The user's Secret for Alertmanager, and the folder it is mounted at (normalized, no trailing slash). */
export function alertmanagerSecretMount(kubernetes: KubernetesConfig | undefined): { name: string; mountPath: string } {
  const mountPath = posix.normalize(kubernetes?.alertmanagerSecretMountPath ?? '/etc/alertmanager/secrets').replace(/(.)\/+$/, '$1');
  return { name: kubernetes?.alertmanagerSecretName ?? 'alertmanager-secrets', mountPath };
}

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
      ? {
          kind: 'kubernetes-pods',
          namespaces: s.discovery.kubernetesPods.namespaces,
          ...(s.discovery.kubernetesPods.port !== undefined ? { port: s.discovery.kubernetesPods.port } : {}),
        }
      : { kind: 'static', targets: s.discovery.staticTargets ?? [] },
    thresholds: withDefaults(defaultServiceThresholds, s.thresholds as ServiceThresholds | undefined),
    logging: {
      jsonField: s.logging?.jsonField ?? unattributedLogParsing.jsonField,
      timestampField: s.logging?.timestampField ?? unattributedLogParsing.timestampField,
      pathField: s.logging?.pathField ?? unattributedLogParsing.pathField,
      dropPaths: s.logging?.dropPaths ?? [],
    },
  }));
  const models: ResolvedModel[] = Object.entries(config.models ?? {}).map(([name, m]) => ({
    name,
    service: m.service,
    team: m.team ?? defaultTeam,
    thresholds: withDefaults(defaultModelThresholds, m.thresholds as ModelThresholds | undefined),
  }));
  const infrastructure = {
    team: infraConfig.team ?? 'platform',
    nodeExporter: infraConfig.nodeExporter
      ? {
          kind: 'kubernetes-pods' as const,
          namespace: infraConfig.nodeExporter.kubernetes.namespace,
          podLabels: infraConfig.nodeExporter.kubernetes.podLabels ?? { 'app.kubernetes.io/name': 'node-exporter' },
          port: infraConfig.nodeExporter.kubernetes.port ?? 9100,
        }
      : { kind: 'static' as const, targets: infraConfig.nodeExporterTargets ?? ['node-exporter:9100'] },
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
    // labels, summary and description are the user's own Go templates (checked in config/semantics.ts); the
    // team and the runbook URL are plain values, escaped to render as themselves.
    labels: { ...rule.labels, severity: rule.severity ?? 'warning', team: escapeGoTemplate(rule.team ?? defaultTeam) },
    annotations: {
      summary: rule.summary,
      description: rule.description,
      ...(config.runbookBaseUrl ? { runbook_url: escapeGoTemplate(`${config.runbookBaseUrl.replace(/\/+$/, '')}/${rule.name}`) } : {}),
    },
    source: `rules.alerts[${i}]`,
  }));
  const groupOf = (group: string) => ({ name: group, interval: ruleGroupInterval, rules: builtinAlerts.filter((a) => a.group === group).map((a) => a.rule) });
  const alertGroups = [groupOf('infrastructure'), groupOf('application'), groupOf('ml-models')];
  if (customAlerts.length) alertGroups.push({ name: 'custom', interval: ruleGroupInterval, rules: customAlerts });

  const ruleFiles: RuleFile[] = [
    ...thresholdRuleFiles(buildThresholdRules({ services, models, defaultTeam, defaultModelThresholds }), ruleGroupInterval),
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
    recordedMetric(serviceInfoSeries, ['service', 'team'], 'One series per service configured'),
    ...thresholdMetrics,
    ...(config.metrics ?? []).map((m) => ({ name: m.name, type: m.type, labels: m.labels ?? [], help: m.help ?? '', origin: 'config' as const })),
    ...customRecording.map((r) => recordedMetric(r.record, Object.keys(r.labels), 'Custom recording rule')),
  ];

  const prometheusPort = prometheus.port ?? 9090;
  const scrapeJobs = buildScrapeJobs(services, infrastructure, prometheusPort);
  const model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'> = {
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
      port: prometheusPort,
      ruleFilePaths: ruleFiles.map((f) => `rules/${f.name}`),
    },
    scrapeJobs,
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
    logging: buildLogging(config.logging ?? {}),
    kubernetes: buildKubernetes(config.kubernetes ?? {}, scrapeJobs, alerting),
    grafana: resolveGrafana(config.grafana ?? {}, prometheus.scrapeInterval ?? '15s', buildLogging(config.logging ?? {}), prometheusPort),
    templatesDir: config.templatesDir ? resolve(configDir, config.templatesDir) : undefined,
    userRuleTestFiles: (config.ruleTestFiles ?? []).map((f) => resolve(configDir, f)),
  };
  return deepFreeze({ ...model, ruleTests: buildRuleProofs(model), routingTests: buildRoutingProofs(model) });
}

/** The seed's log parsing: JSON in `message`, its time in `timestamp`; nothing dropped. */
const unattributedLogParsing: LogParsing = { jsonField: 'message', timestampField: 'timestamp', pathField: 'path', dropPaths: [] };

function buildLogging(logging: LoggingConfig): LoggingModel {
  const beatsPort = logging.beatsPort ?? 5044;
  const serviceLabel = logging.serviceLabel ?? 'app';
  return {
    beatsPort,
    elasticsearchHosts: logging.elasticsearchHosts ?? ['http://elasticsearch:9200'],
    indexPrefix: logging.indexPrefix ?? 'ml-logs',
    serviceLabel,
    // filebeat.yml sets labels.dedot, so `app.kubernetes.io/name` arrives as kubernetes.labels.app_kubernetes_io/name.
    serviceLabelField: ['kubernetes', 'labels', serviceLabel.replaceAll('.', '_')],
    // The Logstash Service of the Kubernetes manifests, in Filebeat's own namespace.
    logstashHost: logging.logstashHost ?? `logstash:${beatsPort}`,
    jsonTarget: 'app',
    unattributed: unattributedLogParsing,
    elasticsearchCredentials: { userVariable: 'ES_USER', passwordVariable: 'ES_PASSWORD' },
    pipeline: { id: 'ml-logs', configPath: '/usr/share/logstash/pipeline/logstash.conf' },
  };
}

/**
 * Grafana's data sources and dashboard settings. Elasticsearch is the first of `logging.elasticsearchHosts`
 * (a Grafana data source has one URL), read through the daily index pattern Logstash writes, so Grafana only
 * searches the days in a dashboard's time range.
 */
function resolveGrafana(grafana: GrafanaConfig, scrapeInterval: string, logging: LoggingModel, prometheusPort: number): GrafanaModel {
  return {
    perModelDashboards: grafana.perModelDashboards ?? false,
    folder: grafana.folder ?? 'mlmon',
    dashboardsPath: '/var/lib/grafana/dashboards/mlmon',
    refresh: '30s',
    timeFrom: 'now-6h',
    prometheus: { name: 'Prometheus', uid: 'mlmon-prometheus', url: grafana.prometheusUrl ?? `http://prometheus:${prometheusPort}`, scrapeInterval },
    elasticsearch: {
      name: 'Elasticsearch',
      uid: 'mlmon-elasticsearch',
      url: logging.elasticsearchHosts[0] ?? 'http://elasticsearch:9200',
      index: `[${logging.indexPrefix}-]YYYY.MM.DD`,
      interval: 'Daily',
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
    namespace: kubernetes.namespace ?? 'monitoring',
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
        tolerations: (own?.tolerations ?? defaultTolerations[component]).map((t) => ({ ...t, operator: t.operator ?? 'Equal' })),
        nodeSelector: own?.nodeSelector ?? {},
        ...(own?.priorityClassName ? { priorityClassName: own.priorityClassName } : {}),
      }];
    })) as Record<KubernetesComponent, PodSchedulingModel>,
    alertmanagerStorageSize: kubernetes.alertmanagerStorageSize ?? '1Gi',
    alertmanagerSecret: { name: secretName, mountPath, keys: [...new Set(secretKeys)].sort() },
    grafanaAdminSecret: { name: kubernetes.grafanaAdminSecretName ?? 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
    elasticsearchSecret: { name: kubernetes.elasticsearchSecretName ?? 'logstash-elasticsearch', usernameKey: 'username', passwordKey: 'password' },
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

/** Every `*File` option under `alerting` (secrets Alertmanager reads from files), with its config path. */
export function alertingSecretFiles(alerting: AlertingConfig | undefined): { path: (string | number)[]; file: string }[] {
  const found: { path: (string | number)[]; file: string }[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (Array.isArray(node)) return node.forEach((child, i) => walk(child, [...path, i]));
    if (!node || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node)) {
      if (/File$/.test(key) && typeof child === 'string') found.push({ path: [...path, key], file: child });
      else walk(child, [...path, key]);
    }
  };
  walk(alerting, ['alerting']);
  return found;
}

// A fleet's threshold series run to tens of thousands of rules: shard them so that each rule file stays well
// under the 1 MiB a Kubernetes ConfigMap may hold, and a diff of one model's change touches one small file.
// A target's series never straddle two files, and the default thresholds have a file of their own: the
// proofs load one file of targets at a time, with the defaults (rule-proofs.ts).
const thresholdRulesPerFile = 2000;

function thresholdRuleFiles(rules: RecordingRule[], interval: string): RuleFile[] {
  if (rules.length <= thresholdRulesPerFile) return [{ name: 'thresholds.yml', groups: [{ name: 'mlmon-thresholds', interval, rules }] }];
  const shards: RecordingRule[][] = [[]];
  for (const { target, rules: ofTarget } of groupedByTarget(rules)) {
    const current = shards.at(-1)!;
    const alone = target === 'defaults';
    if (current.length > 0 && (alone || current.length + ofTarget.length > thresholdRulesPerFile)) shards.push([]);
    shards.at(-1)!.push(...ofTarget);
    if (alone) shards.push([]);
  }
  if (shards.at(-1)!.length === 0) shards.pop();
  return shards.map((shard, i) => {
    const suffix = String(i + 1).padStart(3, '0');
    return { name: `thresholds-${suffix}.yml`, groups: [{ name: `mlmon-thresholds-${suffix}`, interval, rules: shard }] };
  });
}

/** Consecutive rules of one model, one service, or the defaults, in order. */
function groupedByTarget(rules: readonly RecordingRule[]): { target: string; rules: RecordingRule[] }[] {
  const groups: { target: string; rules: RecordingRule[] }[] = [];
  for (const rule of rules) {
    const target = rule.labels.model !== undefined ? `model ${rule.labels.model}` : rule.labels.service !== undefined ? `service ${rule.labels.service}` : 'defaults';
    if (groups.at(-1)?.target !== target) groups.push({ target, rules: [] });
    groups.at(-1)!.rules.push(rule);
  }
  return groups;
}

/** `base` with the keys `override` sets (including `false`, which disables) replaced. */
function withDefaults<T extends object>(base: T, override: Partial<T> | undefined): T {
  const out = { ...base };
  for (const [key, value] of Object.entries(override ?? {})) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

/**
 * Freezes `value` and every object under it. Plain loops, and strings and numbers never visited: at 10,000 models
 * the model holds ~220,000 objects, and an Object.values array per object plus a call per leaf cost measurably.
 */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child === 'object' && child !== null) deepFreeze(child);
    }
  } else {
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const child: unknown = (value as Record<string, unknown>)[keys[i]!];
      if (typeof child === 'object' && child !== null) deepFreeze(child);
    }
  }
  return value;
}
