/**
 * NVIDIA Triton Inference Server (docs/user_guide/metrics.md): metrics on port 8002 at /metrics, labelled
 * `model` and `version`, so its series join mlmon's per-model thresholds as they are.
 */
import type { IntegrationDefinition } from '../integration.js';
import { tritonFailureRatioHigh } from './alerts/triton-failure-ratio-high.js';
import { tritonGpuMemoryPressure } from './alerts/triton-gpu-memory-pressure.js';
import { tritonPendingRequests } from './alerts/triton-pending-requests.js';
import { tritonQueueTimeHigh } from './alerts/triton-queue-time-high.js';
import { tritonMetrics, tritonVersions } from './metrics.js';

/** Triton's alerts, in the order their rules are written. */
export const tritonAlerts = [tritonFailureRatioHigh, tritonQueueTimeHigh, tritonPendingRequests, tritonGpuMemoryPressure] as const;

const rate = (metric: string, matchers: readonly string[]) => `rate(${metric}{${matchers.join(', ')}}[$__rate_interval])`;

export const triton: IntegrationDefinition<'triton'> = {
  name: 'triton',
  scope: 'service',
  versions: tritonVersions,
  metrics: tritonMetrics,
  renames: [],
  scrape: { port: 8002, path: '/metrics', modelLabels: ['model', 'version'], modelPresence: 'nv_inference_request_success' },
  alerts: tritonAlerts,
  dashboardRow: {
    title: 'Triton',
    panels: [
      {
        title: 'Triton failed requests ratio', unit: 'percentunit', max: 1,
        description: 'Share of the model\'s inference requests that failed (nv_inference_request_failure over success + failure).',
        queries: (m) => [{
          expr: `sum by (model) (${rate('nv_inference_request_failure', m)}) / (sum by (model) (${rate('nv_inference_request_success', m)}) + sum by (model) (${rate('nv_inference_request_failure', m)}))`,
          legend: '{{model}}',
        }],
      },
      {
        title: 'Triton mean queue time per request', unit: 's',
        description: 'Mean time a request waited in the scheduling queue: the cumulative µs counter nv_inference_queue_duration_us per successful request.',
        queries: (m) => [{ expr: `sum by (model) (${rate('nv_inference_queue_duration_us', m)}) / sum by (model) (${rate('nv_inference_request_success', m)}) / 1e6`, legend: '{{model}}' }],
      },
      {
        title: 'Triton pending requests', unit: 'short',
        description: 'Requests pending for the model in its busiest Triton replica (nv_inference_pending_request_count, versions summed).',
        queries: (m) => [{ expr: `max by (model) (sum without (version) (nv_inference_pending_request_count{${m.join(', ')}}))`, legend: '{{model}}' }],
      },
      {
        title: 'Triton GPU memory usage', unit: 'percentunit', max: 1, scope: 'service',
        description: 'Memory used on the fullest GPU of each Triton service (nv_gpu_memory_used_bytes over nv_gpu_memory_total_bytes).',
        queries: (m) => [{ expr: `max by (service) (nv_gpu_memory_used_bytes{${m.join(', ')}} / nv_gpu_memory_total_bytes{${m.join(', ')}})`, legend: '{{service}}' }],
      },
    ],
  },
};
