import { defineAlert } from '../../../alert-definition.js';
import { counter, selector } from '../../../proof-series.js';

/**
 * Triton's latencies are cumulative counters in microseconds, not histograms: the mean queue time per request
 * over the window is rate(nv_inference_queue_duration_us) / rate(nv_inference_request_success), divided by 1e6
 * for seconds (Triton docs/user_guide/metrics.md: the queue duration's summary _count matches
 * nv_inference_request_success).
 */
export const tritonQueueTimeHigh = defineAlert({
  name: 'TritonQueueTimeHigh',
  scope: 'model',
  about: 'The mean time a model\'s Triton requests waited in the scheduling queue (nv_inference_queue_duration_us per nv_inference_request_success, in seconds over the window) was above the threshold.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['nv_inference_queue_duration_us', 'nv_inference_request_success'],
  threshold: { key: 'maxTritonQueueSeconds', firesWhen: 'above', type: 'Seconds', default: 0.1, doc: 'Mean Triton queue time per request in seconds above which TritonQueueTimeHigh fires', bounds: {} },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'TritonQueueTimeHigh',
  rule: ({ window, compare }) => ({
    expr: compare(
      `(\n    sum by (model) (rate(nv_inference_queue_duration_us[${window}]))\n  /\n    sum by (model) (rate(nv_inference_request_success[${window}]))\n  /\n    1e6\n)`,
      `present_over_time(nv_inference_request_success[${window}])`,
    ),
    summary: 'Triton requests of model {{ $labels.model }} wait in the queue',
    description: `{{ $labels.model }}'s Triton requests waited {{ $value | humanizeDuration }} in the queue on average over ${window}, above its threshold.`,
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, seconds, { steps, step }) => ({
      series: [
        { series: selector('nv_inference_queue_duration_us', { ...scrape, version: '1' }), values: counter(10 * step * seconds * 1e6, steps) },
        { series: selector('nv_inference_request_success', { ...scrape, version: '1' }), values: counter(10 * step, steps) },
      ],
    }),
  },
  panel: { dashboard: 'ml-models', title: 'Triton mean queue time per request' },
});
