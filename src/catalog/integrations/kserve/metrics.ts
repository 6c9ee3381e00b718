/**
 * KServe's metrics: the Python ModelServer's latency histograms (python/kserve/kserve/metrics.py, label
 * `model_name`, prometheus_client's default buckets) and, for serverless (Knative) InferenceServices, the
 * queue-proxy's per-revision request metrics (https://knative.dev/docs/serving/observability/metrics/serving-metrics/),
 * which KServe serves beside its own with `serving.kserve.io/enable-metric-aggregation: "true"`.
 */
import type { IntegrationMetric } from '../integration.js';

export const kserveMetricsSource = 'https://github.com/kserve/kserve/blob/master/python/kserve/kserve/metrics.py';
export const knativeMetricsSource = 'https://knative.dev/docs/serving/observability/metrics/serving-metrics/';

/** prometheus_client's default histogram buckets (seconds), which KServe's histograms keep. */
const clientDefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const revisionLabels = ['namespace_name', 'service_name', 'configuration_name', 'revision_name', 'container_name', 'pod_name'];

function metrics(): IntegrationMetric[] {
  const stage = (name: string, help: string): IntegrationMetric =>
    ({ name, type: 'histogram', unit: 'seconds', help, labels: ['model_name'], buckets: clientDefaultBuckets, source: kserveMetricsSource });
  return [
    stage('request_preprocess_seconds', 'pre-process request latency'),
    stage('request_predict_seconds', 'predict request latency'),
    stage('request_postprocess_seconds', 'post-process request latency'),
    stage('request_explain_seconds', 'explain request latency'),
    { name: 'revision_app_request_count', type: 'counter', unit: 'requests', help: 'The number of requests that are routed to user-container', labels: [...revisionLabels, 'response_code', 'response_code_class'], source: knativeMetricsSource },
    { name: 'revision_app_request_latencies', type: 'histogram', unit: 'milliseconds', help: 'The response latencies in milliseconds of requests routed to user-container', labels: [...revisionLabels, 'response_code', 'response_code_class'], source: knativeMetricsSource },
  ];
}

/**
 * Supported KServe releases. Knative Serving from 1.18 moves to OpenTelemetry names (`kn_…`), which this
 * catalog does not cover yet.
 */
export const kserveVersions = ['0.13', '0.14'] as const;

export const kserveMetrics: Readonly<Record<string, readonly IntegrationMetric[]>> = Object.fromEntries(kserveVersions.map((v) => [v, metrics()]));
