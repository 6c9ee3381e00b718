import { defineAlert } from '../../../alert-definition.js';
import { counter, selector } from '../../../proof-series.js';

/**
 * The prefix-cache hit rate from the two counters vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total
 * (tokens; vllm/v1/metrics/loggers.py; the vllm:gpu_prefix_cache_hit_rate gauge was removed after 0.8). A
 * collapse means a changed prompt template or routing that stopped sending a conversation to the same replica.
 */
export const vllmPrefixCacheHitRateCollapse = defineAlert({
  name: 'VllmPrefixCacheHitRateCollapse',
  scope: 'model',
  about: 'The share of a model\'s prompt tokens served from vLLM\'s prefix cache (prefix_cache_hits over prefix_cache_queries, a ratio 0–1 over the window, summed over replicas) was below the threshold.',
  defaults: { severity: 'warning', for: '15m', window: '10m' },
  windowUse: 'rate',
  metrics: ['vllm:prefix_cache_hits_total', 'vllm:prefix_cache_queries_total'],
  threshold: { key: 'minVllmPrefixCacheHitRatio', firesWhen: 'below', type: 'Ratio', default: 0.2, doc: 'Prefix-cache hit ratio (0–1) below which VllmPrefixCacheHitRateCollapse fires', bounds: { floor: 0 } },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'VllmPrefixCacheHitRateCollapse',
  rule: ({ window, compare }) => ({
    expr: compare(
      `(\n    sum by (model) (rate(vllm:prefix_cache_hits_total[${window}]))\n  /\n    sum by (model) (rate(vllm:prefix_cache_queries_total[${window}]))\n)`,
      `present_over_time(vllm:prefix_cache_queries_total[${window}])`,
    ),
    summary: 'vLLM prefix cache hit rate collapsed for model {{ $labels.model }}',
    description: `Only {{ $value | humanizePercentage }} of {{ $labels.model }}'s prompt tokens hit the prefix cache over ${window}, below its threshold.`,
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, ratio, { steps, step }) => ({
      series: [
        { series: selector('vllm:prefix_cache_hits_total', scrape), values: counter(10 * ratio * step, steps) },
        { series: selector('vllm:prefix_cache_queries_total', scrape), values: counter(10 * step, steps) },
      ],
    }),
  },
  panel: { dashboard: 'ml-models', title: 'vLLM prefix-cache hit ratio' },
});
