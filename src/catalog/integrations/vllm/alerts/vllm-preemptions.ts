import { defineAlert } from '../../../alert-definition.js';
import { counter, selector } from '../../../proof-series.js';

/**
 * vllm:num_preemptions (a counter, scraped as vllm:num_preemptions_total; vllm/v1/metrics/loggers.py): the
 * scheduler evicts running requests when the KV cache runs out, and recomputes them later.
 */
export const vllmPreemptions = defineAlert({
  name: 'VllmPreemptions',
  scope: 'model',
  about: 'vLLM preempted running requests of a model (vllm:num_preemptions_total, per second over the window, summed over replicas) faster than the threshold: its KV cache is too small for the load.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['vllm:num_preemptions_total'],
  threshold: { key: 'maxVllmPreemptionsPerSecond', firesWhen: 'above', type: 'PerSecond', default: 1, doc: 'Preemptions per second above which VllmPreemptions fires', bounds: {} },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'VllmPreemptions',
  rule: ({ window, compare }) => ({
    expr: compare(
      `sum by (model) (rate(vllm:num_preemptions_total[${window}]))`,
      `present_over_time(vllm:num_preemptions_total[${window}])`,
    ),
    summary: 'vLLM preempts requests of model {{ $labels.model }}',
    description: `vLLM preempts {{ $value | printf "%.2f" }} requests per second of {{ $labels.model }} (over ${window}), above its threshold.`,
  }),
  proof: {
    kind: 'threshold',
    // One counter's rate reads low until its window lies wholly in the data.
    settlesAfterWindow: true,
    signal: ({ scrape }, perSecond, { steps, step }) => ({ series: [{ series: selector('vllm:num_preemptions_total', scrape), values: counter(perSecond * step, steps) }] }),
  },
  panel: { dashboard: 'ml-models', title: 'vLLM preemptions per second' },
});
