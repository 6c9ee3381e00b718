import { defineAlert } from '../../../alert-definition.js';
import { counter, gauge } from '../../../proof-series.js';
import { gpuBy } from '../settings.js';
import { gpuSeries, gpuTarget, gpuLabels } from './gpu-proof.js';

/**
 * Any new uncorrectable (double-bit) ECC error. DCGM_FI_DEV_ECC_DBE_VOL_TOTAL is a counter of double-bit errors
 * since the last driver load (etc/default-counters.csv, off by default: the pack's counters file enables it).
 * SageMaker HyperPod's GPUMemoryErrorDetected alerts on the same field.
 */
export const gpuEccDoubleBitErrors = defineAlert({
  name: 'GpuEccDoubleBitErrors',
  scope: 'infrastructure',
  about: 'A GPU counted new uncorrectable (double-bit) ECC memory errors within the window.',
  // `for` 1m: the increase stays above 0 for the whole window after an error, so one scrape can't flap it.
  defaults: { severity: 'critical', for: '1m', window: '10m' },
  windowUse: 'rate',
  metrics: ['DCGM_FI_DEV_ECC_DBE_VOL_TOTAL'],
  identity: ['instance', 'gpu'],
  labelSets: [['UUID', 'gpu', 'instance', 'modelName', 'team']],
  runbook: 'GpuEccDoubleBitErrors',
  rule: ({ window, infrastructureTeam }) => ({
    expr: `max ${gpuBy} (increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL[${window}])) > 0`,
    summary: 'Double-bit ECC errors on GPU {{ $labels.gpu }} of {{ $labels.instance }}',
    description: `GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on {{ $labels.instance }} counted uncorrectable ECC errors in the last ${window}: its memory can't be trusted.`,
    labels: { team: infrastructureTeam },
  }),
  proof: {
    kind: 'custom',
    wording: {
      breach: 'fires after {for} for every GPU counting double-bit errors, and not for one whose count holds',
      inside: 'stays silent while no GPU counts a new double-bit error',
    },
    targets: (_fleet, side, { steps }) => {
      const failing = gpuLabels(0);
      // Errors counted before the window (a count that holds) are history, not news.
      const old = gpuLabels(1);
      return [
        gpuTarget(failing, [gpuSeries('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', failing, side === 'breach' ? counter(1, steps) : gauge(0, steps))], side === 'breach', 1),
        gpuTarget(old, [gpuSeries('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', old, gauge(3, steps))], false, 1),
      ];
    },
  },
});
