/**
 * What people write in `monitoring.config.ts`.
 *
 * This file is the single source of truth for the config's shape: `npm run schema` generates
 * `schemas/monitoring-config.schema.json` from these types (ts-json-schema-generator reads the JSDoc
 * `@default`, `@minimum`, `@pattern`… tags), and a test fails when the committed schema drifts.
 * Every field is optional unless the system cannot be described without it; `normalize()` fills in the
 * defaults, which reproduce the system in the seed solution guide.
 */

/**
 * A Prometheus duration: one or more `<number><unit>` parts in descending unit order, units `y w d h m s ms`.
 * Examples: `30s`, `5m`, `1h30m`.
 * @pattern ^(?=\d)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$
 */
export type Duration = string;

/**
 * A ratio between 0 and 1 inclusive (0.85 means 85%).
 * @minimum 0
 * @maximum 1
 */
export type Ratio = number;

/**
 * A percentage greater than 0 and at most 100.
 * @exclusiveMinimum 0
 * @maximum 100
 */
export type Percentage = number;

/**
 * A non-negative number of seconds.
 * @minimum 0
 */
export type Seconds = number;

/**
 * A name that becomes a Prometheus label value (model, service, team, receiver…): any non-empty text
 * without control characters.
 * @pattern ^[^\u0000-\u001f\u007f]+$
 */
export type Name = string;

/**
 * A Prometheus label name.
 * @pattern ^[a-zA-Z_][a-zA-Z0-9_]*$
 */
export type LabelName = string;

/**
 * A Prometheus metric name.
 * @pattern ^[a-zA-Z_:][a-zA-Z0-9_:]*$
 */
export type MetricName = string;

/**
 * A `host:port` scrape or alerting target.
 * @pattern ^[^\s/]+:\d{1,5}$
 */
export type HostPort = string;

/**
 * An absolute path to a file mounted into the container, typically from a Kubernetes Secret.
 * mlmon never writes secret values: receivers reference them by file.
 * @pattern ^/.+
 */
export type SecretFilePath = string;

/** Alert severities mlmon knows how to route. */
export type Severity = 'critical' | 'warning' | 'info';

/** Names of the alerts mlmon generates. */
export type BuiltinAlertName =
  | 'HighCPUUsage'
  | 'HighMemoryUsage'
  | 'DiskSpaceLow'
  | 'ServiceDown'
  | 'HighErrorRate'
  | 'HighLatency'
  | 'LowThroughput'
  | 'ModelAccuracyDrop'
  | 'DataDriftDetected'
  | 'HighInferenceLatency'
  | 'LowPredictionConfidence';

export interface MonitoringConfig {
  /** JSON Schema reference, for editors; ignored by mlmon. */
  $schema?: string;
  /**
   * Cluster name; becomes the `cluster` external label on every series and alert.
   * @default "ml-cluster"
   */
  cluster?: Name;
  /**
   * Environment name; becomes the `environment` external label.
   * @default "production"
   */
  environment?: Name;
  /**
   * Base URL of your runbooks. When set, every alert gets a `runbook_url` annotation `<base>/<AlertName>`.
   * @format uri
   */
  runbookBaseUrl?: string;
  /** Prometheus server settings. */
  prometheus?: PrometheusSettings;
  /** Node and cluster monitoring. */
  infrastructure?: InfrastructureConfig;
  /** HTTP services to scrape and alert on, keyed by service name (the `service` label). */
  services?: Record<Name, ServiceConfig>;
  /**
   * ML models, keyed by model name (the `model` label of the instrumentation). Models that appear in
   * metrics but are not listed here are still alerted on, with `defaults.modelThresholds`.
   */
  models?: Record<Name, ModelConfig>;
  /** Defaults applied to every model and service that doesn't override them. */
  defaults?: DefaultsConfig;
  /** Per-alert overrides of severity and `for` duration, or disabling an alert entirely. */
  alerts?: Partial<Record<BuiltinAlertName, AlertOverride>>;
  /** Alertmanager: receivers, routing, grouping, inhibition. */
  alerting?: AlertingConfig;
  /** Your own alert and recording rules, for what the built-ins don't cover. */
  rules?: CustomRulesConfig;
  /** Your own metrics, added to the metric catalog that `mlmon validate` checks expressions against. */
  metrics?: CustomMetric[];
  /** Log shipping and parsing (Filebeat → Logstash → Elasticsearch). */
  logging?: LoggingConfig;
  /** Where and how the stack runs in Kubernetes. */
  kubernetes?: KubernetesConfig;
  /** Grafana dashboards and their provisioning. */
  grafana?: GrafanaConfig;
  /**
   * A folder of Handlebars templates that override mlmon's own (same file names as mlmon's `templates/`),
   * relative to the config file.
   */
  templatesDir?: string;
  /** Extra promtool rule unit test files of your own, relative to the config file; `mlmon validate` runs them. */
  ruleTestFiles?: string[];
}

export interface PrometheusSettings {
  /**
   * How often targets are scraped.
   * @default "15s"
   */
  scrapeInterval?: Duration;
  /**
   * How often rules are evaluated.
   * @default "15s"
   */
  evaluationInterval?: Duration;
  /**
   * Evaluation interval of the generated rule groups.
   * @default "30s"
   */
  ruleGroupInterval?: Duration;
  /**
   * The Alertmanagers Prometheus sends alerts to.
   * @default ["alertmanager:9093"]
   */
  alertmanagers?: HostPort[];
  /**
   * How long Prometheus keeps data.
   * @default "15d"
   */
  retention?: Duration;
  /**
   * Size of Prometheus' persistent volume (Kubernetes quantity).
   * @default "50Gi"
   */
  storageSize?: string;
}

export interface InfrastructureConfig {
  /**
   * Team that owns infrastructure alerts (the `team` label).
   * @default "platform"
   */
  team?: Name;
  /**
   * node-exporter targets.
   * @default ["node-exporter:9100"]
   */
  nodeExporterTargets?: HostPort[];
  /**
   * Scrape the Kubernetes nodes' kubelets through Kubernetes discovery.
   * @default true
   */
  kubernetesNodes?: boolean;
  /** Node thresholds. */
  thresholds?: InfrastructureThresholds;
}

export interface InfrastructureThresholds {
  /**
   * CPU usage above which HighCPUUsage fires.
   * @default 80
   */
  maxCpuPercent?: Percentage;
  /**
   * Memory usage above which HighMemoryUsage fires.
   * @default 85
   */
  maxMemoryPercent?: Percentage;
  /**
   * Free disk space below which DiskSpaceLow fires.
   * @default 15
   */
  minDiskFreePercent?: Percentage;
}

export interface ServiceConfig {
  /**
   * Team that owns the service (the `team` label on its alerts).
   * @default defaults.team
   */
  team?: Name;
  /** How Prometheus finds the service's pods or hosts. */
  discovery: ServiceDiscovery;
  /** Per-service thresholds; `false` disables that alert for this service. */
  thresholds?: ServiceThresholds;
  /** Per-service log parsing. */
  logging?: ServiceLogging;
}

/** Exactly one of `kubernetesPods` or `staticTargets`. */
export interface ServiceDiscovery {
  /** Discover pods in these namespaces that carry the `prometheus.io/scrape: "true"` annotation. */
  kubernetesPods?: KubernetesPodDiscovery;
  /** Scrape these fixed `host:port` targets. */
  staticTargets?: HostPort[];
}

export interface KubernetesPodDiscovery {
  /**
   * Namespaces to discover pods in.
   * @minItems 1
   */
  namespaces: Name[];
}

export interface ServiceThresholds {
  /**
   * Ratio of 5xx responses above which HighErrorRate fires; `false` disables it.
   * @default 0.05
   */
  maxErrorRatio?: Ratio | false;
  /**
   * p95 request latency in seconds above which HighLatency fires; `false` disables it.
   * @default 0.5
   */
  maxLatencyP95Seconds?: Seconds | false;
  /**
   * Requests per second below which LowThroughput fires; `false` disables it.
   * @default 1
   */
  minThroughputRps?: Seconds | false;
}

/**
 * A field of a log event: a plain name (`message`) or a Logstash field reference to a nested field
 * (`[http][path]`). No `[`, `]` or `,` inside a name: Logstash field references have no escape for them.
 * @pattern ^([^\u0000-\u001f\u007f\[\],]+|(\[[^\u0000-\u001f\u007f\[\],]+\])+)$
 */
export type LogField = string;

/**
 * A request path as the service logs it, starting with `/`.
 * @pattern ^/[^\u0000-\u001f\u007f]*$
 */
export type RequestPath = string;

/**
 * A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a name.
 * @pattern ^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?){0,}/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$
 */
export type KubernetesLabelKey = string;

/**
 * How a service's log lines are parsed. A line belongs to a service when its pod carries the label
 * `logging.serviceLabel` with the service's name as value.
 */
export interface ServiceLogging {
  /**
   * The field of the log line that holds the JSON document to parse.
   * @default "message"
   */
  jsonField?: LogField;
  /**
   * The field of the parsed JSON document that holds the event's time (ISO 8601); it becomes `@timestamp`.
   * @default "timestamp"
   */
  timestampField?: LogField;
  /**
   * The field of the parsed JSON document that holds the request path `dropPaths` is compared with.
   * @default "path"
   */
  pathField?: LogField;
  /** Request paths whose log lines are dropped (health checks, for example); compared exactly. */
  dropPaths?: RequestPath[];
}

export interface ModelConfig {
  /** The service (a key of `services`) that serves this model. */
  service: Name;
  /**
   * Team that owns the model (the `team` label on its alerts).
   * @default defaults.team
   */
  team?: Name;
  /** Per-model thresholds; anything not given comes from `defaults.modelThresholds`; `false` disables it. */
  thresholds?: ModelThresholds;
}

export interface ModelThresholds {
  /**
   * Accuracy below which ModelAccuracyDrop fires; `false` disables it.
   * @default 0.85
   */
  minAccuracy?: Ratio | false;
  /**
   * Drift score above which DataDriftDetected fires; `false` disables it.
   * @default 0.3
   */
  maxDriftScore?: Ratio | false;
  /**
   * p95 inference latency in seconds above which HighInferenceLatency fires; `false` disables it.
   * @default 1
   */
  maxInferenceLatencyP95Seconds?: Seconds | false;
  /**
   * Mean prediction confidence below which LowPredictionConfidence fires; `false` disables it.
   * @default 0.7
   */
  minMeanConfidence?: Ratio | false;
}

export interface DefaultsConfig {
  /**
   * Team for models and services that don't name one.
   * @default "ml-platform"
   */
  team?: Name;
  /** Thresholds for every model, listed or not, unless the model overrides them. */
  modelThresholds?: ModelThresholds;
  /** Thresholds for every service unless the service overrides them. */
  serviceThresholds?: ServiceThresholds;
}

export interface AlertOverride {
  /** Severity label of the alert. */
  severity?: Severity;
  /** How long the condition must hold before the alert fires. */
  for?: Duration;
  /**
   * The range the alert's rate or average is taken over (`5m` for most; `10m` for LowPredictionConfidence).
   * Keep it at least twice the scrape interval.
   */
  window?: Duration;
  /**
   * `false` removes the alert entirely.
   * @default true
   */
  enabled?: boolean;
}

export interface AlertingConfig {
  /**
   * Receiver for alerts that no route matches.
   * @default "default"
   */
  defaultReceiver?: Name;
  /** Notification receivers, keyed by name. */
  receivers?: Record<Name, ReceiverConfig>;
  /** Routes, tried in order; the first match wins unless it sets `continue`. */
  routes?: RouteConfig[];
  /** How alerts are grouped into notifications and how often they repeat. */
  grouping?: GroupingConfig;
  /**
   * How long Alertmanager waits before declaring an alert without updates resolved.
   * @default "5m"
   */
  resolveTimeout?: Duration;
  /** Global SMTP settings for email receivers. */
  smtp?: SmtpConfig;
  /**
   * File holding the Slack webhook URL, used by Slack receivers that don't set their own `apiUrlFile`.
   */
  slackApiUrlFile?: SecretFilePath;
  /**
   * Inhibition: while a source alert fires, matching target alerts are muted. By default a critical alert
   * mutes warnings for the same model, service or instance.
   */
  inhibitRules?: InhibitRuleConfig[];
}

export interface GroupingConfig {
  /**
   * Labels that group alerts into one notification, each once (Alertmanager refuses a repeated one).
   * @default ["alertname","cluster","service","model"]
   * @uniqueItems true
   */
  groupBy?: LabelName[];
  /**
   * @default "10s"
   */
  groupWait?: Duration;
  /**
   * @default "10s"
   */
  groupInterval?: Duration;
  /**
   * @default "12h"
   */
  repeatInterval?: Duration;
}

export interface SmtpConfig {
  /** SMTP server `host:port`. */
  smarthost: HostPort;
  /**
   * Sender address (Alertmanager refuses an empty one).
   * @pattern \S
   */
  from: string;
  /** SMTP auth user name (not a secret). */
  authUsername?: string;
  /** File holding the SMTP password. */
  authPasswordFile?: SecretFilePath;
  /**
   * @default true
   */
  requireTls?: boolean;
}

/** A receiver: one or more notification integrations. */
export interface ReceiverConfig {
  email?: EmailIntegration[];
  slack?: SlackIntegration[];
  pagerduty?: PagerDutyIntegration[];
  webhook?: WebhookIntegration[];
}

export interface EmailIntegration {
  /**
   * Recipient address(es) (Alertmanager refuses an empty one).
   * @pattern \S
   */
  to: string;
  /**
   * Send a notification when the alert resolves.
   * @default false
   */
  sendResolved?: boolean;
}

export interface SlackIntegration {
  /** Channel, such as `#ml-alerts`. */
  channel: string;
  /** File holding this integration's Slack webhook URL; defaults to `alerting.slackApiUrlFile`. */
  apiUrlFile?: SecretFilePath;
  /** Message title (Alertmanager template syntax is passed through untouched). */
  title?: string;
  /** Message text (Alertmanager template syntax is passed through untouched). */
  text?: string;
  /**
   * @default true
   */
  sendResolved?: boolean;
}

export interface PagerDutyIntegration {
  /** File holding the PagerDuty Events API v2 routing key. */
  routingKeyFile: SecretFilePath;
  /**
   * @default true
   */
  sendResolved?: boolean;
}

export interface WebhookIntegration {
  /** The webhook URL, when it is not a secret. Use `urlFile` when the URL carries a token. */
  url?: string;
  /** File holding the webhook URL. */
  urlFile?: SecretFilePath;
  /**
   * @default true
   */
  sendResolved?: boolean;
}

export interface RouteConfig {
  /** Receiver name (a key of `alerting.receivers`). */
  receiver: Name;
  /** Alerts this route takes; all given labels must match. A list means any of those values. */
  match?: RouteMatch;
  /**
   * Keep trying the following routes after this one matched.
   * @default false
   */
  continue?: boolean;
  /**
   * Overrides the grouping labels for this route, each once.
   * @uniqueItems true
   */
  groupBy?: LabelName[];
  /** Child routes, tried when this route matches. */
  routes?: RouteConfig[];
}

export interface RouteMatch {
  severity?: Severity | Severity[];
  team?: Name | Name[];
  alertname?: string | string[];
  /** Any other label equality. */
  labels?: Record<LabelName, string>;
}

export interface InhibitRuleConfig {
  /** Labels the muting alert has. */
  source: Record<LabelName, string>;
  /** Labels the muted alert has. */
  target: Record<LabelName, string>;
  /**
   * Labels that must be equal (and present) on both.
   * @minItems 1
   */
  equal: LabelName[];
}

export interface CustomRulesConfig {
  /** Extra alerting rules, in the group `custom`. */
  alerts?: CustomAlertRule[];
  /** Extra recording rules, in the group `custom-recording`. */
  recording?: CustomRecordingRule[];
}

export interface CustomAlertRule {
  /**
   * Alert name, CamelCase.
   * @pattern ^[A-Z][A-Za-z0-9]*$
   */
  name: string;
  /** PromQL expression. */
  expr: string;
  /**
   * @default "0s"
   */
  for?: Duration;
  /**
   * @default "warning"
   */
  severity?: Severity;
  /**
   * @default defaults.team
   */
  team?: Name;
  /** Extra labels. */
  labels?: Record<LabelName, string>;
  summary: string;
  description: string;
}

export interface CustomRecordingRule {
  /** Name of the recorded series (`level:metric:operations`). */
  record: MetricName;
  /** PromQL expression. */
  expr: string;
  labels?: Record<LabelName, string>;
}

export interface CustomMetric {
  name: MetricName;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  /** Labels the instrumentation sets (target labels such as job and instance are implied). */
  labels?: LabelName[];
  help?: string;
}

export interface LoggingConfig {
  /**
   * Port of Logstash's beats input.
   * @default 5044
   * @minimum 1
   * @maximum 65535
   * @asType integer
   */
  beatsPort?: number;
  /**
   * Elasticsearch URLs.
   * @default ["http://elasticsearch:9200"]
   */
  elasticsearchHosts?: string[];
  /**
   * Daily indices are named `<indexPrefix>-YYYY.MM.dd`: lowercase letters, digits, `.`, `_` and `-`, as
   * Elasticsearch index names allow (and no `%{`, which Logstash would expand).
   * @default "ml-logs"
   * @pattern ^[a-z0-9][a-z0-9._-]*$
   */
  indexPrefix?: string;
  /**
   * The pod label whose value names the service a log line belongs to; services' own `logging` parsing
   * applies to lines from pods whose label value is the service's name.
   * @default "app"
   */
  serviceLabel?: KubernetesLabelKey;
  /**
   * Where Filebeat sends log lines: Logstash's beats input as seen from the Filebeat pods.
   * Defaults to `logstash:<beatsPort>`.
   * @default "logstash:5044"
   */
  logstashHost?: HostPort;
}

export interface KubernetesConfig {
  /**
   * Namespace the monitoring stack runs in.
   * @default "monitoring"
   */
  namespace?: KubernetesNamespace;
  /** Pinned container images; `latest` is refused. */
  images?: ImagesConfig;
  /** CPU and memory requests and limits of each component's container; anything not given keeps its default. */
  resources?: ComponentResourcesConfig;
  /**
   * The Secret, created by you (mlmon never writes secret values), that is mounted into Alertmanager at
   * `alertmanagerSecretMountPath`. Each of alerting's `*File` options names one of its keys:
   * `authPasswordFile: "/etc/alertmanager/secrets/smtp-password"` reads the key `smtp-password`.
   * @default "alertmanager-secrets"
   */
  alertmanagerSecretName?: KubernetesObjectName;
  /**
   * Where Alertmanager's Secret is mounted. Every `*File` option under `alerting` must name a file directly
   * in this folder (a Secret volume is flat: its keys cannot contain `/`).
   * @default "/etc/alertmanager/secrets"
   * @pattern ^/.+
   */
  alertmanagerSecretMountPath?: string;
  /**
   * The Secret, created by you, holding Grafana's admin login under the keys `admin-user` and `admin-password`.
   * @default "grafana-admin"
   */
  grafanaAdminSecretName?: KubernetesObjectName;
  /**
   * The Secret, created by you, holding Logstash's Elasticsearch credentials under the keys `username` and
   * `password`.
   * @default "logstash-elasticsearch"
   */
  elasticsearchSecretName?: KubernetesObjectName;
}

/**
 * A Kubernetes namespace name (an RFC 1123 label).
 * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
 * @maxLength 63
 */
export type KubernetesNamespace = string;

/**
 * A Kubernetes object name (an RFC 1123 subdomain).
 * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
 * @maxLength 253
 */
export type KubernetesObjectName = string;

/**
 * A Kubernetes resource quantity: CPU in cores or millicores (`1`, `250m`), memory in bytes with a suffix
 * (`512Mi`, `2Gi`).
 * @pattern ^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$
 */
export type ResourceQuantity = string;

export interface ResourceAmounts {
  /** CPU, in cores (`1`) or millicores (`250m`). Default: the component's, see `kubernetes.resources`. */
  cpu?: ResourceQuantity;
  /** Memory (`512Mi`, `2Gi`). Default: the component's, see `kubernetes.resources`. */
  memory?: ResourceQuantity;
}

export interface ContainerResources {
  /** What the scheduler reserves for the container. */
  requests?: ResourceAmounts;
  /** What the container may use at most (memory beyond it is OOM-killed, CPU beyond it throttled). */
  limits?: ResourceAmounts;
}

export interface ComponentResourcesConfig {
  /** @default {"requests":{"cpu":"250m","memory":"1Gi"},"limits":{"cpu":"1","memory":"2Gi"}} */
  prometheus?: ContainerResources;
  /** @default {"requests":{"cpu":"50m","memory":"64Mi"},"limits":{"cpu":"200m","memory":"256Mi"}} */
  alertmanager?: ContainerResources;
  /** @default {"requests":{"cpu":"100m","memory":"256Mi"},"limits":{"cpu":"500m","memory":"512Mi"}} */
  grafana?: ContainerResources;
  /**
   * Logstash's JVM heap is 1 GiB (the image's jvm.options); the memory limit leaves room for off-heap memory.
   * @default {"requests":{"cpu":"500m","memory":"1536Mi"},"limits":{"cpu":"1","memory":"2Gi"}}
   */
  logstash?: ContainerResources;
  /** @default {"requests":{"cpu":"100m","memory":"100Mi"},"limits":{"cpu":"500m","memory":"200Mi"}} */
  filebeat?: ContainerResources;
}

export interface ImagesConfig {
  /** @default "prom/prometheus:v3.16.0" */
  prometheus?: string;
  /** @default "prom/alertmanager:v0.35.0" */
  alertmanager?: string;
  /** @default "grafana/grafana:12.3.0" */
  grafana?: string;
  /** @default "docker.elastic.co/logstash/logstash:8.19.0" */
  logstash?: string;
  /** @default "docker.elastic.co/beats/filebeat:8.19.0" */
  filebeat?: string;
}

export interface GrafanaConfig {
  /**
   * Also generate one dashboard per model listed in `models`, besides the ML models dashboard (which covers
   * every model, listed or not, through its `$model` variable).
   * @default false
   */
  perModelDashboards?: boolean;
  /**
   * The URL Grafana reaches Prometheus at (the provisioned Prometheus data source).
   * @default "http://prometheus:9090"
   * @format uri
   */
  prometheusUrl?: string;
  /**
   * The Grafana folder the dashboards are provisioned into.
   * @default "mlmon"
   */
  folder?: Name;
}

/**
 * Declares a monitoring config with full type checking and editor completion. It returns its argument
 * unchanged: all checking and defaulting happens in `mlmon`.
 */
export function defineConfig(config: MonitoringConfig): MonitoringConfig {
  return config;
}
