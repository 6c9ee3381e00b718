import { defineAlert } from '../../../alert-definition.js';
import { gauge, selector } from '../../../proof-series.js';

/**
 * vllm:kv_cache_usage_perc is a ratio despite its name: "1 means 100 percent usage" (vllm/v1/metrics/loggers.py),
 * so the threshold is 0–1; many public rules compare it with 90 and never fire. Until v0.11 it was
 * vllm:gpu_cache_usage_perc (see metrics.ts).
 */
export const vllmKvCacheSaturated = defineAlert({
  name: 'VllmKvCacheSaturated',
  scope: 'model',
  about: 'The KV-cache usage of the model\'s fullest vLLM replica (vllm:kv_cache_usage_perc, a ratio 0–1), averaged over the window, was above the threshold: new requests wait or preempt running ones.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['vllm:kv_cache_usage_perc'],
  threshold: { key: 'maxVllmKvCacheUsage', firesWhen: 'above', type: 'Ratio', default: 0.9, doc: 'KV-cache usage (0–1, not percent) of a vLLM replica above which VllmKvCacheSaturated fires', bounds: { ceiling: 1 } },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'VllmKvCacheSaturated',
  rule: ({ window, compare }) => ({
    expr: compare(`max by (model) (avg_over_time(vllm:kv_cache_usage_perc[${window}]))`),
    summary: 'vLLM KV cache nearly full for model {{ $labels.model }}',
    description: `KV-cache usage of {{ $labels.model }}'s fullest vLLM replica is {{ $value | humanizePercentage }} (averaged over ${window}), above its threshold.`,
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, usage, { steps }) => ({ series: [{ series: selector('vllm:kv_cache_usage_perc', scrape), values: gauge(usage, steps) }] }),
  },
  panel: { dashboard: 'ml-models', title: 'vLLM KV-cache usage' },
});
