/**
 * The one table of the config's defaults: what `normalize()` puts in the model for each option the config leaves
 * out, keyed by the option's config path (`*` for any key of a record, `[]` for any item of a list, as in
 * `services.*.team` or `alerting.receivers.*.email[].sendResolved`).
 *
 * normalize and the builders it calls read their defaults from here, and test/config/defaults.test.ts holds every
 * `@default` of src/config/types.ts (so of the JSON schema and docs/config-reference.md) to this table, and this
 * table to the model normalize builds from a minimal config. Changing a default is therefore one edit here and
 * the matching `@default` in types.ts; the test fails until both agree.
 *
 * Not in this table:
 * - the model and service thresholds, the infrastructure thresholds and each built-in alert's severity, `for` and
 *   window, which the alert catalog (src/catalog/) owns;
 * - absent option groups (`prometheus`, `logging`…) and absent lists, maps or text of your own (services, routes,
 *   rules, receivers' integrations, a service's `dropPaths`, a custom metric's `labels` and `help`…): they are
 *   empty, nothing is added;
 * - the default inhibition rules (`alerting.inhibitRules`): their matchers (`model=~".+"`) are not expressible in
 *   the config's own equality form, so they are built in src/normalize/routing.ts and described in prose.
 */
import type { Toleration } from './types.js';

/**
 * A default normalize derives from other options rather than a fixed value. `documented` is exactly what the
 * option's `@default` says (and so the schema and the reference); `atDefaults` is the value it takes when every
 * option it derives from keeps its own default.
 */
export interface ComputedDefault<T> {
  readonly computedFrom: string;
  readonly documented: string | T;
  readonly atDefaults: T;
}

function computed<T>(computedFrom: string, documented: string | T, atDefaults: T): ComputedDefault<T> {
  return { computedFrom, documented, atDefaults };
}

const defaultTeam = 'ml-platform';
const noTolerations = [] as const satisfies readonly Toleration[];

/** Every default normalize applies, by config path. Deeply frozen: normalize hands these values to the model. */
export const configDefaults = deepFrozen({
  'cluster': 'ml-cluster',
  'environment': 'production',
  'defaults.team': defaultTeam,
  'openslo': false,

  'prometheus.scrapeInterval': '15s',
  'prometheus.evaluationInterval': '15s',
  'prometheus.ruleGroupInterval': '30s',
  'prometheus.alertmanagers': ['alertmanager:9093'],
  'prometheus.retention': '15d',
  'prometheus.storageSize': '50Gi',
  'prometheus.port': 9090,
  'prometheus.shards': 1,
  'prometheus.modelShards': computed('models: one per 250 listed models, rounded up to a power of two, at most 256', 1, 1),
  'prometheus.serviceShards': computed('services: one per 50 services, rounded up to a power of two, at most 256', 1, 1),
  'prometheus.centralRuler.partialResponseStrategy': 'abort',
  'prometheus.centralRuler.namespace': 'mlmon',

  'infrastructure.team': 'platform',
  // Only when `infrastructure.nodeExporter` is not set; with it, there are no fixed targets.
  'infrastructure.nodeExporterTargets': ['node-exporter:9100'],
  'infrastructure.nodeExporter.kubernetes.podLabels': { 'app.kubernetes.io/name': 'node-exporter' },
  'infrastructure.nodeExporter.kubernetes.port': 9100,
  'infrastructure.kubernetesNodes': true,

  'services.*.team': computed('defaults.team', 'defaults.team', defaultTeam),
  // The seed's log parsing: JSON in `message`, its time in `timestamp`. Also how lines of no configured service
  // are parsed.
  'services.*.logging.jsonField': 'message',
  'services.*.logging.timestampField': 'timestamp',
  'services.*.logging.pathField': 'path',
  'models.*.team': computed('defaults.team', 'defaults.team', defaultTeam),

  'alerts.*.enabled': true,

  // An SLO's window, tiers and low-traffic guard, wherever it is declared (README, "SLOs").
  'services.*.slos.*.window': '28d',
  'services.*.slos.*.tiers': 'sre-workbook',
  'services.*.slos.*.minEvents': 100,
  'models.*.slos.*.window': '28d',
  'models.*.slos.*.tiers': 'sre-workbook',
  'models.*.slos.*.minEvents': 100,
  'defaults.modelSlos.*.window': '28d',
  'defaults.modelSlos.*.tiers': 'sre-workbook',
  'defaults.modelSlos.*.minEvents': 100,

  'alerting.defaultReceiver': 'default',
  'alerting.receivers': computed('alerting.defaultReceiver: one receiver of that name, with no integrations', { default: {} }, { default: {} }),
  'alerting.resolveTimeout': '5m',
  'alerting.grouping.groupBy': ['alertname', 'cluster', 'service', 'model'],
  'alerting.grouping.groupWait': '10s',
  'alerting.grouping.groupInterval': '10s',
  'alerting.grouping.repeatInterval': '12h',
  'alerting.smtp.requireTls': true,
  'alerting.receivers.*.email[].sendResolved': false,
  'alerting.receivers.*.slack[].sendResolved': true,
  'alerting.receivers.*.pagerduty[].sendResolved': true,
  'alerting.receivers.*.webhook[].sendResolved': true,
  'alerting.routes[].continue': false,

  'rules.alerts[].for': '0s',
  'rules.alerts[].severity': 'warning',
  'rules.alerts[].team': computed('defaults.team', 'defaults.team', defaultTeam),

  'logging.beatsPort': 5044,
  'logging.elasticsearchHosts': ['http://elasticsearch:9200'],
  'logging.indexPrefix': 'ml-logs',
  'logging.serviceLabel': 'app',
  'logging.logstashHost': computed('logging.beatsPort: `logstash:<beatsPort>`, the Logstash Service of the manifests', 'logstash:5044', 'logstash:5044'),
  'logging.retention.deleteAfter': '30d',
  'logging.retention.rollover.maxAge': '1d',
  'logging.retention.rollover.maxPrimaryShardSize': '50gb',

  'kubernetes.namespace': 'monitoring',
  'kubernetes.alertmanagerSecretName': 'alertmanager-secrets',
  'kubernetes.alertmanagerSecretMountPath': '/etc/alertmanager/secrets',
  'kubernetes.grafanaAdminSecretName': 'grafana-admin',
  'kubernetes.elasticsearchSecretName': 'logstash-elasticsearch',
  'kubernetes.alertmanagerStorageSize': '1Gi',
  'kubernetes.images.prometheus': 'prom/prometheus:v3.16.0',
  'kubernetes.images.alertmanager': 'prom/alertmanager:v0.35.0',
  'kubernetes.images.grafana': 'grafana/grafana:12.3.0',
  'kubernetes.images.logstash': 'docker.elastic.co/logstash/logstash:8.19.0',
  'kubernetes.images.filebeat': 'docker.elastic.co/beats/filebeat:8.19.0',
  'kubernetes.resources.prometheus': { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
  'kubernetes.resources.alertmanager': { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
  'kubernetes.resources.grafana': { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  // The image's jvm.options sets a 1 GiB heap; the JVM needs room beyond it (metaspace, threads, direct buffers).
  'kubernetes.resources.logstash': { requests: { cpu: '500m', memory: '1536Mi' }, limits: { cpu: '1', memory: '2Gi' } },
  'kubernetes.resources.filebeat': { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '500m', memory: '200Mi' } },
  'kubernetes.scheduling.prometheus': { tolerations: noTolerations },
  'kubernetes.scheduling.alertmanager': { tolerations: noTolerations },
  'kubernetes.scheduling.grafana': { tolerations: noTolerations },
  'kubernetes.scheduling.logstash': { tolerations: noTolerations },
  // Filebeat collects the logs of the node it runs on, so it must run on every node, tainted ones (GPU nodes
  // carry `nvidia.com/gpu:NoSchedule`) included: it tolerates every NoSchedule and NoExecute taint, as
  // kube-prometheus' node-exporter DaemonSet does (`operator: Exists`). PreferNoSchedule never keeps a pod off.
  'kubernetes.scheduling.filebeat': {
    tolerations: [
      { operator: 'Exists', effect: 'NoSchedule' },
      { operator: 'Exists', effect: 'NoExecute' },
    ] as const satisfies readonly Toleration[],
  },
  'kubernetes.scheduling.*.nodeSelector': {},
  'kubernetes.scheduling.*.tolerations[].operator': 'Equal',

  'grafana.perModelDashboards': false,
  'grafana.prometheusUrl': computed('prometheus.port: `http://prometheus:<port>`', 'http://prometheus:9090', 'http://prometheus:9090'),
  'grafana.folder': 'mlmon',

  'deploy.target': 'standalone',
  'deploy.prometheusOperator.release': 'kube-prometheus-stack',
  'deploy.prometheusOperator.dashboardFolder': 'mlmon',
  'deploy.prometheusOperator.routing': 'config-secret',
  'deploy.prometheusOperator.alertmanagerConfigMatcherStrategy': 'None',
} as const);

/** A config path of the table. */
export type DefaultedPath = keyof typeof configDefaults;

function deepFrozen<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFrozen(child);
  }
  return value;
}
