/**
 * The metric contract of a config: which metrics each kind of endpoint must export (the seed's application
 * instrumentation, node-exporter, kubelet, the user's `metrics`, each enabled integration at its declared
 * version), with their types, labels, and the histogram bucket boundaries the config's thresholds and SLOs read.
 * `check-metrics` holds scrapes to it; `instrument` writes the application's part of it as code.
 */
import type { IntegrationDefinition } from '../catalog/integrations/integration.js';
import type { MetricDefinition, MonitoringModel } from '../normalize/model.js';
import type { EnabledIntegration } from './integrations.js';
import { metricsAt } from './integrations.js';

/** A set of metrics that one exporter exports together: an endpoint that has one of them should have them all. */
export interface MetricGroup {
  /** `application`, `config`, `node-exporter`, `kubelet`, or an integration's name. */
  readonly name: string;
  readonly metrics: readonly MetricDefinition[];
  /** The labels that name the model in this group's series (joined on by the alerts). */
  readonly modelLabels: readonly string[];
  /** The integration this group comes from, with the config's declared version. */
  readonly integration?: EnabledIntegration;
}

/** A bucket boundary a histogram must have, and who needs it. */
export interface RequiredBucket {
  readonly metric: string;
  /** Seconds (the unit of both built-in latency histograms). */
  readonly seconds: number;
  /**
   * `exact`: an SLO counts good events from the bucket `le` = target, so that boundary must exist.
   * `at-least`: a p95 threshold compared with histogram_quantile, which never returns more than the highest
   * finite boundary, so some boundary must be at or above the threshold for the alert to be able to fire.
   * `declared`: an integration's metric or a config `metrics` entry declares its buckets; its alerts and proofs
   * were written against them, so each declared boundary must exist.
   */
  readonly kind: 'exact' | 'at-least' | 'declared';
  /** The config path that asks for it, e.g. `models.fraud-detector.slos.latency`. */
  readonly path: string;
}

export interface MetricContract {
  readonly groups: readonly MetricGroup[];
  readonly requiredBuckets: readonly RequiredBucket[];
  /** Every enabled integration (their renames are checked on every endpoint). */
  readonly integrations: readonly EnabledIntegration[];
  /** The models the config lists, for label values that would not join. */
  readonly models: readonly string[];
}

/** The histogram each latency indicator and latency threshold reads (src/catalog/slo/indicators.ts, the alerts). */
const latencyHistogram = { model: 'model_inference_duration_seconds', service: 'http_request_duration_seconds' } as const;

/** The application metrics: what the model service itself must export (what `mlmon instrument` writes). */
export function applicationMetrics(model: MonitoringModel): MetricDefinition[] {
  return model.metricCatalog.filter((m) => m.origin === 'instrumentation');
}

/** The contract of a normalized config and the integrations it enables. */
export function metricContract(model: MonitoringModel, enabled: readonly EnabledIntegration[]): MetricContract {
  const byOrigin = (origin: MetricDefinition['origin']) => model.metricCatalog.filter((m) => m.origin === origin);
  const groups: MetricGroup[] = [
    { name: 'application', metrics: applicationMetrics(model), modelLabels: ['model'] },
    { name: 'config', metrics: byOrigin('config'), modelLabels: ['model'] },
    { name: 'node-exporter', metrics: byOrigin('node-exporter'), modelLabels: [] },
    { name: 'kubelet', metrics: byOrigin('kubelet'), modelLabels: [] },
  ];
  // One group per integration and version: two services on different vLLM versions are two contracts.
  const seen = new Set<string>();
  for (const integration of enabled) {
    const key = `${integration.definition.name}@${integration.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    groups.push({ name: integration.definition.name, metrics: integrationMetrics(integration.definition, integration.version), modelLabels: integration.definition.scrape.modelLabels, integration });
  }
  // Declared buckets bind where the catalog entry is the exporter's own contract: an integration's metric, or a
  // config `metrics` entry. A built-in histogram's buckets are the seed's client defaults, not a requirement: what
  // its SLOs and thresholds need is computed in requiredBuckets.
  const declared: RequiredBucket[] = groups.filter((g) => g.integration || g.name === 'config').flatMap((g) => g.metrics.flatMap((m) =>
    m.type === 'histogram' ? (m.buckets ?? []).map((seconds) => ({ metric: m.name, seconds, kind: 'declared' as const, path: g.integration ? `${g.integration.path}.version` : 'metrics' })) : []));
  return { groups: groups.filter((g) => g.metrics.length > 0), requiredBuckets: [...requiredBuckets(model), ...declared], integrations: enabled, models: model.models.map((m) => m.name) };
}

function integrationMetrics(definition: IntegrationDefinition, version: string): MetricDefinition[] {
  return metricsAt(definition, version).map(({ unit: _unit, source: _source, ...metric }) => ({ ...metric, origin: 'config' as const }));
}

/** The boundaries the config's latency SLOs and p95 thresholds need, deduplicated, in config order. */
export function requiredBuckets(model: MonitoringModel): RequiredBucket[] {
  const required: RequiredBucket[] = [];
  for (const slo of model.slos.slos) {
    if (slo.indicator.kind === 'latency') required.push({ metric: latencyHistogram[slo.scope], seconds: slo.indicator.thresholdSeconds, kind: 'exact', path: slo.source });
  }
  const threshold = (metric: string, seconds: number | false, path: string) => {
    if (seconds !== false) required.push({ metric, seconds, kind: 'at-least', path });
  };
  threshold(latencyHistogram.model, model.defaults.modelThresholds.maxInferenceLatencyP95Seconds, 'defaults.modelThresholds.maxInferenceLatencyP95Seconds');
  for (const m of model.models) threshold(latencyHistogram.model, m.thresholds.maxInferenceLatencyP95Seconds, `models.${m.name}.thresholds.maxInferenceLatencyP95Seconds`);
  for (const s of model.services) threshold(latencyHistogram.service, s.thresholds.maxLatencyP95Seconds, `services.${s.name}.thresholds.maxLatencyP95Seconds`);
  const key = (r: RequiredBucket) => `${r.metric} ${r.kind} ${r.seconds}`;
  const first = new Map<string, RequiredBucket>();
  for (const r of required) if (!first.has(key(r))) first.set(key(r), r);
  return [...first.values()];
}
