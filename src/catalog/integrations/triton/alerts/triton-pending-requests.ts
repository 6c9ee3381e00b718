import { defineAlert } from '../../../alert-definition.js';
import { gauge, selector } from '../../../proof-series.js';

/** nv_inference_pending_request_count (gauge, requests, per model and version; Triton docs/user_guide/metrics.md). */
export const tritonPendingRequests = defineAlert({
  name: 'TritonPendingRequests',
  scope: 'model',
  about: 'Requests pending in a Triton replica for the model (nv_inference_pending_request_count, in requests, summed over versions), averaged over the window, of its busiest replica, were above the threshold.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['nv_inference_pending_request_count'],
  threshold: { key: 'maxTritonPendingRequests', firesWhen: 'above', type: 'Count', default: 10, doc: 'Requests pending in one Triton replica above which TritonPendingRequests fires', bounds: {} },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'TritonPendingRequests',
  rule: ({ window, compare }) => ({
    expr: compare(`max by (model) (sum without (version) (avg_over_time(nv_inference_pending_request_count[${window}])))`),
    summary: 'Triton requests pile up for model {{ $labels.model }}',
    description: `{{ $value | printf "%.1f" }} requests are pending for {{ $labels.model }} in its busiest Triton replica (averaged over ${window}), above its threshold.`,
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, pending, { steps }) => ({ series: [{ series: selector('nv_inference_pending_request_count', { ...scrape, version: '1' }), values: gauge(pending, steps) }] }),
  },
  panel: { dashboard: 'ml-models', title: 'Triton pending requests' },
});
