/**
 * vLLM (https://docs.vllm.ai/en/latest/usage/metrics/): its OpenAI-compatible server exports Prometheus metrics
 * on its own port (8000) at /metrics, every series labelled `model_name` with the served model name, which the
 * scrape job copies to `model` so the alerts join the per-model thresholds as the built-ins do.
 */
import type { IntegrationDefinition } from '../integration.js';
import { vllmAbortRatioHigh } from './alerts/vllm-abort-ratio-high.js';
import { vllmKvCacheSaturated } from './alerts/vllm-kv-cache-saturated.js';
import { vllmPreemptions } from './alerts/vllm-preemptions.js';
import { vllmPrefixCacheHitRateCollapse } from './alerts/vllm-prefix-cache-hit-rate-collapse.js';
import { vllmQueueBacklog } from './alerts/vllm-queue-backlog.js';
import { vllmTimeToFirstTokenHigh } from './alerts/vllm-time-to-first-token-high.js';
import { vllmMetrics, vllmRenames, vllmVersions } from './metrics.js';

/** vLLM's alerts, in the order their rules are written. */
export const vllmAlerts = [
  vllmQueueBacklog,
  vllmKvCacheSaturated,
  vllmTimeToFirstTokenHigh,
  vllmPreemptions,
  vllmAbortRatioHigh,
  vllmPrefixCacheHitRateCollapse,
] as const;

const sel = (metric: string, matchers: readonly string[]) => `${metric}{${matchers.join(', ')}}`;
const rate = (metric: string, matchers: readonly string[]) => `rate(${sel(metric, matchers)}[$__rate_interval])`;

export const vllm: IntegrationDefinition<'vllm'> = {
  name: 'vllm',
  scope: 'service',
  versions: vllmVersions,
  metrics: vllmMetrics,
  renames: vllmRenames,
  scrape: { port: 8000, path: '/metrics', modelLabels: ['model_name'], modelLabelFrom: 'model_name', modelPresence: 'vllm:num_requests_running' },
  alerts: vllmAlerts,
  dashboardRow: {
    title: 'vLLM',
    panels: [
      {
        title: 'vLLM requests waiting', unit: 'short',
        description: 'Requests waiting in the scheduler queue of the model\'s busiest vLLM replica (vllm:num_requests_waiting).',
        queries: (m) => [{ expr: `max by (model) (${sel('vllm:num_requests_waiting', m)})`, legend: '{{model}}' }],
      },
      {
        title: 'vLLM KV-cache usage', unit: 'percentunit', max: 1,
        description: 'KV-cache usage (0–1) of the model\'s fullest vLLM replica (vllm:kv_cache_usage_perc).',
        queries: (m) => [{ expr: `max by (model) (${sel('vllm:kv_cache_usage_perc', m)})`, legend: '{{model}}' }],
      },
      {
        title: 'vLLM time to first token P50 / P95 / P99', unit: 's',
        description: 'Time to first token quantiles of the model, from vllm:time_to_first_token_seconds summed over replicas.',
        queries: (m) => [0.5, 0.95, 0.99].map((q) => ({
          expr: `histogram_quantile(${q}, sum by (model, le) (${rate('vllm:time_to_first_token_seconds_bucket', m)}))`,
          legend: `{{model}} p${Math.round(q * 100)}`,
        })),
      },
      {
        title: 'vLLM preemptions per second', unit: 'ops',
        description: 'Requests vLLM preempted per second for lack of KV cache (vllm:num_preemptions_total).',
        queries: (m) => [{ expr: `sum by (model) (${rate('vllm:num_preemptions_total', m)})`, legend: '{{model}}' }],
      },
      {
        title: 'vLLM aborted requests ratio', unit: 'percentunit', max: 1,
        description: 'Share of finished requests that were aborted (vllm:request_success_total by finished_reason).',
        queries: (m) => [{
          expr: `sum by (model) (${rate('vllm:request_success_total', ['finished_reason="abort"', ...m])}) / sum by (model) (${rate('vllm:request_success_total', m)})`,
          legend: '{{model}}',
        }],
      },
      {
        title: 'vLLM prefix-cache hit ratio', unit: 'percentunit', max: 1,
        description: 'Share of prompt tokens served from the prefix cache (vllm:prefix_cache_hits_total over vllm:prefix_cache_queries_total).',
        queries: (m) => [{
          expr: `sum by (model) (${rate('vllm:prefix_cache_hits_total', m)}) / sum by (model) (${rate('vllm:prefix_cache_queries_total', m)})`,
          legend: '{{model}}',
        }],
      },
    ],
  },
};
