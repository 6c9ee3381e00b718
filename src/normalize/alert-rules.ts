/**
 * The built-in alerts' rules and the threshold series they compare against, built from the alert catalog
 * (src/catalog/): each catalog entry says what its rule reads and how it compares; this module joins it with the
 * config (severity, `for`, window, the thresholds of every listed target) and lays out the joins.
 *
 * Fleet scale: thresholds are series, not rules. Each alert is ONE rule for every model or service; it compares
 * the signal against a per-target threshold series (a constant recording rule carrying `model` or `service` and
 * `team` labels), joined by label. Models the config doesn't list fall back to a default series; a disabled
 * threshold simply has no series, so the join finds nothing and the alert can't fire.
 */
import { alertCatalog, defaultSeriesOf, thresholdsOf, thresholdSeriesName, type AlertCatalog, type AlertDefinition } from '../catalog/index.js';
import type { AlertRuleContext, ScrapedJobs } from '../catalog/alert-definition.js';
import { modelInfoSeries, serviceInfoSeries } from '../catalog/series.js';
import { integrationModelPresence, serviceIntegrations } from '../catalog/integrations/index.js';
import type { BuiltinAlertName, Severity } from '../config/types.js';
import { formatNumber } from '../formats/decimal.js';
import { escapeGoTemplate } from '../formats/go-template.js';
import { breachReader, breachRecord, shardLabels, shardOf, shardSelectors, type ShardedAlert, type ShardSelectors, type ShardScope } from './alert-shards.js';
import type { AlertingRule, BuiltinAlert, ThresholdKey, RecordingRule, ResolvedInfrastructure, ResolvedModel, ResolvedModelThresholds, ResolvedService } from './model.js';

export interface AlertSettings {
  readonly severity: Severity;
  readonly for: string;
  readonly window: string;
  readonly enabled: boolean;
}

interface AlertInputs {
  readonly settings: Readonly<Record<string, AlertSettings>>;
  readonly infrastructure: ResolvedInfrastructure;
  readonly services: readonly ResolvedService[];
  readonly models: readonly ResolvedModel[];
  readonly defaultTeam: string;
  readonly defaultModelThresholds: ResolvedModelThresholds;
  readonly runbookBaseUrl: string | undefined;
  /** The alert catalog; the built-in one unless a test adds an alert. */
  readonly catalog?: AlertCatalog;
  /** Alert shards per scope (src/normalize/alert-shards.ts); one each when absent. */
  readonly shards?: { readonly model: number; readonly service: number };
  /** The DCGM GPU pack, when enabled: where dcgm-exporter is found. */
  readonly dcgm?: { readonly discovery: { readonly kind: string } } | undefined;
}

/** The jobs whose targets can vanish, and the integrations the services run (AlertRuleContext.scraped). */
function scrapedJobs(inputs: AlertInputs): ScrapedJobs {
  return {
    nodeExporterPods: inputs.infrastructure.nodeExporter.kind === 'kubernetes-pods',
    kubelets: inputs.infrastructure.kubernetesNodes,
    dcgmPods: inputs.dcgm?.discovery.kind === 'kubernetes-pods',
    integrations: serviceIntegrations.filter((i) => inputs.services.some((s) => s.integration?.name === i.name)).map((i) => i.name),
  };
}

type Comparison = '>' | '<';

/**
 * `signal <op> threshold` for every model, where the threshold is the model's own series or, for models the
 * config doesn't list, the default series. `presence` is a selector that exists for every model the signal
 * covers; it is how unlisted models are found.
 */
function perModelComparison(signal: string, op: Comparison, series: string, presence: string, hasDefault: boolean, target: (series: string) => string): string {
  const threshold = hasDefault
    ? [
        `(`,
        `    ${target(series)}`,
        `  or on (model)`,
        `    (`,
        `      (0 * group by (model) (${presence}) unless on (model) ${target(modelInfoSeries)})`,
        `      + on () group_left (team) ${defaultSeriesOf(series)}`,
        `    )`,
        `)`,
      ].join('\n')
    : target(series);
  return `${signal}\n  ${op} on (model) group_left (team)\n${indent(threshold, 2)}`;
}

function perServiceComparison(signal: string, op: Comparison, series: string): string {
  return `${signal}\n  ${op} on (service) group_left (team)\n  ${series}`;
}

function indent(text: string, spaces: number): string {
  return text.split('\n').map((line) => ' '.repeat(spaces) + line).join('\n');
}

/** The rule group an alert's rule goes to, by what it is about. */
function groupOf(alert: AlertDefinition): BuiltinAlert['group'] {
  return alert.scope === 'infrastructure' ? 'infrastructure' : alert.scope === 'service' ? 'application' : 'ml-models';
}

/**
 * Whether the config gives an alert anything to watch: a threshold alert of services or models needs one target
 * with that threshold enabled (or, for models, an enabled default, which applies to models no config lists);
 * an alert without a threshold says itself (ServiceUnreachable needs a service).
 */
function watchesSomething(alert: AlertDefinition, inputs: AlertInputs, scraped: ScrapedJobs): boolean {
  const key = alert.threshold?.key;
  if (key === undefined) return alert.watches ? alert.watches({ services: inputs.services.length, models: inputs.models.length, scraped }) : true;
  switch (alert.scope) {
    case 'infrastructure': return true;
    case 'service': return inputs.services.some((s) => s.thresholds[key as keyof ResolvedService['thresholds']] !== false);
    case 'model': return inputs.defaultModelThresholds[key as keyof ResolvedModelThresholds] !== false || inputs.models.some((m) => m.thresholds[key as keyof ResolvedModelThresholds] !== false);
  }
}

/** How the alert's expression compares its signal with its threshold (AlertRuleContext.compare). */
function comparisonOf(alert: AlertDefinition, inputs: AlertInputs, target: (series: string) => string): Pick<AlertRuleContext, 'compare' | 'thresholdValue'> {
  const threshold = alert.threshold;
  if (!threshold) return { compare: () => { throw new Error(`${alert.name} has no threshold to compare with`); } };
  const op: Comparison = threshold.firesWhen === 'above' ? '>' : '<';
  switch (alert.scope) {
    case 'infrastructure': {
      const value = inputs.infrastructure.thresholds[threshold.key as keyof ResolvedInfrastructure['thresholds']];
      return { compare: (signal) => `${signal} ${op} ${value}`, thresholdValue: value };
    }
    case 'service':
      return { compare: (signal) => perServiceComparison(signal, op, target(thresholdSeriesName('service', threshold.key))) };
    case 'model': {
      const hasDefault = inputs.defaultModelThresholds[threshold.key as keyof ResolvedModelThresholds] !== false;
      return { compare: (signal, presence = signal) => perModelComparison(signal, op, thresholdSeriesName('model', threshold.key), presence, hasDefault, target) };
    }
  }
}

/** Every enabled alert of the catalog that has something to watch, with its rule, in catalog order. */
export function buildBuiltinAlerts(inputs: AlertInputs): BuiltinAlert[] {
  const { settings, runbookBaseUrl } = inputs;
  const alerts: BuiltinAlert[] = [];
  const modelPresence = integrationModelPresence(inputs.services);
  const scraped = scrapedJobs(inputs);
  for (const alert of inputs.catalog ?? alertCatalog) {
    const s = settings[alert.name]!;
    if (!s.enabled || !watchesSomething(alert, inputs, scraped)) continue;
    const context = (selectors: ShardSelectors): AlertRuleContext => ({
      window: s.window, for: s.for, infrastructureTeam: inputs.infrastructure.team, modelPresence, scraped, ...selectors, ...comparisonOf(alert, inputs, selectors.target),
    });
    const inline = alert.rule(context(shardSelectors('model', undefined)));
    // Per shard only where the scope has several; with one, the alert is inline as it always was.
    const count = alert.perShard && alert.scope !== 'infrastructure' ? inputs.shards?.[alert.scope] ?? 1 : 1;
    const shards: ShardedAlert | undefined = count > 1 ? {
      record: breachRecord(alert.name),
      window: s.window,
      exprs: Array.from({ length: count }, (_, k) => String(k)).map((shard) => ({
        shard, expr: alert.rule(context(shardSelectors(alert.scope as ShardScope, shard))).expr,
      })),
    } : undefined;
    const text = shards ? { ...inline, expr: breachReader(alert.scope as ShardScope, shards.record, alert.threshold?.firesWhen) } : inline;
    // Prometheus expands every alert label and annotation as a Go template, so a config value (a team name, the
    // runbook URL) is escaped to render as itself; the catalog's text is mlmon's own template.
    const annotations: Record<string, string> = { summary: text.summary, description: text.description };
    if (runbookBaseUrl) annotations.runbook_url = escapeGoTemplate(`${runbookBaseUrl.replace(/\/+$/, '')}/${alert.runbook}`);
    const rule: AlertingRule = {
      kind: 'alert',
      alert: alert.name,
      expr: text.expr,
      for: s.for,
      labels: { severity: s.severity, ...Object.fromEntries(Object.entries(text.labels ?? {}).map(([k, v]) => [k, escapeGoTemplate(v)])) },
      annotations,
      source: `alerts.${alert.name}`,
    };
    const threshold = alert.threshold && {
      key: alert.threshold.key as ThresholdKey,
      firesWhen: alert.threshold.firesWhen,
      ...(alert.scope === 'infrastructure' ? {} : { series: thresholdSeriesName(alert.scope, alert.threshold.key) }),
      ...(alert.scope === 'model' ? { defaultSeries: defaultSeriesOf(thresholdSeriesName('model', alert.threshold.key)) } : {}),
    };
    alerts.push({
      name: alert.name as BuiltinAlertName, scope: alert.scope, group: groupOf(alert), severity: s.severity, for: s.for, rule,
      identity: alert.identity, labelSets: alert.labelSets, definition: alert, ...(threshold ? { threshold } : {}), ...(shards ? { shards } : {}),
    });
  }
  return alerts;
}

/** The constant series the alerts join against: one per listed target and enabled threshold. */
export function buildThresholdRules(inputs: Pick<AlertInputs, 'services' | 'models' | 'defaultTeam' | 'defaultModelThresholds' | 'catalog' | 'shards'>): RecordingRule[] {
  const rules: RecordingRule[] = [];
  const constant = (record: string, value: number, labels: Record<string, string>, source: string): void => {
    rules.push({ kind: 'record', record, expr: `vector(${formatNumber(value)})`, labels, source });
  };
  // Each key's series name once, not once per target (40,000 regex replacements at 10,000 models).
  const serviceKeys = thresholdsOf('service', inputs.catalog).map(({ threshold }) => ({ key: threshold.key as keyof ResolvedService['thresholds'], series: thresholdSeriesName('service', threshold.key) }));
  const modelKeys = thresholdsOf('model', inputs.catalog).map(({ threshold }) => ({ key: threshold.key as keyof ResolvedModelThresholds, series: thresholdSeriesName('model', threshold.key) }));
  // With several shards of a scope, each target's series carry its shard, which the per-shard alerts select by
  // (src/normalize/alert-shards.ts). mlmon:service_info does not: no per-shard alert reads it.
  const serviceShards = inputs.shards?.service ?? 1;
  const modelShards = inputs.shards?.model ?? 1;
  for (const service of inputs.services) {
    constant(serviceInfoSeries, 1, { service: service.name, team: service.team }, `services.${service.name}`);
    const labels = { service: service.name, team: service.team, ...(serviceShards > 1 ? { [shardLabels.service]: shardOf(service.name, serviceShards) } : {}) };
    for (const { key, series } of serviceKeys) {
      const value = service.thresholds[key];
      if (value !== false) constant(series, value, labels, `services.${service.name}.thresholds.${key}`);
    }
  }
  for (const { key, series } of modelKeys) {
    const value = inputs.defaultModelThresholds[key];
    if (value !== false) constant(defaultSeriesOf(series), value, { team: inputs.defaultTeam }, `defaults.modelThresholds.${key}`);
  }
  for (const model of inputs.models) {
    const shard = modelShards > 1 ? { [shardLabels.model]: shardOf(model.name, modelShards) } : {};
    constant(modelInfoSeries, 1, { model: model.name, service: model.service, team: model.team, ...shard }, `models.${model.name}`);
    const labels = { model: model.name, team: model.team, ...shard };
    for (const { key, series } of modelKeys) {
      const value = model.thresholds[key];
      if (value !== false) constant(series, value, labels, `models.${model.name}.thresholds.${key}`);
    }
  }
  return rules;
}
