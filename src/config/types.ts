/**
 * What people write in `monitoring.config.ts`.
 *
 * This file is the single source of truth for the config's shape: `npm run schema` generates
 * `schemas/monitoring-config.schema.json` from these types (ts-json-schema-generator reads the JSDoc
 * `@default`, `@minimum`, `@pattern`… tags), and a test fails when the committed schema drifts.
 * Every field is optional unless the system cannot be described without it; `normalize()` fills in the
 * defaults, which reproduce the system in the seed solution guide.
 */

// The alert catalog (src/catalog/) defines the alerts and their thresholds; these types are generated from it.
import type { DeployConfig } from './deploy-types.js';
export type { DeployedModel } from './deploy-types.js';
import type { BuiltinAlertName, InfrastructureThresholds, ModelThresholds, ServiceThresholds } from './alert-catalog.generated.js';
import type { LogRetentionConfig } from './logging-types.js';
export type { ElasticsearchByteSize, ElasticsearchDuration, LogRetentionConfig, LogRolloverConfig } from './logging-types.js';
export type { BuiltinAlertName, InfrastructureThresholds, ModelThresholds, ServiceThresholds } from './alert-catalog.generated.js';
import type { ScaleOutSettings } from './scale-types.js';
import type { ServiceIntegrationConfig } from './integration-types.js';
export type { IntegrationVersionConfig, ServiceIntegrationConfig } from './integration-types.js';
import type { GpuConfig } from './gpu-types.js';
export type * from './gpu-types.js';

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
 * A non-negative rate: how many per second.
 * @minimum 0
 */
export type PerSecond = number;

/**
 * A non-negative count (of requests waiting, …).
 * @minimum 0
 */
export type Count = number;

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
  /**
   * Also write the SLOs as OpenSLO v1 documents to out/openslo/slos.yaml, one `SLO` per SLO of a service or a
   * listed model (defaults applied), for tools that read OpenSLO; `mlmon import openslo` reads them back. A
   * default SLO (`defaults.modelSlos`) of models the config doesn't list is not written: an OpenSLO document is
   * about one service, not an open set of models.
   * @default false
   */
  openslo?: boolean;
  /** Deployment target: mlmon's own Prometheus stack, or objects for a cluster's Prometheus Operator. */
  deploy?: DeployConfig;
  /**
   * Deployment environments, keyed by name (`staging`, `production`): each is an overlay on the rest of this
   * config, merged as a JSON Merge Patch (RFC 7396): objects merge key by key, arrays and other values
   * replace, and `null` removes a key (a model, a receiver, a threshold). Each environment's merged config is
   * validated and rendered on its own into `out/<environment>/`, with `environment: <name>` as its external
   * label unless the overlay sets `environment`. Without `environments` the config renders into `out/` as one
   * stack. See docs/deploy.md, "Environments".
   */
  environments?: Record<EnvironmentName, ConfigOverlay>;
}

export interface PrometheusSettings extends ScaleOutSettings {
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
   * Evaluation interval of the generated rule groups. At most 2m30s: the alerts read series other groups record
   * as instant vectors, and one missed evaluation must leave them inside Prometheus' 5m lookback
   * (config/rule-group-interval).
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
  storageSize?: StorageQuantity;
  /**
   * The port Prometheus listens on. One value for `--web.listen-address`, the container port, the Service,
   * its own scrape target (`localhost:<port>`) and Grafana's default data source URL.
   * @default 9090
   * @minimum 1
   * @maximum 65535
   * @asType integer
   */
  port?: number;
}

/**
 * A Kubernetes quantity of bytes for a volume: a whole or decimal number with an optional binary (`Ki` … `Ei`)
 * or decimal (`k` … `E`) suffix, such as `50Gi` or `500M`. A bare number is bytes.
 * @pattern ^([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$
 */
export type StorageQuantity = string;

export interface InfrastructureConfig {
  /**
   * Team that owns infrastructure alerts (the `team` label).
   * @default "platform"
   */
  team?: Name;
  /**
   * Fixed node-exporter `host:port` targets, for hosts outside Kubernetes. In a cluster use `nodeExporter`
   * instead: a Service in front of a DaemonSet sends each scrape to a random node. Not together with
   * `nodeExporter`; when `nodeExporter` is set the default is none.
   * @default ["node-exporter:9100"]
   */
  nodeExporterTargets?: HostPort[];
  /**
   * node-exporter discovered per node in Kubernetes: one target per node, with `instance` set to the node's
   * name, so node alerts keep their identity when a node-exporter pod is replaced.
   */
  nodeExporter?: NodeExporterDiscovery;
  /**
   * Scrape the Kubernetes nodes' kubelets through Kubernetes discovery.
   * @default true
   */
  kubernetesNodes?: boolean;
  /** Node thresholds. */
  thresholds?: InfrastructureThresholds;
  /** GPU monitoring: NVIDIA's DCGM exporter pack (`gpus.dcgm`). */
  gpus?: GpuConfig;
}

export interface NodeExporterDiscovery {
  /** Find the pods of the node-exporter DaemonSet through Kubernetes pod discovery. */
  kubernetes: NodeExporterPods;
}

export interface NodeExporterPods {
  /** Namespace the node-exporter DaemonSet runs in. */
  namespace: KubernetesNamespace;
  /**
   * Labels that select the DaemonSet's pods; every one must match.
   * @default {"app.kubernetes.io/name":"node-exporter"}
   */
  podLabels?: Record<KubernetesLabelKey, KubernetesLabelValue>;
  /**
   * The port node-exporter listens on, on the pod's IP (the node's IP with `hostNetwork`).
   * @default 9100
   * @minimum 1
   * @maximum 65535
   * @asType integer
   */
  port?: number;
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
  /**
   * Service level objectives of the service, keyed by SLO name (the `slo` label of its burn-rate alerts):
   * `availability` counts 5xx responses of `http_requests_total` as errors, `latency` counts requests slower
   * than a bucket of `http_request_duration_seconds`.
   */
  slos?: Record<Name, SloConfig>;
  /** Per-service log parsing. */
  logging?: ServiceLogging;
  /** The model server the service runs (vLLM, …), whose metrics, alerts and dashboards mlmon then generates. */
  integration?: ServiceIntegrationConfig;
}

/** Exactly one of `kubernetesPods` or `staticTargets`. */
export interface ServiceDiscovery {
  /**
   * Discover pods in these namespaces that carry the `prometheus.io/scrape: "true"` annotation
   * (`prometheus.io/port`, `prometheus.io/path` and `prometheus.io/scheme` are honoured). Only pods that can
   * serve metrics become targets: not Pending, Succeeded (finished jobs) or Failed (evicted) pods, nor init
   * containers. A pod whose port is known (`prometheus.io/port`, or `port` below) is one target, at its IP
   * (IPv4 or IPv6) and that port; a pod whose port is not known is not scraped (ServiceUnreachable reports a
   * service left without targets).
   */
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
  /**
   * The port to scrape on pods without a `prometheus.io/port` annotation: a number, or the name of a container
   * port. Without it such a pod is not scraped: scraping every TCP port its containers declare would make one
   * target per port, and a pod with a metrics port and, say, a gRPC port a target that is down for ever.
   */
  port?: ContainerPortNumber | ContainerPortName;
}

/**
 * A TCP port number.
 * @minimum 1
 * @maximum 65535
 * @asType integer
 */
export type ContainerPortNumber = number;

/**
 * The name of a container port (an IANA service name): at most 15 lowercase letters, digits and `-`, with at
 * least one letter, not starting or ending with `-`.
 * @pattern ^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$
 * @maxLength 15
 */
export type ContainerPortName = string;

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
 * A Kubernetes label value: at most 63 characters, empty or starting and ending with a letter or digit, with
 * `-`, `_` and `.` between.
 * @pattern ^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$
 * @maxLength 63
 */
export type KubernetesLabelValue = string;

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

/**
 * A service level objective: the share of events that must be good over a rolling window, alerted on by its
 * error budget's burn rate over pairs of windows (the SRE workbook's multiwindow, multi-burn-rate alerts).
 */
export interface SloConfig {
  /** What makes an event good or bad. */
  indicator: SloIndicator;
  /**
   * Percentage of events that must be good over the window: 99.5 leaves an error budget of 0.5%.
   * @exclusiveMinimum 0
   * @exclusiveMaximum 100
   */
  objective: number;
  /**
   * The rolling window the objective and its error budget are counted over (`28d`, `30d`, `7d`…).
   * @default "28d"
   */
  window?: Duration;
  /**
   * The burn-rate tiers: `sre-workbook` (page at 14.4× over 1h and 5m or 6× over 6h and 30m, ticket at 3× over
   * 1d and 2h or 1× over 3d and 6h, for 30 days, the factors scaled to the window) or `pyrra` (Pyrra's four,
   * whose windows scale with the SLO window).
   * @default "sre-workbook"
   */
  tiers?: SloTierSet;
  /** Per tier (`page-fast`, `page-slow`, `ticket-fast`, `ticket-slow`): its severity and `for`, or `false` to disable it. */
  tierSettings?: Partial<Record<SloTierName, SloTierSettings | false>>;
  /**
   * A page tier stays silent while fewer events than this happened in its long window: on a quiet model a
   * handful of failures is a large share but no budget emergency.
   * @default 100
   * @minimum 0
   */
  minEvents?: number;
}

/** An SLO in `models.<name>.slos`: any field of the default of the same name, or a whole new SLO. */
export type SloOverride = Partial<SloConfig>;

/** The tiers of burn-rate alerts, from the Google SRE workbook or from Pyrra. */
export type SloTierSet = 'sre-workbook' | 'pyrra';

/** A burn-rate tier: two page tiers (fast and slow burn) and two ticket tiers. */
export type SloTierName = 'page-fast' | 'page-slow' | 'ticket-fast' | 'ticket-slow';

export interface SloTierSettings {
  /** Severity of the tier's alert: `critical` for page tiers and `warning` for ticket tiers unless set. */
  severity?: Severity;
  /** How long the burn must last before the alert fires (the tier's default unless set). */
  for?: Duration;
}

/** What makes an event good or bad. */
export type SloIndicator = SloAvailability | SloLatency | SloRatio;

/** Errors over requests, from the instrumentation's counters. */
export interface SloAvailability {
  kind: 'availability';
}

/** Requests (or inferences) slower than a bucket boundary of the latency histogram are bad. */
export interface SloLatency {
  kind: 'latency';
  /**
   * The latency target in seconds: it must be a bucket boundary (`le`) of the histogram, which `mlmon validate`
   * checks against the buckets in the metric catalog.
   * @exclusiveMinimum 0
   */
  thresholdSeconds: Seconds;
}

/**
 * Your own ratio: PromQL for the rate of bad events and of all events, each aggregated `by (model)` (a model
 * SLO) or `by (service)` (a service SLO), with `{{window}}` where the range goes:
 * `sum by (model) (rate(my_failures_total[{{window}}]))`.
 */
export interface SloRatio {
  kind: 'ratio';
  errors: string;
  total: string;
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
  /**
   * Service level objectives of the model, keyed by SLO name: each replaces the one of the same name in
   * `defaults.modelSlos` (fields it leaves out come from there), adds a new one, or is `false` to drop it for
   * this model.
   */
  slos?: Record<Name, SloOverride | false>;
}

export interface DefaultsConfig {
  /**
   * Team for models and services that don't name one.
   * @default "ml-platform"
   */
  team?: Name;
  /** Thresholds for every model, listed or not, unless the model overrides them. */
  modelThresholds?: ModelThresholds;
  /**
   * SLOs of every model, listed or not, keyed by SLO name, unless a model overrides or drops one
   * (`models.<name>.slos`). `availability` counts `predictions_total{status="error"}` as errors, `latency`
   * counts inferences slower than a bucket of `model_inference_duration_seconds`.
   */
  modelSlos?: Record<Name, SloConfig>;
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
   * Gauge alerts (ModelAccuracyDrop, DataDriftDetected) average each replica over it, so a rollout's gap or a
   * lost scrape shorter than it keeps them running. For ServiceUnreachable (`2m`) and ModelMetricsMissing
   * (`5m`) it is how long without a successful scrape or a sample counts as gone. ServiceDown reads the latest
   * sample and has no window (`config/unused-window`). It must survive one lost scrape: at least 3 scrape
   * intervals for a rate, 2 for an `*_over_time` (`config/alert-window` reports a shorter one).
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
  /**
   * Notification receivers, keyed by name. Without any, there is one receiver named `defaultReceiver` with no
   * integrations: alerts are routed and grouped but notify no one.
   * @default {"default":{}}
   */
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
   * mutes warnings for the same model, service or instance of the same job (`instance` names a node in the node
   * exporter's, the kubelets' and dcgm-exporter's jobs alike), or the same finer thing an integration's alerts
   * are about (a KServe revision, a GPU).
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
  /** Message title: an Alertmanager (Go) template, checked for syntax (`config/go-template`). */
  title?: string;
  /** Message text: an Alertmanager (Go) template, checked for syntax (`config/go-template`). */
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
  /**
   * A histogram's bucket boundaries (`le`), which a latency SLO's target must be one of. Given for a built-in
   * histogram (same name and type), it replaces the buckets mlmon assumes (the Prometheus client's defaults).
   */
  buckets?: number[];
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
   * The name of the data stream Logstash writes to, and the start of every index Kibana's data view and Grafana
   * read (`<indexPrefix>*`, which also covers the daily `<indexPrefix>-YYYY.MM.dd` indices of earlier mlmon
   * versions): lowercase letters, digits, `.`, `_` and `-`, as Elasticsearch index names allow (and no `%{`,
   * which Logstash would expand).
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
  /** How long Elasticsearch keeps the logs, and when it rolls the data stream over (see logging-types.ts). */
  retention?: LogRetentionConfig;
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
  /**
   * Size of Alertmanager's persistent volume, which keeps silences and the notification log across restarts
   * (Alertmanager runs as a one-replica StatefulSet, as kube-prometheus runs it).
   * @default "1Gi"
   */
  alertmanagerStorageSize?: StorageQuantity;
  /**
   * Which nodes each component's pods may run on. Filebeat, which must run on every node to ship its logs,
   * tolerates every taint unless you set its `tolerations`.
   */
  scheduling?: ComponentSchedulingConfig;
}

export interface ComponentSchedulingConfig {
  /** @default {"tolerations":[]} */
  prometheus?: PodScheduling;
  /** @default {"tolerations":[]} */
  alertmanager?: PodScheduling;
  /** @default {"tolerations":[]} */
  grafana?: PodScheduling;
  /** @default {"tolerations":[]} */
  logstash?: PodScheduling;
  /** @default {"tolerations":[{"operator":"Exists","effect":"NoSchedule"},{"operator":"Exists","effect":"NoExecute"}]} */
  filebeat?: PodScheduling;
}

/** Where a component's pods may be scheduled, in the fields of a Kubernetes pod spec. */
export interface PodScheduling {
  /**
   * Taints the pods tolerate. Replaces the component's default (see `kubernetes.scheduling`): none, except
   * Filebeat, which tolerates every NoSchedule and NoExecute taint.
   */
  tolerations?: Toleration[];
  /**
   * Node labels a node must carry for the pods to run there. mlmon checks the labels' syntax, not that any
   * node carries them: a selector no node matches leaves the pods Pending (or a DaemonSet on no node).
   * @default {}
   */
  nodeSelector?: Record<KubernetesLabelKey, KubernetesLabelValue>;
  /**
   * A PriorityClass you created (or `system-node-critical`), so that these pods are not the first evicted
   * when a node runs short. Worth setting for Filebeat: an evicted collector loses its node's logs.
   */
  priorityClassName?: KubernetesObjectName;
}

/** A Kubernetes toleration (pod spec `tolerations[]`), with the API's own rules checked in the config. */
export interface Toleration {
  /** The taint key; absent with `operator: Exists` tolerates every taint (of `effect`, if given). */
  key?: KubernetesLabelKey;
  /**
   * `Equal` matches the taint's value; `Exists` any value (then `value` must be absent).
   * @default "Equal"
   */
  operator?: 'Exists' | 'Equal';
  /** The taint value `Equal` compares with. */
  value?: KubernetesLabelValue;
  /** The taint effect tolerated; absent means every effect. */
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /**
   * How long a pod stays on a node after a `NoExecute` taint is added (only with `effect: NoExecute`).
   * @minimum 0
   * @asType integer
   */
  tolerationSeconds?: number;
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
   * The URL Grafana reaches Prometheus at (the provisioned Prometheus data source). Defaults to
   * `http://prometheus:<prometheus.port>`.
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
 * An environment's name: it becomes a folder under `out/` and the `environment` label, so it is a plain
 * lower-case word (letters, digits, `-` and `_`, starting with a letter or digit).
 * @pattern ^[a-z0-9][a-z0-9_-]*$
 */
export type EnvironmentName = string;

/**
 * What an environment may change: any field of the config except `environments` itself, every one optional,
 * at any depth; `null` removes the key from the merged config (RFC 7396). Arrays are whole values: an overlay's
 * `prometheus.alertmanagers` replaces the base's list, it is not appended to.
 */
export type ConfigOverlay = Overlay<Omit<MonitoringConfig, 'environments' | '$schema'>>;

/** Every key of `T` optional and nullable, objects overlaid recursively, arrays and scalars as they are. */
export type Overlay<T> = { [K in keyof T]?: OverlayValue<T[K]> | null };

/** An overlay of one value: an object becomes an overlay of it, an array or scalar stays what it was. */
export type OverlayValue<T> = T extends readonly unknown[] ? T : T extends object ? Overlay<T> : T;

/**
 * Declares a monitoring config with full type checking and editor completion. It returns its argument
 * unchanged: all checking and defaulting happens in `mlmon`.
 */
export function defineConfig(config: MonitoringConfig): MonitoringConfig {
  return config;
}
