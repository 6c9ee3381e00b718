/**
 * NVIDIA Triton Inference Server's Prometheus metrics (docs/user_guide/metrics.md): per model, labelled
 * `model` and `version`; the latency counters are cumulative microseconds (`*_duration_us`, on by default,
 * `--metrics-config counter_latencies`); GPU metrics are per GPU (`gpu_uuid`), from DCGM, per interval. Triton's
 * counters are prometheus-cpp Counters named without `_total`.
 */
import type { IntegrationMetric } from '../integration.js';

export const tritonMetricsDoc = 'https://github.com/triton-inference-server/server/blob/main/docs/user_guide/metrics.md';

const perModel = ['model', 'version'];

function metrics(): IntegrationMetric[] {
  const m = (name: string, type: IntegrationMetric['type'], unit: string, help: string, labels: readonly string[] = perModel): IntegrationMetric =>
    ({ name, type, unit, help, labels: [...labels], source: tritonMetricsDoc });
  return [
    m('nv_inference_request_success', 'counter', 'requests', 'Number of successful inference requests received by Triton (a batch counts as 1).'),
    m('nv_inference_request_failure', 'counter', 'requests', 'Number of failed inference requests received by Triton (a batch counts as 1).'),
    m('nv_inference_count', 'counter', 'inferences', 'Number of inferences performed (a batch of n counts as n; cached requests excluded).'),
    m('nv_inference_exec_count', 'counter', 'executions', 'Number of inference batch executions (cached requests excluded).'),
    m('nv_inference_pending_request_count', 'gauge', 'requests', 'Number of requests waiting in the scheduler queue or being executed for the model.'),
    m('nv_inference_request_duration_us', 'counter', 'microseconds', 'Cumulative end-to-end inference request handling time (includes cached requests).'),
    m('nv_inference_queue_duration_us', 'counter', 'microseconds', 'Cumulative time requests spend waiting in the scheduling queue (includes cached requests).'),
    m('nv_inference_compute_input_duration_us', 'counter', 'microseconds', 'Cumulative time requests spend processing inference inputs.'),
    m('nv_inference_compute_infer_duration_us', 'counter', 'microseconds', 'Cumulative time requests spend executing the inference model.'),
    m('nv_inference_compute_output_duration_us', 'counter', 'microseconds', 'Cumulative time requests spend processing inference outputs.'),
    m('nv_gpu_utilization', 'gauge', 'ratio', 'GPU utilization rate (0.0 - 1.0).', ['gpu_uuid']),
    m('nv_gpu_memory_total_bytes', 'gauge', 'bytes', 'Total GPU memory, in bytes.', ['gpu_uuid']),
    m('nv_gpu_memory_used_bytes', 'gauge', 'bytes', 'Used GPU memory, in bytes.', ['gpu_uuid']),
    m('nv_gpu_power_usage', 'gauge', 'watts', 'GPU instantaneous power.', ['gpu_uuid']),
    m('nv_gpu_power_limit', 'gauge', 'watts', 'Maximum GPU power limit.', ['gpu_uuid']),
  ];
}

/**
 * Supported Triton releases (`YY.MM`). Their inference and GPU metric names are the same; the summaries
 * (`*_summary_us`) and the first-response histogram are opt-in and not in the catalog.
 */
export const tritonVersions = ['24.08', '25.01'] as const;

export const tritonMetrics: Readonly<Record<string, readonly IntegrationMetric[]>> = Object.fromEntries(tritonVersions.map((v) => [v, metrics()]));
