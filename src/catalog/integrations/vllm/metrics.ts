/**
 * vLLM's Prometheus metrics per supported version, as its V1 engine exports them
 * (vllm/v1/metrics/loggers.py, PrometheusStatLogger). Every series carries `model_name` (the served model name)
 * and `engine` (the engine core's index); counters are prometheus_client Counters, so their samples end in
 * `_total` (`vllm:prefix_cache_hits` is scraped as `vllm:prefix_cache_hits_total`).
 *
 * Versions: `vllm:kv_cache_usage_perc`, `vllm:prefix_cache_queries` and `vllm:prefix_cache_hits` arrived in
 * v0.9.2 (PR #18354) beside their `gpu_`-prefixed predecessors, which were hidden in v0.11.0 (PR #24245, back
 * only with `--show-hidden-metrics-for-version=0.10`) and removed in v0.12.0 (PR #29330).
 */
import type { IntegrationMetric, MetricRename } from '../integration.js';

/** vLLM's metric definitions at a release tag. */
export function loggersAt(version: string): string {
  return `https://github.com/vllm-project/vllm/blob/v${version}.0/vllm/v1/metrics/loggers.py`;
}

const labels = ['model_name', 'engine'] as const;

/** The time-to-first-token buckets (seconds), as in loggers.py from v0.10 to v0.12. */
export const ttftBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];

/** The buckets (seconds) of the request latency histograms (e2e, queue, prefill, decode). */
export const requestLatencyBuckets = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];

function metricsOf(version: string, withDeprecated: boolean): IntegrationMetric[] {
  const source = loggersAt(version);
  const m = (name: string, type: IntegrationMetric['type'], unit: string, help: string, extra: Partial<IntegrationMetric> = {}): IntegrationMetric =>
    ({ name, type, unit, help, labels: [...labels], source, ...extra });
  return [
    m('vllm:num_requests_running', 'gauge', 'requests', 'Number of requests in model execution batches.'),
    m('vllm:num_requests_waiting', 'gauge', 'requests', 'Number of requests waiting to be processed.'),
    m('vllm:kv_cache_usage_perc', 'gauge', 'ratio', 'KV-cache usage. 1 means 100 percent usage.'),
    m('vllm:prefix_cache_queries_total', 'counter', 'tokens', 'Prefix cache queries, in terms of number of queried tokens.'),
    m('vllm:prefix_cache_hits_total', 'counter', 'tokens', 'Prefix cache hits, in terms of number of cached tokens.'),
    ...(withDeprecated
      ? [
          m('vllm:gpu_cache_usage_perc', 'gauge', 'ratio', 'GPU KV-cache usage. 1 means 100 percent usage. DEPRECATED: Use vllm:kv_cache_usage_perc instead.'),
          m('vllm:gpu_prefix_cache_queries_total', 'counter', 'tokens', 'GPU prefix cache queries. DEPRECATED: Use vllm:prefix_cache_queries instead.'),
          m('vllm:gpu_prefix_cache_hits_total', 'counter', 'tokens', 'GPU prefix cache hits. DEPRECATED: Use vllm:prefix_cache_hits instead.'),
        ]
      : []),
    m('vllm:num_preemptions_total', 'counter', 'preemptions', 'Cumulative number of preemption from the engine.'),
    m('vllm:prompt_tokens_total', 'counter', 'tokens', 'Number of prefill tokens processed.'),
    m('vllm:generation_tokens_total', 'counter', 'tokens', 'Number of generation tokens processed.'),
    // finished_reason is str(FinishReason): stop, length or abort.
    m('vllm:request_success_total', 'counter', 'requests', 'Count of successfully processed requests.', { labels: [...labels, 'finished_reason'] }),
    m('vllm:time_to_first_token_seconds', 'histogram', 'seconds', 'Histogram of time to first token in seconds.', { buckets: ttftBuckets }),
    m('vllm:e2e_request_latency_seconds', 'histogram', 'seconds', 'Histogram of e2e request latency in seconds.', { buckets: requestLatencyBuckets }),
    m('vllm:request_queue_time_seconds', 'histogram', 'seconds', 'Histogram of time spent in WAITING phase for request.', { buckets: requestLatencyBuckets }),
    m('vllm:request_prefill_time_seconds', 'histogram', 'seconds', 'Histogram of time spent in PREFILL phase for request.', { buckets: requestLatencyBuckets }),
    m('vllm:request_decode_time_seconds', 'histogram', 'seconds', 'Histogram of time spent in DECODE phase for request.', { buckets: requestLatencyBuckets }),
  ];
}

/** Supported vLLM versions, oldest first. */
export const vllmVersions = ['0.10', '0.11', '0.12'] as const;

export const vllmMetrics: Readonly<Record<string, readonly IntegrationMetric[]>> = {
  '0.10': metricsOf('0.10', true),
  '0.11': metricsOf('0.11', false),
  '0.12': metricsOf('0.12', false),
};

/**
 * The `gpu_` names gone by default from v0.11 (hidden, PR #24245) and for good from v0.12 (PR #29330).
 * Alerts on them went blank silently in several public projects (kubernetes-sigs/inference-perf #277,
 * kubernetes-sigs/gateway-api-inference-extension #1905).
 */
export const vllmRenames: readonly MetricRename[] = [
  ['vllm:gpu_cache_usage_perc', 'vllm:kv_cache_usage_perc'],
  ['vllm:gpu_prefix_cache_queries_total', 'vllm:prefix_cache_queries_total'],
  ['vllm:gpu_prefix_cache_hits_total', 'vllm:prefix_cache_hits_total'],
].map(([from, to]) => ({ from: from!, to, inVersion: '0.11', source: 'https://github.com/vllm-project/vllm/pull/24245' }));
