import { defineAlert } from '../../../alert-definition.js';
import { counter, selector } from '../../../proof-series.js';

/** nv_inference_request_failure over success + failure (counters, requests; Triton docs/user_guide/metrics.md), all versions of the model together. */
export const tritonFailureRatioHigh = defineAlert({
  name: 'TritonFailureRatioHigh',
  scope: 'model',
  about: 'The share of a model\'s Triton inference requests that failed (nv_inference_request_failure over success + failure, a ratio 0–1 over the window, summed over versions and replicas) was above the threshold.',
  defaults: { severity: 'critical', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['nv_inference_request_failure', 'nv_inference_request_success'],
  threshold: { key: 'maxTritonFailureRatio', firesWhen: 'above', type: 'Ratio', default: 0.05, doc: 'Ratio (0–1) of failed Triton inference requests above which TritonFailureRatioHigh fires', bounds: { ceiling: 1 } },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'TritonFailureRatioHigh',
  rule: ({ window, compare }) => ({
    expr: compare(
      `(\n    sum by (model) (rate(nv_inference_request_failure[${window}]))\n  /\n    (\n        sum by (model) (rate(nv_inference_request_success[${window}]))\n      +\n        sum by (model) (rate(nv_inference_request_failure[${window}]))\n    )\n)`,
      `present_over_time(nv_inference_request_success[${window}])`,
    ),
    summary: 'Triton inference requests of model {{ $labels.model }} fail',
    description: `{{ $value | humanizePercentage }} of {{ $labels.model }}'s Triton inference requests failed over ${window}, above its threshold.`,
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, ratio, { steps, step }) => ({
      series: [
        { series: selector('nv_inference_request_failure', { ...scrape, version: '1' }), values: counter(10 * ratio * step, steps) },
        { series: selector('nv_inference_request_success', { ...scrape, version: '1' }), values: counter(10 * (1 - ratio) * step, steps) },
      ],
    }),
  },
  panel: { dashboard: 'ml-models', title: 'Triton failed requests ratio' },
});
