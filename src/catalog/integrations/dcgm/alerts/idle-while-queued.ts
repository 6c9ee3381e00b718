import { defineAlert } from '../../../alert-definition.js';
import type { IntegrationMetric } from '../../integration.js';
import { tritonMetrics, tritonVersions } from '../../triton/metrics.js';
import { vllmMetrics, vllmVersions } from '../../vllm/metrics.js';
import { gauge } from '../../../proof-series.js';
import { dcgmThresholdSeries, gpuIdentityLabels } from '../settings.js';
import { gpuSeries, gpuTarget, gpuLabels, thresholdsOf } from './gpu-proof.js';

/** A model server's queue gauge, as its own metric catalog defines it (newest supported version). */
function queueGauge(metrics: Readonly<Record<string, readonly IntegrationMetric[]>>, versions: readonly string[], name: string): IntegrationMetric {
  const metric = metrics[versions.at(-1)!]?.find((m) => m.name === name);
  if (!metric) throw new Error(`the ${name} queue gauge is not in its server's metric catalog`);
  return metric;
}

/**
 * The queue gauges of the model servers the integrations know, each "requests waiting for the server" per pod,
 * taken from those servers' own catalogs (names, units and sources there): vLLM's `vllm:num_requests_waiting`
 * and Triton's `nv_inference_pending_request_count`.
 */
export const queueMetrics: readonly IntegrationMetric[] = [
  queueGauge(vllmMetrics, vllmVersions, 'vllm:num_requests_waiting'),
  queueGauge(tritonMetrics, tritonVersions, 'nv_inference_pending_request_count'),
];

/** The labels GPU and queue meet on: the pod the GPU is allocated to, and the pod whose server queues. */
export const idleJoinLabels = ['namespace', 'pod'] as const;

/**
 * A GPU allocated to a pod sits idle while that same pod's model server has requests waiting: the server is
 * stuck (a hung worker, a deadlocked batcher, a CPU-bound pre-processing step), not short of GPUs.
 *
 * The join, on (namespace, pod): dcgm-exporter's pod mapping labels each GPU series with the `namespace` and
 * `pod` the kubelet's pod-resources API says the GPU is allocated to (internal/pkg/transformation/kubernetes.go);
 * a service's scrape job sets `namespace` and `pod` of the scraped pod (src/normalize/scrape-jobs.ts), so the
 * server's queue gauge carries the same two values. The dcgm-exporter job must therefore set neither label
 * itself, or Prometheus renames the exporter's to `exported_namespace`/`exported_pod` and the join finds nothing
 * (test/integrations/dcgm-pack.test.ts holds the job to it; on the Prometheus Operator target, whose PodMonitor
 * drops the operator's own `namespace`/`pod`, test/e2e/operator-live.test.ts). GPUs of no pod (`pod=""`, mapping off) are left
 * out: unallocated idle GPUs are capacity, not a fault.
 */
export const gpuIdleWhileRequestsQueue = defineAlert({
  name: 'GpuIdleWhileRequestsQueue',
  scope: 'infrastructure',
  about: 'A GPU allocated to a pod was idle (utilization under `infrastructure.gpus.dcgm.thresholds.maxIdleUtilizationPercent`, %) over the window while the model server in that pod had requests waiting.',
  defaults: { severity: 'warning', for: '10m', window: '10m' },
  windowUse: 'overTime',
  metrics: ['DCGM_FI_DEV_GPU_UTIL', dcgmThresholdSeries('maxIdleUtilizationPercent'), ...queueMetrics.map((m) => m.name)],
  identity: ['instance', 'gpu'],
  labelSets: [['UUID', 'gpu', 'instance', 'modelName', 'namespace', 'pod', 'team']],
  runbook: 'GpuIdleWhileRequestsQueue',
  rule: ({ window, infrastructureTeam }) => {
    const on = `on (${idleJoinLabels.join(', ')})`;
    const queued = queueMetrics.map((m) => `    sum by (${idleJoinLabels.join(', ')}) (avg_over_time(${m.name}[${window}])) > 0`).join('\n  or\n');
    return {
      expr: [
        `max by (${[...gpuIdentityLabels, ...idleJoinLabels].join(', ')}) (avg_over_time(DCGM_FI_DEV_GPU_UTIL{pod!=""}[${window}]))`,
        `  < on () group_left ()`,
        `${dcgmThresholdSeries('maxIdleUtilizationPercent')}`,
        `and ${on}`,
        `  (\n${queued}\n  )`,
      ].join('\n'),
      summary: 'GPU {{ $labels.gpu }} of {{ $labels.instance }} is idle while {{ $labels.namespace }}/{{ $labels.pod }} queues requests',
      description: `GPU {{ $labels.gpu }} ({{ $labels.modelName }}) on {{ $labels.instance }} averaged {{ $value | printf "%.1f" }}% utilization over ${window} while pod {{ $labels.namespace }}/{{ $labels.pod }}, which holds it, had requests waiting.`,
      labels: { team: infrastructureTeam },
    };
  },
  proof: {
    kind: 'custom',
    wording: {
      breach: 'fires after {for} for an idle GPU whose pod queues requests, and not for a busy one, one whose pod has an empty queue, or one whose queue is in another pod',
      inside: 'stays silent while every GPU whose pod queues requests is busy',
    },
    targets: (fleet, side, { steps }) => {
      const idle = thresholdsOf(fleet).maxIdleUtilizationPercent;
      const pod = (name: string) => ({ namespace: 'serving', pod: name });
      const queue = (name: string, metric: string, waiting: number, extra: Record<string, string>) =>
        gpuSeries(metric, { instance: `${name}:8000`, job: 'llm', service: 'llm', ...pod(name), ...extra }, gauge(waiting, steps));
      // The GPU of vllm-0 idles (past) or works (inside) while vllm-0 queues.
      const stuck = gpuLabels(0, pod('vllm-0'));
      const stuckUtil = side === 'breach' ? Math.max(0, idle / 2) : Math.min(100, idle + 40);
      // triton-0 queues and its GPU works; vllm-1's GPU idles with an empty queue; vllm-2's GPU idles while a
      // pod of another name (vllm-3) queues: the join is on the pod, not the node or the model.
      const busy = gpuLabels(1, pod('triton-0'));
      const unqueued = gpuLabels(2, pod('vllm-1'));
      const elsewhere = gpuLabels(3, pod('vllm-2'));
      const join = [...idleJoinLabels];
      return [
        gpuTarget(stuck, [gpuSeries('DCGM_FI_DEV_GPU_UTIL', stuck, gauge(stuckUtil, steps)), queue('vllm-0', 'vllm:num_requests_waiting', 12, { model_name: 'llama' })], side === 'breach', stuckUtil, join),
        gpuTarget(busy, [gpuSeries('DCGM_FI_DEV_GPU_UTIL', busy, gauge(90, steps)), queue('triton-0', 'nv_inference_pending_request_count', 5, { model: 'resnet', version: '1' })], false, 90, join),
        gpuTarget(unqueued, [gpuSeries('DCGM_FI_DEV_GPU_UTIL', unqueued, gauge(0, steps)), queue('vllm-1', 'vllm:num_requests_waiting', 0, { model_name: 'llama' })], false, 0, join),
        gpuTarget(elsewhere, [gpuSeries('DCGM_FI_DEV_GPU_UTIL', elsewhere, gauge(0, steps)), queue('vllm-3', 'vllm:num_requests_waiting', 7, { model_name: 'llama' })], false, 0, join),
      ];
    },
  },
});
