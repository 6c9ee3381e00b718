import { defineAlert } from '../../../alert-definition.js';
import { gauge, selector } from '../../../proof-series.js';

/**
 * vllm:num_requests_waiting (gauge, requests; vllm/v1/metrics/loggers.py) counts requests the scheduler has
 * not started. Each replica has its own queue, so the worst replica is taken, averaged over the window so a
 * scrape gap doesn't reset `for`.
 */
export const vllmQueueBacklog = defineAlert({
  name: 'VllmQueueBacklog',
  scope: 'model',
  about: 'Requests waiting in a vLLM replica\'s scheduler queue (vllm:num_requests_waiting, in requests), averaged over the window, of the model\'s worst replica, were above the threshold: the model needs more replicas or less traffic.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['vllm:num_requests_waiting'],
  threshold: { key: 'maxVllmWaitingRequests', firesWhen: 'above', type: 'Count', default: 10, doc: 'Requests waiting in one vLLM replica\'s queue above which VllmQueueBacklog fires', bounds: {} },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'VllmQueueBacklog',
  rule: ({ window, compare }) => ({
    expr: compare(`max by (model) (avg_over_time(vllm:num_requests_waiting[${window}]))`),
    summary: 'vLLM requests queue up for model {{ $labels.model }}',
    description: `{{ $value | printf "%.1f" }} requests wait in the queue of {{ $labels.model }}'s busiest vLLM replica (averaged over ${window}), above its threshold.`,
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, waiting, { steps }) => ({ series: [{ series: selector('vllm:num_requests_waiting', scrape), values: gauge(waiting, steps) }] }),
  },
  panel: { dashboard: 'ml-models', title: 'vLLM requests waiting' },
});
