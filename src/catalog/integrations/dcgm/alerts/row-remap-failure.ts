import { defineAlert } from '../../../alert-definition.js';
import { gauge } from '../../../proof-series.js';
import { gpuBy } from '../settings.js';
import { gpuSeries, gpuTarget, gpuLabels } from './gpu-proof.js';

/**
 * DCGM_FI_DEV_ROW_REMAP_FAILURE is 1 once the GPU could not remap a row of failing memory (etc/default-counters.csv,
 * "Whether remapping of rows has failed"; on by default). NVIDIA's memory error management guide
 * (docs.nvidia.com/deploy/a100-gpu-mem-error-mgmt) treats a remap failure as grounds for RMA.
 */
export const gpuRowRemapFailure = defineAlert({
  name: 'GpuRowRemapFailure',
  scope: 'infrastructure',
  about: 'A GPU failed to remap a row of failing memory: its memory is unreliable until it is reset, and it is an RMA candidate.',
  defaults: { severity: 'critical', for: '1m', window: '5m' },
  windowUse: 'none',
  metrics: ['DCGM_FI_DEV_ROW_REMAP_FAILURE'],
  identity: ['instance', 'gpu'],
  labelSets: [['UUID', 'gpu', 'instance', 'modelName', 'team']],
  runbook: 'GpuRowRemapFailure',
  rule: ({ infrastructureTeam }) => ({
    expr: `max ${gpuBy} (DCGM_FI_DEV_ROW_REMAP_FAILURE) > 0`,
    summary: 'Row remapping failed on GPU {{ $labels.gpu }} of {{ $labels.instance }}',
    description: 'GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.instance }} could not remap a failing memory row: drain the node and reset the GPU.',
    labels: { team: infrastructureTeam },
  }),
  proof: {
    kind: 'custom',
    wording: { breach: 'fires after {for} for every GPU whose row remapping failed', inside: 'stays silent while every GPU remaps its rows' },
    targets: (_fleet, side, { steps }) => {
      const failed = gpuLabels(0);
      const healthy = gpuLabels(1);
      return [
        gpuTarget(failed, [gpuSeries('DCGM_FI_DEV_ROW_REMAP_FAILURE', failed, gauge(side === 'breach' ? 1 : 0, steps))], side === 'breach', 1),
        gpuTarget(healthy, [gpuSeries('DCGM_FI_DEV_ROW_REMAP_FAILURE', healthy, gauge(0, steps))], false, 0),
      ];
    },
  },
});
