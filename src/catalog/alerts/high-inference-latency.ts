import { defineAlert } from '../alert-definition.js';
import { histogramAt, quantileOf } from '../proof-series.js';
import { maxLatencySeconds } from './high-latency.js';

/** The model's p95, from its histogram summed over the pods that serve it, keeping `le`. */
export const highInferenceLatency = defineAlert({
  name: 'HighInferenceLatency',
  scope: 'model',
  about: 'A model\'s p95 inference latency, from its histogram summed over pods over the window, was above its threshold.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['model_inference_duration_seconds'],
  threshold: { key: 'maxInferenceLatencyP95Seconds', firesWhen: 'above', type: 'Seconds', default: 1, doc: 'p95 inference latency in seconds above which HighInferenceLatency fires', bounds: { longest: maxLatencySeconds } },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'HighInferenceLatency',
  perShard: true,
  rule: ({ window, compare, select }) => ({
    expr: compare(
      `histogram_quantile(0.95, sum by (model, le) (rate(${select('model_inference_duration_seconds_bucket')}[${window}])))`,
      `present_over_time(${select('model_inference_duration_seconds_count')}[${window}])`,
    ),
    summary: 'High inference latency on model {{ $labels.model }}',
    description: 'P95 inference latency of {{ $labels.model }} is {{ $value | humanizeDuration }}, above its threshold.',
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, seconds, { steps, step }) => ({
      series: histogramAt('model_inference_duration_seconds', scrape, seconds, steps, 10 * step),
      value: quantileOf(seconds),
    }),
  },
  panel: { dashboard: 'ml-models', title: 'Inference latency P50 / P95 / P99', query: 'p95' },
});
