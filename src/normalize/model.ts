/**
 * The read-only, fully defaulted model that `normalize()` builds from a user's config. Every renderer,
 * check and test generator reads this, and only this: templates lay it out, they make no decisions.
 */
import type { AlertDefinition, InfrastructureThresholdKey, ModelThresholdKey, ServiceThresholdKey, ResolvedDcgm } from '../catalog/index.js';
import type { SliDefinition } from '../catalog/slo/indicators.js';
import type { SloTier } from '../catalog/slo/tiers.js';
import type { BuiltinAlertName, DeployedModel, Severity, SloIndicator, SloTierSet } from '../config/types.js';
import type { RuleTestFile } from './rule-proofs.js';
import type { RoutingTestCase } from './routing-proofs.js';
import type { ScaleOutModel } from './sharding.js';
import type { ScrapeJob } from './scrape-jobs.js';
import type { ShardedAlert } from './alert-shards.js';

export type { BuiltinAlertName, Severity };

export interface MonitoringModel extends DeployedModel {
  readonly generator: { readonly name: 'mlmon'; readonly version: string; readonly configFile: string };
  readonly cluster: string;
  readonly environment: string;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly prometheus: PrometheusModel;
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleFiles: readonly RuleFile[];
  /** Shards, remote_write and the central ruler (normalize/sharding.ts). */
  readonly scaleOut: ScaleOutModel;
  /** Built-in alerts with what they apply to and how their thresholds work (for tests, dashboards, diff). */
  readonly builtinAlerts: readonly BuiltinAlert[];
  /** Service level objectives: every SLO of every model and service, the tier policies and the indicators they use. */
  readonly slos: SloModel;
  /** promtool rule unit tests proving every built-in alert on both sides of its thresholds. */
  readonly ruleTests: readonly RuleTestFile[];
  /** The receivers each kind of alert must reach, checked with amtool against the rendered routing tree. */
  readonly routingTests: readonly RoutingTestCase[];
  readonly services: readonly ResolvedService[];
  readonly models: readonly ResolvedModel[];
  readonly defaults: { readonly team: string; readonly modelThresholds: ResolvedModelThresholds; readonly serviceThresholds: ResolvedServiceThresholds };
  readonly infrastructure: ResolvedInfrastructure;
  /** The DCGM GPU pack (`infrastructure.gpus.dcgm`), when enabled. */ readonly dcgm: ResolvedDcgm | undefined;
  readonly alertmanager: AlertmanagerModel;
  readonly metricCatalog: readonly MetricDefinition[];
  readonly logging: LoggingModel;
  readonly kubernetes: KubernetesModel;
  readonly grafana: GrafanaModel;
  /** Absolute path of the user's template overrides, if any. */
  readonly templatesDir: string | undefined;
  /** Absolute paths of the user's own promtool test files. */
  readonly userRuleTestFiles: readonly string[];
}

export interface PrometheusModel {
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  readonly ruleGroupInterval: string;
  /** Shards of the model and service alerts (`prometheus.modelShards`, `serviceShards`, resolved; alert-shards.ts). */
  readonly modelShards: number;
  readonly serviceShards: number;
  readonly alertmanagers: readonly string[];
  readonly retention: string;
  readonly storageSize: string;
  /** The port Prometheus listens on: its listen address, container port, Service and self-scrape target. */
  readonly port: number;
  /** Rule file paths as prometheus.yml references them (relative to prometheus.yml): with a central ruler, only the per-target ones. */
  readonly ruleFilePaths: readonly string[];
}

// A scrape job is declared beside its builder (scrape-jobs.ts).
export type { ScrapeJob };

export interface RuleFile {
  /** Path under out/prometheus/rules/. */
  readonly name: string;
  readonly groups: readonly RuleGroup[];
}

export interface RuleGroup {
  readonly name: string;
  readonly interval: string;
  readonly rules: readonly Rule[];
}

export type Rule = AlertingRule | RecordingRule;

export interface AlertingRule {
  readonly kind: 'alert';
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Config path the rule comes from, for problems reported against it. */
  readonly source: string;
}

export interface RecordingRule {
  readonly kind: 'record';
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly source: string;
}

/** A threshold key of any alert of the catalog (src/catalog/). */
export type ThresholdKey = InfrastructureThresholdKey | ServiceThresholdKey | ModelThresholdKey;

export interface BuiltinAlert {
  readonly name: BuiltinAlertName;
  readonly scope: 'infrastructure' | 'service' | 'model';
  readonly group: 'infrastructure' | 'application' | 'ml-models';
  readonly severity: Severity;
  readonly for: string;
  /** The threshold the alert compares against, and in which direction it fires. */
  readonly threshold?: {
    readonly key: ThresholdKey;
    readonly firesWhen: 'above' | 'below';
    /** The per-target threshold series (recording rule name); absent for global infrastructure thresholds. */
    readonly series?: string;
    /** The fallback series for models the config doesn't list. */
    readonly defaultSeries?: string;
  };
  /** The rule as rendered. */
  readonly rule: AlertingRule;
  /** With several shards of its scope: its rule in each shard, recording the breach `rule` reads (alert-shards.ts). */
  readonly shards?: ShardedAlert;
  /**
   * The labels that say what one instance of the alert is about (`instance` for a node or scrape target,
   * `service`, `model`): an inhibit rule that lets it mute, or be muted by, an alert without them in `equal`
   * mutes alerts about other things.
   */
  readonly identity: readonly string[];
  /** The labels its instances carry from the expression, one set per kind of instance (rule and external labels aside). */
  readonly labelSets: readonly (readonly string[])[];
  /** Its entry in the alert catalog. */
  readonly definition: AlertDefinition;
}

/** A model's threshold of every model alert of the catalog; `false` where disabled. */
export type ResolvedModelThresholds = { readonly [Key in ModelThresholdKey]: number | false };

/** A service's threshold of every service alert of the catalog; `false` where disabled. */
export type ResolvedServiceThresholds = { readonly [Key in ServiceThresholdKey]: number | false };

export interface ResolvedService {
  readonly name: string;
  readonly team: string;
  readonly discovery:
    | {
        readonly kind: 'kubernetes-pods';
        readonly namespaces: readonly string[];
        /** The port (number or container port name) scraped on pods without a `prometheus.io/port` annotation. */
        readonly port?: number | string;
      }
    | { readonly kind: 'static'; readonly targets: readonly string[] };
  readonly thresholds: ResolvedServiceThresholds;
  readonly logging: LogParsing;
  /** The model server integration the service runs (src/catalog/integrations/), at its declared version. */
  readonly integration?: { readonly name: string; readonly version: string };
}

export interface ResolvedModel {
  readonly name: string;
  readonly service: string;
  readonly team: string;
  readonly thresholds: ResolvedModelThresholds;
}

export interface ResolvedInfrastructure {
  readonly team: string;
  /** Where node-exporter is scraped: fixed targets (none: not scraped), or per node through its DaemonSet's pods. */
  readonly nodeExporter: { readonly kind: 'static'; readonly targets: readonly string[] }
    | { readonly kind: 'kubernetes-pods'; readonly namespace: string; readonly podLabels: Readonly<Record<string, string>>; readonly port: number };
  readonly kubernetesNodes: boolean;
  readonly thresholds: { readonly [Key in InfrastructureThresholdKey]: number };
}

export interface AlertmanagerModel {
  readonly resolveTimeout: string;
  readonly smtp?: { readonly smarthost: string; readonly from: string; readonly authUsername?: string; readonly authPasswordFile?: string; readonly requireTls: boolean };
  readonly slackApiUrlFile?: string;
  readonly route: AlertRoute;
  readonly receivers: readonly Receiver[];
  readonly inhibitRules: readonly InhibitRule[];
}

export interface AlertRoute {
  readonly receiver: string;
  /** Alertmanager matcher strings, e.g. `severity="critical"`. */
  readonly matchers: readonly string[];
  readonly continue: boolean;
  readonly groupBy?: readonly string[];
  readonly groupWait?: string;
  readonly groupInterval?: string;
  readonly repeatInterval?: string;
  readonly routes: readonly AlertRoute[];
  /** The config path of this route (`alerting.routes[0]`), or `alerting` for the root. */
  readonly source: string;
  /** The label equalities this route requires (for routing tests). */
  readonly match: Readonly<Record<string, readonly string[]>>;
}

export interface Receiver {
  readonly name: string;
  readonly email: readonly { readonly to: string; readonly sendResolved: boolean }[];
  readonly slack: readonly { readonly channel: string; readonly apiUrlFile?: string; readonly title?: string; readonly text?: string; readonly sendResolved: boolean }[];
  readonly pagerduty: readonly { readonly routingKeyFile: string; readonly sendResolved: boolean }[];
  readonly webhook: readonly { readonly url?: string; readonly urlFile?: string; readonly sendResolved: boolean }[];
}

export interface InhibitRule {
  readonly sourceMatchers: readonly string[];
  readonly targetMatchers: readonly string[];
  readonly equal: readonly string[];
  /** Where the rule comes from: `alerting.inhibitRules[0]`, or which of the default rules it is. */
  readonly source: string;
}

export interface MetricDefinition {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary';
  /** Labels set by the instrumentation; target labels (job, instance, service…) come on top. */
  readonly labels: readonly string[];
  readonly help: string;
  /** Who exports it: the seed's instrumentation, node-exporter, Prometheus itself, or the user's config. */
  readonly origin: 'instrumentation' | 'node-exporter' | 'prometheus' | 'kubelet' | 'mlmon' | 'config' | 'integration';
  /** A histogram's bucket boundaries (`le`, +Inf aside), where known. */
  readonly buckets?: readonly number[];
}

export interface LoggingModel {
  readonly beatsPort: number;
  readonly elasticsearchHosts: readonly string[];
  readonly indexPrefix: string;
  /** The pod label whose value names the service a log line belongs to, as written in Kubernetes. */
  readonly serviceLabel: string;
  /** The event field that label arrives in: Filebeat's add_kubernetes_metadata (labels.dedot) turns its dots into `_`. */
  readonly serviceLabelField: readonly string[];
  /** Logstash's beats input as Filebeat reaches it (`host:port`). */
  readonly logstashHost: string;
  /**
   * The field every parsed JSON document goes under. Not the seed's `log`: Filebeat's own `log.file.path`
   * and `log.offset` live there, and the json filter would replace them.
   */
  readonly jsonTarget: string;
  /** How lines of pods that belong to no configured service are parsed. */
  readonly unattributed: LogParsing;
  /** The Logstash keystore entries or environment variables holding the Elasticsearch credentials. */
  readonly elasticsearchCredentials: { readonly userVariable: string; readonly passwordVariable: string };
  /** The Logstash pipeline's id, and where the Kubernetes manifests mount logstash.conf. */
  readonly pipeline: { readonly id: string; readonly configPath: string };
  readonly retention: import('./log-retention.js').LogRetentionModel;
}

/** How one kind of log line is parsed; field names are plain names or Logstash field references (`[a][b]`). */
export interface LogParsing {
  /** The field of the line that holds the JSON document. */
  readonly jsonField: string;
  /** The field of the JSON document holding the event time. */
  readonly timestampField: string;
  /** The field of the JSON document holding the request path. */
  readonly pathField: string;
  /** Request paths whose lines are dropped. */
  readonly dropPaths: readonly string[];
}

/** The workloads mlmon deploys, one container each. */
export type KubernetesComponent = 'prometheus' | 'alertmanager' | 'grafana' | 'logstash' | 'filebeat';

export interface KubernetesModel {
  readonly namespace: string;
  readonly images: Readonly<Record<KubernetesComponent, string>>;
  readonly resources: Readonly<Record<KubernetesComponent, ContainerResourcesModel>>;
  /** Who each container runs as (the image's own user, so its files stay readable), and its exceptions. */
  readonly security: Readonly<Record<KubernetesComponent, ContainerSecurityModel>>;
  /** The user-created Secret behind alerting's `*File` options, and the keys the config reads from it. */
  readonly alertmanagerSecret: { readonly name: string; readonly mountPath: string; readonly keys: readonly string[] };
  /** The user-created Secret with Grafana's admin login. */
  readonly grafanaAdminSecret: { readonly name: string; readonly userKey: string; readonly passwordKey: string };
  /**
   * The user-created Secret with Logstash's Elasticsearch credentials; they reach Logstash as the environment
   * variables `logging.elasticsearchCredentials` names.
   */
  readonly elasticsearchSecret: { readonly name: string; readonly usernameKey: string; readonly passwordKey: string };
  /** Where each component's pods may run (pod spec fields). */
  readonly scheduling: Readonly<Record<KubernetesComponent, PodSchedulingModel>>;
  /** Size of Alertmanager's volume for silences and the notification log (Kubernetes quantity). */
  readonly alertmanagerStorageSize: string;
  /** What Prometheus' service account may read: only what its scrape jobs' Kubernetes discovery needs. */
  readonly prometheusRbac: readonly RbacRule[];
  /** What Filebeat's service account may read: what add_kubernetes_metadata looks up. */
  readonly filebeatRbac: readonly RbacRule[];
}

export interface PodSchedulingModel {
  readonly tolerations: readonly TolerationModel[];
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly priorityClassName?: string;
}

/** A toleration in the Kubernetes API's field names; absent fields are left out of the manifest. */
export interface TolerationModel {
  readonly key?: string;
  readonly operator: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

export interface ContainerResourcesModel {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export interface ContainerSecurityModel {
  readonly user: number;
  readonly group: number;
  /** Group that owns the pod's writable volumes; absent when the pod has none (hostPath ignores it). */
  readonly fsGroup?: number;
  /** Why the container runs as root, when it must (`user` 0); absent for every non-root container. */
  readonly rootBecause?: string;
  /** Why the container's root filesystem stays writable, when it must; absent for every read-only one. */
  readonly writableRootFilesystemBecause?: string;
}

export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly ('get' | 'list' | 'watch')[];
  /** Why the rule is needed, written into the ClusterRole as a comment. */
  readonly because: string;
}

export interface GrafanaModel {
  /** One dashboard per listed model as well as the ML models dashboard with its `$model` variable. */
  readonly perModelDashboards: boolean;
  /** The Grafana folder the dashboards are provisioned into. */
  readonly folder: string;
  /** Where the dashboard files are mounted in the Grafana container: the file provider reads this folder. */
  readonly dashboardsPath: string;
  /** Dashboard auto-refresh interval, and how far back dashboards look when opened. */
  readonly refresh: string;
  readonly timeFrom: string;
  readonly prometheus: {
    readonly name: string;
    readonly uid: string;
    readonly url: string;
    /** Grafana computes `$__rate_interval` from it, so it must be the scrape interval. */
    readonly scrapeInterval: string;
  };
  readonly elasticsearch: {
    readonly name: string;
    readonly uid: string;
    readonly url: string;
    /** The index pattern Grafana searches, `logging.retention.searchPattern` (`ml-logs*`): no date interval. */
    readonly index: string;
    readonly timeField: string;
    readonly messageField: string;
  };
}

/** The SLOs of the config, resolved (src/normalize/slos.ts). */
export interface SloModel {
  readonly slos: readonly ResolvedSlo[];
  readonly policies: readonly SloPolicy[];
  /** Every indicator an SLO uses, with the windows its tiers need (ascending). */
  readonly indicators: readonly { readonly sli: SliDefinition; readonly windows: readonly string[] }[];
  /** Also write the SLOs as OpenSLO v1 documents (config `openslo`; render/openslo.ts). */
  readonly openSloExport: boolean;
}

/** One SLO of one model or service, or the default SLO of every model the config doesn't list. */
export interface ResolvedSlo {
  /** The SLO's name (the `slo` label). */
  readonly name: string;
  readonly scope: 'model' | 'service';
  /** The model or service; absent for a default SLO as it applies to models the config doesn't list. */
  readonly target?: string;
  readonly team: string;
  /** The `sli` label: which indicator (src/catalog/slo/indicators.ts). */
  readonly sli: string;
  readonly indicator: SloIndicator;
  /** Percent of events that must be good. */
  readonly objective: number;
  readonly window: string;
  /** The `slo_policy` label: which tiers alert on it. */
  readonly policy: string;
  /** Where in the config it comes from (`models.fraud-detector.slos.availability`). */
  readonly source: string;
}

/** How an SLO is alerted on: its tier set, scaled to its window, with the config's tier settings. */
export interface SloPolicy {
  /** The `slo_policy` label: `sre-workbook-28d`, and a suffix when tier settings differ. */
  readonly id: string;
  readonly tierSet: SloTierSet;
  readonly window: string;
  readonly minEvents: number;
  /** The enabled tiers. */
  readonly tiers: readonly SloTier[];
}

