import { defineAlert } from '../../../alert-definition.js';
import { formatNumber } from '../../../../formats/decimal.js';
import { gauge, type InputSeries } from '../../../proof-series.js';
import { dcgmThresholdSeries, gpuBy } from '../settings.js';
import { gpuSeries, gpuTarget, gpuLabels, thresholdsOf } from './gpu-proof.js';

/**
 * A card's whole framebuffer, MiB: used + free + reserved (FB_USED + FB_FREE alone is not constant,
 * dcgm-exporter #271), each averaged over `window` if given, each selected with `matchers`.
 */
export const framebufferTotal = (window?: string, matchers = ''): string => {
  const read = (metric: string) => (window ? `avg_over_time(${metric}${matchers}[${window}])` : `${metric}${matchers}`);
  return `(${read('DCGM_FI_DEV_FB_USED')} + ${read('DCGM_FI_DEV_FB_FREE')} + ${read('DCGM_FI_DEV_FB_RESERVED')})`;
};

/** An H100 80GB's framebuffer in MiB, and what its driver reserves; the proofs' card. */
export const proofCardMiB = 81_559;
export const proofReservedMiB = 539;

/** The three framebuffer gauges of one GPU with `used` MiB in use (a promtool values string each). */
export function framebufferSeries(labels: Readonly<Record<string, string>>, used: string, free: string): InputSeries[] {
  return [
    gpuSeries('DCGM_FI_DEV_FB_USED', labels, used),
    gpuSeries('DCGM_FI_DEV_FB_FREE', labels, free),
    gpuSeries('DCGM_FI_DEV_FB_RESERVED', labels, `${formatNumber(proofReservedMiB)}x${used.split('x').at(-1)}`),
  ];
}

/**
 * Framebuffer memory in use as a share of the card's (DCGM_FI_DEV_FB_USED / (USED + FREE + RESERVED), all gauges
 * in MiB, so the unit cancels), averaged over the window.
 */
export const gpuFramebufferNearlyFull = defineAlert({
  name: 'GpuFramebufferNearlyFull',
  scope: 'infrastructure',
  about: 'A GPU\'s framebuffer memory in use (of used + free + reserved), averaged over the window, was above `infrastructure.gpus.dcgm.thresholds.maxFramebufferUsedRatio` (0–1).',
  defaults: { severity: 'warning', for: '10m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_FB_RESERVED', dcgmThresholdSeries('maxFramebufferUsedRatio')],
  identity: ['instance', 'gpu'],
  labelSets: [['UUID', 'gpu', 'instance', 'modelName', 'team']],
  runbook: 'GpuFramebufferNearlyFull',
  rule: ({ window, infrastructureTeam }) => ({
    expr: `max ${gpuBy} (avg_over_time(DCGM_FI_DEV_FB_USED[${window}]) / ${framebufferTotal(window)})\n  > on () group_left ()\n${dcgmThresholdSeries('maxFramebufferUsedRatio')}`,
    summary: 'GPU {{ $labels.gpu }} of {{ $labels.instance }} is nearly out of memory',
    description: 'GPU {{ $labels.gpu }} ({{ $labels.modelName }}) on {{ $labels.instance }} has {{ $value | humanizePercentage }} of its framebuffer in use, above its threshold.',
    labels: { team: infrastructureTeam },
  }),
  proof: {
    kind: 'custom',
    wording: { breach: 'fires after {for} for every GPU whose framebuffer is fuller than the threshold, and not for an emptier one', inside: 'stays silent while every GPU is a percent point under the threshold' },
    targets: (fleet, side, { steps }) => {
      const limit = thresholdsOf(fleet).maxFramebufferUsedRatio;
      const ratio = side === 'breach' ? Math.min(1, limit + 0.01) : Math.max(0, limit - 0.01);
      const used = Math.round(ratio * proofCardMiB);
      const full = gpuLabels(0);
      const roomy = gpuLabels(1);
      const roomyUsed = Math.round(proofCardMiB / 4);
      return [
        gpuTarget(full, framebufferSeries(full, gauge(used, steps), gauge(proofCardMiB - proofReservedMiB - used, steps)), side === 'breach', used / proofCardMiB),
        gpuTarget(roomy, framebufferSeries(roomy, gauge(roomyUsed, steps), gauge(proofCardMiB - proofReservedMiB - roomyUsed, steps)), false, roomyUsed / proofCardMiB),
      ];
    },
  },
});
