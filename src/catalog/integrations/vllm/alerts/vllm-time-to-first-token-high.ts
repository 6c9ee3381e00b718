import { defineAlert } from '../../../alert-definition.js';
import { histogramAt, quantileOf } from '../../../proof-series.js';
import { maxLatencySeconds } from '../../../alerts/high-latency.js';

/** vllm:time_to_first_token_seconds (histogram, seconds; vllm/v1/metrics/loggers.py), summed over replicas keeping `le`. */
export const vllmTimeToFirstTokenHigh = defineAlert({
  name: 'VllmTimeToFirstTokenHigh',
  scope: 'model',
  about: 'A model\'s p95 time to first token (vllm:time_to_first_token_seconds, in seconds), from its histogram summed over replicas over the window, was above the threshold.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['vllm:time_to_first_token_seconds'],
  threshold: { key: 'maxVllmTtftP95Seconds', firesWhen: 'above', type: 'Seconds', default: 2, doc: 'p95 time to first token in seconds above which VllmTimeToFirstTokenHigh fires', bounds: { longest: maxLatencySeconds } },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'VllmTimeToFirstTokenHigh',
  rule: ({ window, compare }) => ({
    expr: compare(
      `histogram_quantile(0.95, sum by (model, le) (rate(vllm:time_to_first_token_seconds_bucket[${window}])))`,
      `present_over_time(vllm:time_to_first_token_seconds_count[${window}])`,
    ),
    summary: 'Slow first token on model {{ $labels.model }}',
    description: 'P95 time to first token of {{ $labels.model }} is {{ $value | humanizeDuration }}, above its threshold.',
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, seconds, { steps, step }) => ({
      series: histogramAt('vllm:time_to_first_token_seconds', scrape, seconds, steps, 10 * step),
      value: quantileOf(seconds),
    }),
  },
  panel: { dashboard: 'ml-models', title: 'vLLM time to first token P50 / P95 / P99', query: 'p95' },
});
