import { defineAlert } from '../../../alert-definition.js';
import { counter, selector } from '../../../proof-series.js';

/**
 * vllm:request_success_total counts finished requests by `finished_reason` (stop, length or abort;
 * vllm/v1/metrics/loggers.py); aborted ones are the closest thing vLLM counts to a failed request.
 */
export const vllmAbortRatioHigh = defineAlert({
  name: 'VllmAbortRatioHigh',
  scope: 'model',
  about: 'The share of a model\'s finished vLLM requests that were aborted (vllm:request_success_total{finished_reason="abort"} over all, a ratio 0–1 over the window) was above the threshold.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['vllm:request_success_total'],
  threshold: { key: 'maxVllmAbortRatio', firesWhen: 'above', type: 'Ratio', default: 0.05, doc: 'Ratio (0–1) of aborted vLLM requests above which VllmAbortRatioHigh fires', bounds: { ceiling: 1 } },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'VllmAbortRatioHigh',
  rule: ({ window, compare }) => ({
    expr: compare(
      `(\n    sum by (model) (rate(vllm:request_success_total{finished_reason="abort"}[${window}]))\n  /\n    sum by (model) (rate(vllm:request_success_total[${window}]))\n)`,
      `present_over_time(vllm:request_success_total[${window}])`,
    ),
    summary: 'vLLM aborts requests of model {{ $labels.model }}',
    description: `{{ $value | humanizePercentage }} of the requests {{ $labels.model }} finished over ${window} were aborted, above its threshold.`,
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, ratio, { steps, step }) => ({
      series: [
        { series: selector('vllm:request_success_total', { ...scrape, finished_reason: 'abort' }), values: counter(10 * ratio * step, steps) },
        { series: selector('vllm:request_success_total', { ...scrape, finished_reason: 'stop' }), values: counter(10 * (1 - ratio) * step, steps) },
      ],
    }),
  },
  panel: { dashboard: 'ml-models', title: 'vLLM aborted requests ratio' },
});
