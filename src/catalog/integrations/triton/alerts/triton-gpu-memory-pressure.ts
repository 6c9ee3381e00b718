import { defineAlert } from '../../../alert-definition.js';
import { gauge, selector } from '../../../proof-series.js';

/**
 * nv_gpu_memory_used_bytes / nv_gpu_memory_total_bytes (gauges, bytes, per GPU `gpu_uuid`; Triton
 * docs/user_guide/metrics.md). About the service's GPUs, not a model: a GPU serves every model loaded on it.
 */
export const tritonGpuMemoryPressure = defineAlert({
  name: 'TritonGpuMemoryPressure',
  scope: 'service',
  about: 'A GPU of a Triton service used more of its memory (nv_gpu_memory_used_bytes over nv_gpu_memory_total_bytes, a ratio 0–1, averaged over the window) than the threshold: loading another model or a bigger batch will fail.',
  defaults: { severity: 'warning', for: '10m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['nv_gpu_memory_used_bytes', 'nv_gpu_memory_total_bytes'],
  threshold: { key: 'maxTritonGpuMemoryUsage', firesWhen: 'above', type: 'Ratio', default: 0.9, doc: 'GPU memory usage (0–1) of a Triton service\'s GPU above which TritonGpuMemoryPressure fires', bounds: { ceiling: 1 } },
  identity: ['service', 'gpu_uuid'],
  labelSets: [['service', 'gpu_uuid', 'team']],
  runbook: 'TritonGpuMemoryPressure',
  rule: ({ window, compare }) => ({
    expr: compare(`(\n    max by (service, gpu_uuid) (avg_over_time(nv_gpu_memory_used_bytes[${window}]))\n  /\n    max by (service, gpu_uuid) (avg_over_time(nv_gpu_memory_total_bytes[${window}]))\n)`),
    summary: 'GPU {{ $labels.gpu_uuid }} of service {{ $labels.service }} is nearly out of memory',
    description: `GPU {{ $labels.gpu_uuid }} of {{ $labels.service }} uses {{ $value | humanizePercentage }} of its memory (averaged over ${window}), above its threshold.`,
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape, alert }, usage, { steps }) => ({
      series: [
        { series: selector('nv_gpu_memory_used_bytes', { ...scrape, gpu_uuid: 'GPU-0' }), values: gauge(usage * 2 ** 34, steps) },
        { series: selector('nv_gpu_memory_total_bytes', { ...scrape, gpu_uuid: 'GPU-0' }), values: gauge(2 ** 34, steps) },
      ],
      alertLabels: { ...alert, gpu_uuid: 'GPU-0' },
    }),
  },
  panel: { dashboard: 'ml-models', title: 'Triton GPU memory usage' },
});
