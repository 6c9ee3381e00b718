import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertCatalog, alertOfThreshold, thresholdsOf, type AlertScope } from '../../src/catalog/index.js';
import { dcgm } from '../../src/catalog/integrations/dcgm/index.js';
import { dcgmDefaults, defaultFatalXids } from '../../src/catalog/integrations/dcgm/settings.js';
import { integrationOfAlert } from '../../src/catalog/integrations/index.js';
import { configDefaults, type ComputedDefault } from '../../src/config/defaults.js';
import type { KubernetesComponent, MonitoringModel } from '../../src/normalize/model.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import { modelOf } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

/** Service `api`, running the model server whose alert `alert` is, if it is an integration's. */
function withServerOf(alert: Parameters<typeof integrationOfAlert>[0] | undefined): NonNullable<MonitoringConfig['services']> {
  const integration = alert && integrationOfAlert(alert);
  return { api: { discovery: { staticTargets: ['api:80'] }, ...(integration ? { integration: { [integration.name]: { version: integration.versions.at(-1)! } } } : {}) } } as NonNullable<MonitoringConfig['services']>;
}

/**
 * Every `default` of the generated JSON schema (so every `@default` of src/config/types.ts and every default in
 * docs/config-reference.md) against the one table of defaults (src/config/defaults.ts), and the table against
 * the model normalize builds when the config leaves the option out.
 */

type JsonNode = Record<string, unknown>;
interface SchemaDefault { path: string; definition: string; field: string; value: unknown }

const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/monitoring-config.schema.json'), 'utf8')) as { definitions: Record<string, JsonNode> };
const reference = readFileSync(join(repoRoot, 'docs/config-reference.md'), 'utf8');

/** Every property with a `default`, by config path (`*` for a record's keys, `[]` for a list's items). */
function schemaDefaults(): SchemaDefault[] {
  const found: SchemaDefault[] = [];
  const walk = (node: JsonNode | undefined, path: string, within: readonly string[]): void => {
    if (!node) return;
    if (typeof node.$ref === 'string') {
      const name = node.$ref.replace('#/definitions/', '');
      // RouteConfig holds RouteConfig: its defaults are found once, at the first level.
      if (!within.includes(name)) walk(schema.definitions[name], path, [...within, name]);
    }
    const properties = (node.properties ?? {}) as Record<string, JsonNode>;
    for (const [field, child] of Object.entries(properties)) {
      // An environment's overlay (derived from this schema) repeats the defaults of the lists it may replace,
      // which are the base's, checked at the base's paths.
      if (path === '' && field === 'environments') continue;
      // The GPU pack's defaults are its own table (dcgmDefaults, src/catalog/integrations/dcgm/settings.ts),
      // checked against the schema and normalize below.
      if (path === 'infrastructure.gpus') continue;
      const at = path ? `${path}.${field}` : field;
      if (child.default !== undefined) found.push({ path: at, definition: within.at(-1)!, field, value: child.default });
      walk(child, at, within);
    }
    if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties as JsonNode, `${path}.*`, within);
    if (node.items) walk(node.items as JsonNode, `${path}[]`, within);
    for (const branch of (node.anyOf ?? []) as JsonNode[]) walk(branch, path, within);
  };
  walk(schema.definitions.MonitoringConfig, '', ['MonitoringConfig']);
  return found;
}

/**
 * The thresholds' defaults are the alert catalog's (src/catalog/): each threshold's `default`, by scope and key.
 * Each built-in alert's severity, `for` and window have no `@default` here (they differ per alert; docs/alerts.md).
 */
const thresholdPlaces: [RegExp, AlertScope][] = [
  [/^infrastructure\.thresholds\.(\w+)$/, 'infrastructure'],
  [/^(?:services\.\*\.thresholds|defaults\.serviceThresholds)\.(\w+)$/, 'service'],
  [/^(?:models\.\*\.thresholds|defaults\.modelThresholds)\.(\w+)$/, 'model'],
];
function catalogThreshold(path: string): { scope: AlertScope; key: string; value: number } | undefined {
  for (const [pattern, scope] of thresholdPlaces) {
    const key = pattern.exec(path)?.[1];
    if (key) return { scope, key, value: thresholdsOf(scope).find(({ threshold }) => threshold.key === key)!.threshold.default };
  }
  return undefined;
}

type TableKey = keyof typeof configDefaults;

/** The table key a schema path falls under: the same path, a table `*` standing for any one segment. */
function tableKeyOf(path: string): TableKey | undefined {
  const segments = path.split('.');
  const keys = Object.keys(configDefaults) as TableKey[];
  const matches = keys.filter((key) => {
    const parts = key.split('.');
    return parts.length === segments.length && parts.every((part, i) => part === segments[i] || (part === '*' && !segments[i]!.includes('[]')));
  });
  // An exact key wins over a pattern (`kubernetes.scheduling.filebeat` over `kubernetes.scheduling.*`).
  return matches.find((key) => key === path) ?? matches[0];
}

const isComputed = (value: unknown): value is ComputedDefault<unknown> => typeof value === 'object' && value !== null && 'computedFrom' in value;

const customAlert = { name: 'QueueBacklog', expr: 'queue_depth > 100', summary: 'Queue backlog', description: 'The queue is backing up.' };
const service = { api: { discovery: { staticTargets: ['api:8080'] } } } satisfies MonitoringConfig['services'];
const oneOf = <T>(list: readonly T[]): T => {
  expect(list).toHaveLength(1);
  return list[0]!;
};

/**
 * Where each default lands in the model: the smallest config that holds the defaulted field (given the concrete
 * schema path's segments, so `kubernetes.scheduling.<component>` reads that component), and how to read the field
 * back from the model. Computed defaults also say what one of their inputs changed gives.
 */
interface Mapping {
  config?: (segments: string[]) => MonitoringConfig;
  read: (model: MonitoringModel, segments: string[]) => unknown;
  /** Other places of the model that must hold the same default. */
  alsoAt?: (model: MonitoringModel) => unknown;
  /** For a computed default: a config that changes what it derives from, and the value normalize must derive. */
  derived?: { config: MonitoringConfig; value: unknown };
}

const component = (segments: string[]) => segments[2] as KubernetesComponent;
const receiverInConfigForm = (model: MonitoringModel) => Object.fromEntries(model.alertmanager.receivers.map((r) => [r.name, Object.fromEntries(
  (['email', 'slack', 'pagerduty', 'webhook'] as const).filter((kind) => r[kind].length > 0).map((kind) => [kind, r[kind]]),
)]));

/** An SLO's window, tiers and minEvents, read off the SLO of `target` (undefined: the default SLO) and its policy. */
function sloMappings<P extends string>(at: P, config: () => MonitoringConfig, target: string | undefined): Record<`${P}.${'window' | 'tiers' | 'minEvents'}`, Mapping> {
  const slo = (m: MonitoringModel) => m.slos.slos.find((s) => s.target === target)!;
  const policy = (m: MonitoringModel) => m.slos.policies.find((p) => p.id === slo(m).policy)!;
  return {
    [`${at}.window`]: { config, read: (m: MonitoringModel) => slo(m).window },
    [`${at}.tiers`]: { config, read: (m: MonitoringModel) => policy(m).tierSet },
    [`${at}.minEvents`]: { config, read: (m: MonitoringModel) => policy(m).minEvents },
  } as unknown as Record<`${P}.${'window' | 'tiers' | 'minEvents'}`, Mapping>;
}

const mappings: Record<TableKey, Mapping> = {
  'cluster': { read: (m) => m.cluster, alsoAt: (m) => m.externalLabels.cluster },
  'environment': { read: (m) => m.environment, alsoAt: (m) => m.externalLabels.environment },
  'defaults.team': { read: (m) => m.defaults.team },
  'openslo': { read: (m) => m.slos.openSloExport },
  'prometheus.scrapeInterval': { read: (m) => m.prometheus.scrapeInterval, alsoAt: (m) => m.grafana.prometheus.scrapeInterval },
  'prometheus.evaluationInterval': { read: (m) => m.prometheus.evaluationInterval },
  'prometheus.ruleGroupInterval': { read: (m) => m.prometheus.ruleGroupInterval },
  'prometheus.alertmanagers': { read: (m) => m.prometheus.alertmanagers },
  'prometheus.retention': { read: (m) => m.prometheus.retention },
  'prometheus.storageSize': { read: (m) => m.prometheus.storageSize },
  'prometheus.port': { read: (m) => m.prometheus.port },
  'prometheus.shards': { read: (m) => m.scaleOut.shardCount },
  'prometheus.modelShards': {
    read: (m) => m.prometheus.modelShards,
    // 251 listed models: two shards (one per 250, rounded up to a power of two).
    derived: { config: { services: service, models: Object.fromEntries(Array.from({ length: 251 }, (_, i) => [`m${i}`, { service: 'api' }])) }, value: 2 },
  },
  'prometheus.serviceShards': {
    read: (m) => m.prometheus.serviceShards,
    // 101 services: four shards (one per 50, rounded up to a power of two).
    derived: { config: { services: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`s${i}`, { discovery: { staticTargets: [`s${i}:80`] } }])) }, value: 4 },
  },
  'prometheus.centralRuler.partialResponseStrategy': { config: () => ({ prometheus: { centralRuler: { kind: 'thanos' } } }), read: (m) => (m.scaleOut.centralRuler?.kind === 'thanos' ? m.scaleOut.centralRuler.partialResponseStrategy : 'not thanos') },
  'prometheus.centralRuler.namespace': { config: () => ({ prometheus: { centralRuler: { kind: 'mimir', tenant: 'ml' } } }), read: (m) => (m.scaleOut.centralRuler?.kind === 'mimir' ? m.scaleOut.centralRuler.namespace : 'not mimir') },
  'infrastructure.team': { read: (m) => m.infrastructure.team },
  'infrastructure.nodeExporterTargets': { read: (m) => (m.infrastructure.nodeExporter.kind === 'static' ? m.infrastructure.nodeExporter.targets : 'not static') },
  'infrastructure.nodeExporter.kubernetes.podLabels': {
    config: () => ({ infrastructure: { nodeExporter: { kubernetes: { namespace: 'monitoring' } } } }),
    read: (m) => (m.infrastructure.nodeExporter.kind === 'kubernetes-pods' ? m.infrastructure.nodeExporter.podLabels : 'not discovered'),
  },
  'infrastructure.nodeExporter.kubernetes.port': {
    config: () => ({ infrastructure: { nodeExporter: { kubernetes: { namespace: 'monitoring' } } } }),
    read: (m) => (m.infrastructure.nodeExporter.kind === 'kubernetes-pods' ? m.infrastructure.nodeExporter.port : 'not discovered'),
  },
  'infrastructure.kubernetesNodes': { read: (m) => m.infrastructure.kubernetesNodes },
  'services.*.team': {
    config: () => ({ services: service }),
    read: (m) => oneOf(m.services).team,
    derived: { config: { services: service, defaults: { team: 'search' } }, value: 'search' },
  },
  'services.*.logging.jsonField': { config: () => ({ services: service }), read: (m) => oneOf(m.services).logging.jsonField, alsoAt: (m) => m.logging.unattributed.jsonField },
  'services.*.logging.timestampField': { config: () => ({ services: service }), read: (m) => oneOf(m.services).logging.timestampField, alsoAt: (m) => m.logging.unattributed.timestampField },
  'services.*.logging.pathField': { config: () => ({ services: service }), read: (m) => oneOf(m.services).logging.pathField, alsoAt: (m) => m.logging.unattributed.pathField },
  'models.*.team': {
    config: () => ({ services: service, models: { fraud: { service: 'api' } } }),
    read: (m) => oneOf(m.models).team,
    derived: { config: { services: service, models: { fraud: { service: 'api' } }, defaults: { team: 'risk' } }, value: 'risk' },
  },
  ...sloMappings('services.*.slos.*', () => ({ services: { api: { discovery: { staticTargets: ['api:80'] }, slos: { a: { indicator: { kind: 'availability' }, objective: 99 } } } } }), 'api'),
  ...sloMappings('models.*.slos.*', () => ({ services: service, models: { fraud: { service: 'api', slos: { a: { indicator: { kind: 'availability' }, objective: 99 } } } } }), 'fraud'),
  ...sloMappings('defaults.modelSlos.*', () => ({ services: service, defaults: { modelSlos: { a: { indicator: { kind: 'availability' }, objective: 99 } } } }), undefined),
  'alerts.*.enabled': {
    // An integration's alert exists only where its server runs (a service's, or the GPU pack).
    // The absence alerts exist where what they watch is discovered: node-exporter and dcgm-exporter through
    // Kubernetes, a KServe service's revision series.
    config: (segments) => ({
      services: segments[1] === 'IntegrationMetricsMissing' ? { api: { discovery: { kubernetesPods: { namespaces: ['kserve'] } }, integration: { kserve: { version: '0.14' } } } } : withServerOf(alertCatalog.find((a) => a.name === segments[1])),
      models: { fraud: { service: 'api' } },
      ...(segments[1] === 'NodeExporterMissing' ? { infrastructure: { nodeExporter: { kubernetes: { namespace: 'monitoring' } } } } : {}),
      ...(segments[1] === 'DcgmExporterMissing' ? { infrastructure: { nodeExporter: { kubernetes: { namespace: 'monitoring' } }, gpus: { dcgm: { kubernetes: { namespace: 'gpu-operator' } } } } } : dcgm.alerts.some((a) => a.name === segments[1]) ? { infrastructure: { gpus: { dcgm: { targets: ['gpu-1:9400'] } } } } : {}),
    }),
    read: (m, segments) => m.builtinAlerts.some((alert) => alert.name === segments[1]),
  },
  'alerting.defaultReceiver': { read: (m) => m.alertmanager.route.receiver },
  'alerting.receivers': {
    read: receiverInConfigForm,
    derived: { config: { alerting: { defaultReceiver: 'ops' } }, value: { ops: {} } },
  },
  'alerting.resolveTimeout': { read: (m) => m.alertmanager.resolveTimeout },
  'alerting.grouping.groupBy': { read: (m) => m.alertmanager.route.groupBy },
  'alerting.grouping.groupWait': { read: (m) => m.alertmanager.route.groupWait },
  'alerting.grouping.groupInterval': { read: (m) => m.alertmanager.route.groupInterval },
  'alerting.grouping.repeatInterval': { read: (m) => m.alertmanager.route.repeatInterval },
  'alerting.smtp.requireTls': {
    config: () => ({ alerting: { smtp: { smarthost: 'smtp.example.com:587', from: 'alerts@example.com' } } }),
    read: (m) => m.alertmanager.smtp?.requireTls,
  },
  'alerting.receivers.*.email[].sendResolved': {
    config: () => ({ alerting: { receivers: { default: { email: [{ to: 'oncall@example.com' }] } } } }),
    read: (m) => oneOf(oneOf(m.alertmanager.receivers).email).sendResolved,
  },
  'alerting.receivers.*.slack[].sendResolved': {
    config: () => ({ alerting: { receivers: { default: { slack: [{ channel: '#ml', apiUrlFile: '/etc/alertmanager/secrets/slack' }] } } } }),
    read: (m) => oneOf(oneOf(m.alertmanager.receivers).slack).sendResolved,
  },
  'alerting.receivers.*.pagerduty[].sendResolved': {
    config: () => ({ alerting: { receivers: { default: { pagerduty: [{ routingKeyFile: '/etc/alertmanager/secrets/pd' }] } } } }),
    read: (m) => oneOf(oneOf(m.alertmanager.receivers).pagerduty).sendResolved,
  },
  'alerting.receivers.*.webhook[].sendResolved': {
    config: () => ({ alerting: { receivers: { default: { webhook: [{ url: 'http://hook.example.com/' }] } } } }),
    read: (m) => oneOf(oneOf(m.alertmanager.receivers).webhook).sendResolved,
  },
  'alerting.routes[].continue': {
    config: () => ({ alerting: { routes: [{ receiver: 'default' }] } }),
    read: (m) => oneOf(m.alertmanager.route.routes).continue,
  },
  'rules.alerts[].for': { config: () => ({ rules: { alerts: [customAlert] } }), read: (m) => customAlertOf(m).for },
  'rules.alerts[].severity': { config: () => ({ rules: { alerts: [customAlert] } }), read: (m) => customAlertOf(m).labels.severity },
  'rules.alerts[].team': {
    config: () => ({ rules: { alerts: [customAlert] } }),
    read: (m) => customAlertOf(m).labels.team,
    derived: { config: { rules: { alerts: [customAlert] }, defaults: { team: 'search' } }, value: 'search' },
  },
  'logging.beatsPort': { read: (m) => m.logging.beatsPort },
  'logging.elasticsearchHosts': { read: (m) => m.logging.elasticsearchHosts },
  'logging.indexPrefix': { read: (m) => m.logging.indexPrefix },
  'logging.serviceLabel': { read: (m) => m.logging.serviceLabel },
  'logging.retention.deleteAfter': { read: (m) => m.logging.retention.deleteAfter },
  'logging.retention.rollover.maxAge': { read: (m) => m.logging.retention.rollover.maxAge },
  'logging.retention.rollover.maxPrimaryShardSize': { read: (m) => m.logging.retention.rollover.maxPrimaryShardSize },
  'logging.logstashHost': {
    read: (m) => m.logging.logstashHost,
    derived: { config: { logging: { beatsPort: 6000 } }, value: 'logstash:6000' },
  },
  'kubernetes.namespace': { read: (m) => m.kubernetes.namespace },
  'kubernetes.alertmanagerSecretName': { read: (m) => m.kubernetes.alertmanagerSecret.name },
  'kubernetes.alertmanagerSecretMountPath': { read: (m) => m.kubernetes.alertmanagerSecret.mountPath },
  'kubernetes.grafanaAdminSecretName': { read: (m) => m.kubernetes.grafanaAdminSecret.name },
  'kubernetes.elasticsearchSecretName': { read: (m) => m.kubernetes.elasticsearchSecret.name },
  'kubernetes.alertmanagerStorageSize': { read: (m) => m.kubernetes.alertmanagerStorageSize },
  'kubernetes.images.prometheus': { read: (m) => m.kubernetes.images.prometheus },
  'kubernetes.images.alertmanager': { read: (m) => m.kubernetes.images.alertmanager },
  'kubernetes.images.grafana': { read: (m) => m.kubernetes.images.grafana },
  'kubernetes.images.logstash': { read: (m) => m.kubernetes.images.logstash },
  'kubernetes.images.filebeat': { read: (m) => m.kubernetes.images.filebeat },
  'kubernetes.resources.prometheus': { read: (m) => m.kubernetes.resources.prometheus },
  'kubernetes.resources.alertmanager': { read: (m) => m.kubernetes.resources.alertmanager },
  'kubernetes.resources.grafana': { read: (m) => m.kubernetes.resources.grafana },
  'kubernetes.resources.logstash': { read: (m) => m.kubernetes.resources.logstash },
  'kubernetes.resources.filebeat': { read: (m) => m.kubernetes.resources.filebeat },
  'kubernetes.scheduling.prometheus': { read: (m) => ({ tolerations: m.kubernetes.scheduling.prometheus.tolerations }) },
  'kubernetes.scheduling.alertmanager': { read: (m) => ({ tolerations: m.kubernetes.scheduling.alertmanager.tolerations }) },
  'kubernetes.scheduling.grafana': { read: (m) => ({ tolerations: m.kubernetes.scheduling.grafana.tolerations }) },
  'kubernetes.scheduling.logstash': { read: (m) => ({ tolerations: m.kubernetes.scheduling.logstash.tolerations }) },
  'kubernetes.scheduling.filebeat': { read: (m) => ({ tolerations: m.kubernetes.scheduling.filebeat.tolerations }) },
  'kubernetes.scheduling.*.nodeSelector': {
    // Set for the component, so that it is the field's own default that applies, not the component's.
    config: (segments) => ({ kubernetes: { scheduling: { [component(segments)]: { priorityClassName: 'monitoring' } } } }),
    read: (m, segments) => m.kubernetes.scheduling[component(segments)].nodeSelector,
  },
  'kubernetes.scheduling.*.tolerations[].operator': {
    config: (segments) => ({ kubernetes: { scheduling: { [component(segments)]: { tolerations: [{ key: 'gpu', effect: 'NoSchedule' }] } } } }),
    read: (m, segments) => oneOf(m.kubernetes.scheduling[component(segments)].tolerations).operator,
  },
  'grafana.perModelDashboards': { read: (m) => m.grafana.perModelDashboards },
  'grafana.prometheusUrl': {
    read: (m) => m.grafana.prometheus.url,
    derived: { config: { prometheus: { port: 9191 } }, value: 'http://prometheus:9191' },
  },
  'grafana.folder': { read: (m) => m.grafana.folder },
  'deploy.target': { read: (m) => m.deploy.target },
  'deploy.prometheusOperator.release': { read: (m) => m.deploy.prometheusOperator.labels.release },
  'deploy.prometheusOperator.dashboardFolder': { read: (m) => m.deploy.prometheusOperator.dashboardFolder },
  'deploy.prometheusOperator.routing': { read: (m) => m.deploy.prometheusOperator.routing },
  'deploy.prometheusOperator.alertmanagerConfigMatcherStrategy': { read: (m) => m.deploy.prometheusOperator.alertmanagerConfigMatcherStrategy },
};

function customAlertOf(model: MonitoringModel) {
  const rule = model.ruleFiles.flatMap((f) => f.groups).flatMap((g) => g.rules).find((r) => r.kind === 'alert' && r.alert === customAlert.name);
  if (rule?.kind !== 'alert') throw new Error(`custom alert ${customAlert.name} not in the model`);
  return rule;
}

/** What normalize must yield where the config leaves a field out: the table's value (a computed one's at defaults). */
function expectedAt(key: TableKey): unknown {
  const entry: unknown = configDefaults[key];
  return isComputed(entry) ? entry.atDefaults : entry;
}

const defaults = schemaDefaults();
const covered = defaults.filter((d) => !catalogThreshold(d.path));
const ofCatalog = defaults.filter((d) => catalogThreshold(d.path));

describe('the table of defaults', () => {
  it('finds the schema defaults it is checked against (the walk reaches nested, record and list fields)', () => {
    const paths = defaults.map((d) => d.path);
    expect(paths).toContain('prometheus.scrapeInterval');
    expect(paths).toContain('services.*.logging.jsonField');
    expect(paths).toContain('alerting.receivers.*.email[].sendResolved');
    expect(paths).toContain('kubernetes.scheduling.filebeat.tolerations[].operator');
    expect(paths).toContain('alerts.ModelMetricsMissing.enabled');
    // Every threshold of the catalog, in each place the config sets it.
    const places = thresholdsOf('infrastructure').length + 2 * (thresholdsOf('service').length + thresholdsOf('model').length);
    expect(ofCatalog).toHaveLength(places);
  });

  it.each(ofCatalog.map((d) => [d.path, d] as const))('holds the alert catalog\'s default at %s, and normalize applies it', (_path, d) => {
    const { scope, key, value } = catalogThreshold(d.path)!;
    expect(d.value).toBe(value);
    // An integration's threshold applies only to what its server serves: the service runs it.
    const model = modelOf({ services: withServerOf(scope === 'infrastructure' ? undefined : alertOfThreshold(scope, key)), models: { m: { service: 'api' } } } as MonitoringConfig);
    const applied = scope === 'infrastructure' ? model.infrastructure.thresholds : d.path.startsWith('services') || d.path.startsWith('defaults.service') ? model.services[0]!.thresholds : d.path.startsWith('defaults.model') ? model.defaults.modelThresholds : model.models[0]!.thresholds;
    expect((applied as Record<string, unknown>)[key]).toBe(value);
  });

  it.each(covered.map((d) => [d.path, d] as const))('holds the schema default of %s, with the same value', (_path, d) => {
    const key = tableKeyOf(d.path);
    expect(key, `${d.path} has a @default (${JSON.stringify(d.value)}) but no entry in src/config/defaults.ts`).toBeDefined();
    const entry: unknown = configDefaults[key!];
    expect(d.value).toEqual(isComputed(entry) ? entry.documented : entry);
  });

  it.each(covered.map((d) => [d.path, d] as const))('shows the default of %s in docs/config-reference.md', (_path, d) => {
    const section = reference.split(/^## /m).find((s) => s.startsWith(`${d.definition}\n`));
    const row = section?.split('\n').find((line) => line.startsWith(`| \`${d.field}\``));
    expect(row, `no row for ${d.definition}.${d.field}`).toBeDefined();
    expect(row!.split(' | ')[2]).toBe(`\`${JSON.stringify(d.value).replace(/\|/g, '\\|')}\``);
  });

  it.each(Object.keys(configDefaults) as TableKey[])('has %s documented by a schema @default', (key) => {
    expect(defaults.some((d) => tableKeyOf(d.path) === key), `${key} is in the table but no @default in types.ts documents it`).toBe(true);
  });

  it.each(covered.map((d) => [d.path, d] as const))('is what normalize yields for %s when the config leaves it out', (_path, d) => {
    const key = tableKeyOf(d.path)!;
    const mapping = mappings[key];
    expect(mapping, `no mapping from ${d.path} to the model in test/config/defaults.test.ts`).toBeDefined();
    const segments = d.path.split('.');
    const model = modelOf(mapping.config?.(segments) ?? {});
    expect(mapping.read(model, segments)).toEqual(expectedAt(key));
    if (mapping.alsoAt) expect(mapping.alsoAt(model)).toEqual(expectedAt(key));
  });

  it.each((Object.keys(mappings) as TableKey[]).filter((key) => isComputed(configDefaults[key])))('derives the computed default of %s from what it depends on', (key) => {
    const mapping = mappings[key];
    expect(mapping.derived, `${key} is computed: say in its mapping what one of its inputs changed gives`).toBeDefined();
    expect(mapping.read(modelOf(mapping.derived!.config), key.split('.'))).toEqual(mapping.derived!.value);
  });

  it('is deeply frozen, so no part of the model normalize shares with it can be changed', () => {
    expect(Object.isFrozen(configDefaults)).toBe(true);
    expect(Object.isFrozen(configDefaults['kubernetes.resources.logstash'].limits)).toBe(true);
    expect(Object.isFrozen(configDefaults['kubernetes.scheduling.filebeat'].tolerations[0])).toBe(true);
  });

  it('holds the GPU pack\'s defaults (dcgmDefaults) in the schema, and normalize applies them', () => {
    const gpuDefaults: Record<string, unknown> = {};
    const walkGpus = (node: JsonNode | undefined, at: string) => {
      for (const [field, child] of Object.entries((node?.properties ?? {}) as Record<string, JsonNode>)) {
        const target = typeof child.$ref === 'string' ? schema.definitions[child.$ref.replace('#/definitions/', '')] : child;
        if (child.default !== undefined) gpuDefaults[`${at}${field}`] = child.default;
        walkGpus(target, `${at}${field}.`);
      }
    };
    walkGpus(schema.definitions.DcgmConfig, '');
    const horizonHours = dcgmDefaults.thresholds.memoryLeakHorizonSeconds / 3600;
    expect(gpuDefaults).toEqual({
      version: dcgmDefaults.version,
      'kubernetes.podLabels': dcgmDefaults.podLabels,
      'kubernetes.port': dcgmDefaults.port,
      fatalXids: defaultFatalXids,
      'thresholds.warningTemperatureCelsius': dcgmDefaults.thresholds.warningTemperatureCelsius,
      'thresholds.criticalTemperatureCelsius': dcgmDefaults.thresholds.criticalTemperatureCelsius,
      'thresholds.maxThrottleRatio': dcgmDefaults.thresholds.maxThrottleRatio,
      'thresholds.maxFramebufferUsedRatio': dcgmDefaults.thresholds.maxFramebufferUsedRatio,
      'thresholds.memoryLeakHorizon': `${horizonHours}h`,
      'thresholds.maxIdleUtilizationPercent': dcgmDefaults.thresholds.maxIdleUtilizationPercent,
    });
    const resolved = modelOf({ infrastructure: { gpus: { dcgm: { kubernetes: { namespace: 'gpu' } } } } }).dcgm!;
    expect(resolved.version).toBe(dcgmDefaults.version);
    expect(resolved.discovery).toMatchObject({ podLabels: dcgmDefaults.podLabels, port: dcgmDefaults.port });
    expect(resolved.fatalXids).toEqual([...defaultFatalXids].sort((a, b) => a - b));
    expect(resolved.thresholds).toEqual(dcgmDefaults.thresholds);
  });
});
