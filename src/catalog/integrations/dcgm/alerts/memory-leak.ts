import { defineAlert } from '../../../alert-definition.js';
import { formatNumber } from '../../../../formats/decimal.js';
import { gauge } from '../../../proof-series.js';
import { dcgmThresholdSeries, gpuBy } from '../settings.js';
import { framebufferSeries, framebufferTotal, proofCardMiB, proofReservedMiB } from './framebuffer.js';
import { gpuTarget, gpuLabels, thresholdsOf } from './gpu-proof.js';

/**
 * A GPU memory leak: framebuffer use (DCGM_FI_DEV_FB_USED, MiB) growing so steadily over the window that,
 * extrapolated linearly (predict_linear) over the horizon (`memoryLeakHorizonSeconds`, a threshold series read
 * through scalar()), it passes the card's whole framebuffer (used + free + reserved, MiB). A full-but-flat card is
 * GpuFramebufferNearlyFull's; this one warns before the out-of-memory. Pattern from microsoft/pai PR #2209 and
 * the field notes' [derived] GPUMemoryLeak.
 */
export const gpuMemoryLeak = defineAlert({
  name: 'GpuMemoryLeak',
  scope: 'infrastructure',
  about: 'A GPU\'s framebuffer use grew steadily over the window and, at that rate, fills the card within `infrastructure.gpus.dcgm.thresholds.memoryLeakHorizon`.',
  defaults: { severity: 'warning', for: '15m', window: '1h' },
  // predict_linear needs two samples in its window, as rate() does: the window check judges it as the rate family.
  windowUse: 'rate',
  metrics: ['DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_FB_RESERVED', dcgmThresholdSeries('memoryLeakHorizonSeconds')],
  identity: ['instance', 'gpu'],
  labelSets: [['UUID', 'gpu', 'instance', 'modelName', 'team']],
  runbook: 'GpuMemoryLeak',
  rule: ({ window, infrastructureTeam }) => ({
    expr: `max ${gpuBy} (\n  predict_linear(DCGM_FI_DEV_FB_USED[${window}], scalar(${dcgmThresholdSeries('memoryLeakHorizonSeconds')}))\n    > ${framebufferTotal()}\n)`,
    summary: 'GPU {{ $labels.gpu }} of {{ $labels.instance }} is leaking memory',
    description: `Framebuffer use of GPU {{ $labels.gpu }} ({{ $labels.modelName }}) on {{ $labels.instance }} has grown over the last ${window} at a rate that fills the card within the leak horizon.`,
    labels: { team: infrastructureTeam },
  }),
  proof: {
    kind: 'custom',
    wording: { breach: 'fires after {for} for every GPU whose memory grows fast enough to fill it within the horizon, and not for a flat one', inside: 'stays silent while GPU memory grows too slowly to fill the card within the horizon' },
    targets: (fleet, side, { steps, step }) => {
      const horizon = thresholdsOf(fleet).memoryLeakHorizonSeconds;
      const start = 1000;
      const room = proofCardMiB - proofReservedMiB - start;
      // Past: when the horizon is longer than the proof, growth that fills the card exactly by the proof's last
      // sample, which extrapolated over the horizon passes it from the first sample on; with a shorter horizon
      // no growth both stays inside the card and passes it in time, so the proof's card fills in half the
      // horizon and overflows (the alert compares with used + free + reserved, which stays the card's size).
      // Inside: growth that uses a quarter of the room over the horizon and the whole proof together.
      const perStep = side === 'breach'
        ? (horizon / step > steps ? room / steps : (2 * room * step) / horizon)
        : room / (4 * (horizon / step + steps));
      const leaking = gpuLabels(0);
      const flat = gpuLabels(1);
      const grow = (from: number, by: number) => `${formatNumber(from)}${by >= 0 ? '+' : '-'}${formatNumber(Math.abs(by))}x${steps}`;
      return [
        gpuTarget(leaking, framebufferSeries(leaking, grow(start, perStep), grow(proofCardMiB - proofReservedMiB - start, -perStep)), side === 'breach', 0),
        gpuTarget(flat, framebufferSeries(flat, gauge(start * 40, steps), gauge(proofCardMiB - proofReservedMiB - start * 40, steps)), false, 0),
      ];
    },
  },
});
