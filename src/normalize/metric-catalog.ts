import { pythonClientBuckets } from '../catalog/slo/indicators.js';
import type { MetricDefinition } from './model.js';
import { integrationNamed, metricsAt } from '../catalog/integrations/index.js';


/**
 * The metrics the generated stack depends on, with their types and labels. It starts from the seed's
 * instrumentation (metrics.py) and the exporters the seed scrapes; `mlmon validate` checks every expression
 * against it, and users add their own metrics in the config.
 */
export const builtinMetrics: readonly MetricDefinition[] = [
  // The seed's application instrumentation (metrics.py).
  { name: 'http_requests_total', type: 'counter', labels: ['method', 'endpoint', 'status'], help: 'Total HTTP requests', origin: 'instrumentation' },
  { name: 'http_request_duration_seconds', type: 'histogram', labels: ['method', 'endpoint'], help: 'HTTP request duration', origin: 'instrumentation', buckets: pythonClientBuckets },
  { name: 'predictions_total', type: 'counter', labels: ['model', 'status'], help: 'Total predictions', origin: 'instrumentation' },
  { name: 'model_inference_duration_seconds', type: 'histogram', labels: ['model'], help: 'Model inference duration', origin: 'instrumentation', buckets: pythonClientBuckets },
  { name: 'model_accuracy', type: 'gauge', labels: ['model'], help: 'Current model accuracy', origin: 'instrumentation' },
  { name: 'prediction_confidence', type: 'histogram', labels: ['model'], help: 'Prediction confidence distribution', origin: 'instrumentation' },
  // The seed alerts on data_drift_score but its metrics.py never defines it: the model service must export
  // this gauge, with the same `model` label as the others, for DataDriftDetected to have anything to see.
  { name: 'data_drift_score', type: 'gauge', labels: ['model'], help: 'Data drift score of the model input (0 = no drift)', origin: 'instrumentation' },
  // A gauge most HTTP servers export; the application dashboard's "active connections" panel reads it.
  { name: 'http_active_connections', type: 'gauge', labels: [], help: 'Open HTTP connections', origin: 'instrumentation' },
  // node-exporter.
  { name: 'node_cpu_seconds_total', type: 'counter', labels: ['cpu', 'mode'], help: 'Seconds the CPUs spent in each mode', origin: 'node-exporter' },
  { name: 'node_memory_MemTotal_bytes', type: 'gauge', labels: [], help: 'Memory total', origin: 'node-exporter' },
  { name: 'node_memory_MemAvailable_bytes', type: 'gauge', labels: [], help: 'Memory available', origin: 'node-exporter' },
  { name: 'node_filesystem_avail_bytes', type: 'gauge', labels: ['device', 'fstype', 'mountpoint'], help: 'Filesystem space available to non-root users', origin: 'node-exporter' },
  { name: 'node_filesystem_size_bytes', type: 'gauge', labels: ['device', 'fstype', 'mountpoint'], help: 'Filesystem size', origin: 'node-exporter' },
  { name: 'node_network_receive_bytes_total', type: 'counter', labels: ['device'], help: 'Network bytes received', origin: 'node-exporter' },
  { name: 'node_network_transmit_bytes_total', type: 'counter', labels: ['device'], help: 'Network bytes transmitted', origin: 'node-exporter' },
  // kubelet (the kubernetes-nodes job).
  { name: 'kubelet_running_pods', type: 'gauge', labels: [], help: 'Pods running on the node', origin: 'kubelet' },
  { name: 'kubelet_running_containers', type: 'gauge', labels: ['container_state'], help: 'Containers on the node by state', origin: 'kubelet' },
  // Prometheus itself: one per target.
  { name: 'up', type: 'gauge', labels: [], help: '1 if the last scrape of the target succeeded', origin: 'prometheus' },
];

/** Labels Prometheus attaches to every scraped series, from the target (see the scrape jobs). */
export const targetLabels = ['job', 'instance', 'service', 'namespace', 'pod', 'node'] as const;

/** Names of the series mlmon's own recording rules produce, with the labels they carry. */
export function recordedMetric(name: string, labels: readonly string[], help: string): MetricDefinition {
  return { name, type: 'gauge', labels, help, origin: 'mlmon' };
}

/**
 * The metrics the services' integrations export at their declared versions, each once, as the rules and
 * dashboards see them after scraping: the server's model label (`model_name`) is also `model`
 * (ScrapeConvention.modelLabelFrom). For the metric catalog `mlmon validate` checks expressions against.
 */
export function integrationMetrics(services: readonly { readonly integration?: { readonly name: string; readonly version: string } }[]): MetricDefinition[] {
  const seen = new Map<string, MetricDefinition>();
  for (const service of services) {
    const integration = service.integration && integrationNamed(service.integration.name);
    if (!integration) continue;
    const from = integration.scrape.modelLabelFrom;
    for (const m of metricsAt(integration, service.integration!.version)) {
      if (seen.has(m.name)) continue;
      const labels = from && m.labels.includes(from) ? [...m.labels, 'model'] : [...m.labels];
      seen.set(m.name, { name: m.name, type: m.type, labels, help: `${m.help} (${m.unit}; ${m.source})`, origin: 'integration', ...(m.buckets ? { buckets: m.buckets } : {}) });
    }
  }
  return [...seen.values()];
}
