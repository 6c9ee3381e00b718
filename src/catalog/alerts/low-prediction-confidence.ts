import { defineAlert } from '../alert-definition.js';
import { counter, selector } from '../proof-series.js';

/**
 * The seed's avg_over_time(prediction_confidence[10m]) can never fire: prediction_confidence is a histogram, so
 * no series has that bare name (only _bucket, _sum and _count). The mean confidence over the window is
 * rate(_sum) / rate(_count).
 */
export const lowPredictionConfidence = defineAlert({
  name: 'LowPredictionConfidence',
  scope: 'model',
  about: 'The mean confidence of a model\'s predictions (its prediction_confidence histogram\'s sum over count) over the window was below its threshold.',
  defaults: { severity: 'warning', for: '15m', window: '10m' },
  windowUse: 'rate',
  metrics: ['prediction_confidence'],
  threshold: { key: 'minMeanConfidence', firesWhen: 'below', type: 'Ratio', default: 0.7, doc: 'Mean prediction confidence below which LowPredictionConfidence fires', bounds: { floor: 0 } },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'LowPredictionConfidence',
  perShard: true,
  rule: ({ window, compare, select }) => ({
    expr: compare(
      `(\n    sum by (model) (rate(${select('prediction_confidence_sum')}[${window}]))\n  /\n    sum by (model) (rate(${select('prediction_confidence_count')}[${window}]))\n)`,
      `present_over_time(${select('prediction_confidence_count')}[${window}])`,
    ),
    summary: 'Low prediction confidence on model {{ $labels.model }}',
    description: 'Mean prediction confidence of {{ $labels.model }} is {{ $value | printf "%.3f" }}, below its threshold.',
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, confidence, { steps, step }) => ({
      series: [
        { series: selector('prediction_confidence_sum', scrape), values: counter(10 * confidence * step, steps) },
        { series: selector('prediction_confidence_count', scrape), values: counter(10 * step, steps) },
      ],
    }),
  },
  panel: { dashboard: 'ml-models', title: 'Mean prediction confidence' },
});
