import { defineAlert } from '../../../alert-definition.js';
import { maxLatencySeconds } from '../../../alerts/high-latency.js';
import { histogramAt, quantileOf } from '../../../proof-series.js';

/** request_predict_seconds (histogram, seconds, `model_name` copied to `model` at scrape; kserve python/kserve/kserve/metrics.py). */
export const kservePredictLatencyHigh = defineAlert({
  name: 'KservePredictLatencyHigh',
  scope: 'model',
  about: 'A model\'s p95 predict latency on KServe (request_predict_seconds, in seconds), from its histogram summed over replicas over the window, was above the threshold.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['request_predict_seconds'],
  threshold: { key: 'maxKservePredictP95Seconds', firesWhen: 'above', type: 'Seconds', default: 1, doc: 'p95 KServe predict latency in seconds above which KservePredictLatencyHigh fires', bounds: { longest: maxLatencySeconds } },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'KservePredictLatencyHigh',
  rule: ({ window, compare }) => ({
    expr: compare(
      `histogram_quantile(0.95, sum by (model, le) (rate(request_predict_seconds_bucket[${window}])))`,
      `present_over_time(request_predict_seconds_count[${window}])`,
    ),
    summary: 'Slow predictions on KServe model {{ $labels.model }}',
    description: 'P95 predict latency of {{ $labels.model }} is {{ $value | humanizeDuration }}, above its threshold.',
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, seconds, { steps, step }) => ({ series: histogramAt('request_predict_seconds', scrape, seconds, steps, 10 * step), value: quantileOf(seconds) }),
  },
  panel: { dashboard: 'ml-models', title: 'KServe predict latency P50 / P95 / P99', query: 'p95' },
});
