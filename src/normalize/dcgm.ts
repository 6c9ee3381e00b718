/**
 * The DCGM GPU pack in the model: its settings with defaults, the constant series its thresholds and fatal XID
 * list become, its scrape job, and its metrics for the metric catalog. Only when `infrastructure.gpus.dcgm` is set.
 */
import { dcgmFields } from '../catalog/integrations/dcgm/metrics.js';
import { queueMetrics } from '../catalog/integrations/dcgm/alerts/idle-while-queued.js';
import { dcgmDefaults, dcgmThresholdSeries, defaultFatalXids, fatalXidSeries, type DcgmThresholdValues, type ResolvedDcgm } from '../catalog/integrations/dcgm/settings.js';
import type { DcgmConfig } from '../config/types.js';
import { formatNumber } from '../formats/decimal.js';
import { durationSeconds } from '../formats/prometheus-duration.js';
import { recordedMetric } from './metric-catalog.js';
import type { MetricDefinition, RecordingRule, RuleFile, ScrapeJob } from './model.js';
import { escapeRegex, podAddress, scrapablePods } from './scrape-jobs.js';

/** The pack's settings, every default applied; undefined when the config doesn't enable it. */
export function resolveDcgm(config: DcgmConfig | undefined): ResolvedDcgm | undefined {
  if (!config) return undefined;
  const t = config.thresholds ?? {};
  const d = dcgmDefaults.thresholds;
  return {
    version: config.version ?? dcgmDefaults.version,
    discovery: config.kubernetes
      ? { kind: 'kubernetes-pods', namespace: config.kubernetes.namespace, podLabels: config.kubernetes.podLabels ?? dcgmDefaults.podLabels, port: config.kubernetes.port ?? dcgmDefaults.port }
      : { kind: 'static', targets: config.targets ?? [] },
    fatalXids: [...new Set(config.fatalXids ?? defaultFatalXids)].sort((a, b) => a - b),
    thresholds: {
      warningTemperatureCelsius: t.warningTemperatureCelsius ?? d.warningTemperatureCelsius,
      criticalTemperatureCelsius: t.criticalTemperatureCelsius ?? d.criticalTemperatureCelsius,
      maxThrottleRatio: t.maxThrottleRatio ?? d.maxThrottleRatio,
      maxFramebufferUsedRatio: t.maxFramebufferUsedRatio ?? d.maxFramebufferUsedRatio,
      memoryLeakHorizonSeconds: t.memoryLeakHorizon !== undefined ? durationSeconds(t.memoryLeakHorizon) : d.memoryLeakHorizonSeconds,
      maxIdleUtilizationPercent: t.maxIdleUtilizationPercent ?? d.maxIdleUtilizationPercent,
    },
  };
}

/**
 * dcgm.yml: one constant series per threshold and one per fatal XID code, which the GPU alerts join with. Loaded
 * before alerts.yml, so an evaluation of the alerts sees the values of the same round.
 */
export function dcgmRuleFile(dcgm: ResolvedDcgm, interval: string): RuleFile {
  const rules: RecordingRule[] = [
    ...(Object.keys(dcgm.thresholds) as (keyof DcgmThresholdValues)[]).map((key): RecordingRule => ({
      kind: 'record', record: dcgmThresholdSeries(key), expr: `vector(${formatNumber(dcgm.thresholds[key])})`, labels: {},
      source: `infrastructure.gpus.dcgm.thresholds.${key === 'memoryLeakHorizonSeconds' ? 'memoryLeakHorizon' : key}`,
    })),
    ...dcgm.fatalXids.map((xid): RecordingRule => ({ kind: 'record', record: fatalXidSeries, expr: 'vector(1)', labels: { xid: String(xid) }, source: 'infrastructure.gpus.dcgm.fatalXids' })),
  ];
  return { name: 'dcgm.yml', groups: [{ name: 'mlmon-dcgm-thresholds', interval, rules }] };
}

/**
 * dcgm-exporter, scraped per GPU node like node-exporter: through its DaemonSet's pods (a Service in front would
 * send each scrape to a random node), `instance` and `node` set to the node's name, so GPU alerts keep their
 * identity when the exporter's pod is replaced.
 *
 * It sets no `namespace`, `pod` or `container` target label, unlike the service jobs: with pod mapping on, the
 * exporter exports those three naming the pod a GPU is allocated to, and a target label of the same name would
 * make Prometheus rename the exporter's to `exported_pod` (honor_labels is false), breaking
 * GpuIdleWhileRequestsQueue's join with the model server's queue.
 */
export function dcgmExporterJob(dcgm: ResolvedDcgm): ScrapeJob | undefined {
  const found = dcgm.discovery;
  if (found.kind === 'static') return found.targets.length > 0 ? { name: 'dcgm-exporter', kind: 'dcgm-exporter', staticTargets: found.targets } : undefined;
  const portLabel = '__tmp_dcgm_exporter_port';
  return {
    name: 'dcgm-exporter',
    kind: 'dcgm-exporter',
    kubernetesSd: { role: 'pod', namespaces: [found.namespace] },
    relabelConfigs: [
      // Prometheus turns every character of a label name that is not [a-zA-Z0-9_] into `_`.
      ...Object.entries(found.podLabels).map(([key, value]) => ({ source_labels: [`__meta_kubernetes_pod_label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`], action: 'keep', regex: escapeRegex(value) })),
      ...scrapablePods,
      { target_label: portLabel, replacement: String(found.port) },
      ...podAddress(portLabel),
      { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' },
      { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
    ],
  };
}

/** The pack's metrics for the metric catalog: the DCGM fields, its constant series, and the queue gauges it joins. */
export function dcgmMetrics(): MetricDefinition[] {
  return [
    ...dcgmFields.map((f): MetricDefinition => ({ name: f.name, type: f.type, labels: f.labels, help: `${f.help} [${f.unit}]`, origin: 'integration' })),
    ...(Object.keys(dcgmDefaults.thresholds) as (keyof DcgmThresholdValues)[]).map((key) => recordedMetric(dcgmThresholdSeries(key), [], 'DCGM pack threshold from the config')),
    recordedMetric(fatalXidSeries, ['xid'], 'One series per fatal XID code of the config'),
    ...queueMetrics.map((m): MetricDefinition => ({ name: m.name, type: m.type, labels: m.labels, help: `${m.help} [${m.unit}]`, origin: 'integration' })),
  ];
}
