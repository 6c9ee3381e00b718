import { defineAlert } from '../../../alert-definition.js';
import { formatNumber } from '../../../../formats/decimal.js';
import { counter } from '../../../proof-series.js';
import { dcgmThresholdSeries, gpuBy } from '../settings.js';
import { gpuSeries, gpuTarget, gpuLabels, thresholdsOf } from './gpu-proof.js';

/**
 * Clock throttling for power or for heat, from DCGM's violation counters: DCGM_FI_DEV_POWER_VIOLATION and
 * DCGM_FI_DEV_THERMAL_VIOLATION count the nanoseconds the clocks were held down for that reason
 * (etc/default-counters.csv, "Throttling duration due to … constraints (in ns)."; off by default, enabled by the
 * pack's counters file). rate() / 1e9 is the share of the window spent throttled, 0–1.
 *
 * Why not the clock-event reasons bitmask (DCGM_FI_DEV_CLOCKS_EVENT_REASONS, formerly CLOCK_THROTTLE_REASONS):
 * it is a gauge of the reasons active at the moment DCGM samples it, so throttling between two scrapes is
 * invisible, and it says nothing of how long; the violation counters accumulate every nanosecond. The bitmask's
 * power bits (SW power cap 0x4, HW power brake 0x80) and thermal bits (SW 0x20, HW 0x40) are what these counters
 * time.
 */
function throttlingAlert<const Name extends string>(name: Name, metric: 'DCGM_FI_DEV_POWER_VIOLATION' | 'DCGM_FI_DEV_THERMAL_VIOLATION', cause: string) {
  const series = dcgmThresholdSeries('maxThrottleRatio');
  return defineAlert({
    name,
    scope: 'infrastructure',
    about: `A GPU's clocks were held down for ${cause} for a larger share of the window than \`infrastructure.gpus.dcgm.thresholds.maxThrottleRatio\` (0–1).`,
    defaults: { severity: 'warning', for: '10m', window: '5m' },
    windowUse: 'rate',
    metrics: [metric, series],
    identity: ['instance', 'gpu'],
    labelSets: [['UUID', 'gpu', 'instance', 'modelName', 'team']],
    runbook: name,
    rule: ({ window, infrastructureTeam }) => ({
      // ns of throttling per second of time / 1e9 = the share of the time throttled.
      expr: `max ${gpuBy} (rate(${metric}[${window}]) / 1e9)\n  > on () group_left ()\n${series}`,
      summary: `GPU {{ $labels.gpu }} of {{ $labels.instance }} is throttled for ${cause}`,
      description: `GPU {{ $labels.gpu }} ({{ $labels.modelName }}) on {{ $labels.instance }} ran throttled for ${cause} {{ $value | humanizePercentage }} of the last ${window}.`,
      labels: { team: infrastructureTeam },
    }),
    proof: {
      kind: 'custom',
      wording: { breach: `fires after {for} for every GPU throttled for ${cause} past the threshold, and not for one running free`, inside: `stays silent while every GPU is throttled for ${cause} just under the threshold` },
      targets: (fleet, side, { steps, step }) => {
        const limit = thresholdsOf(fleet).maxThrottleRatio;
        // Clear of the threshold by a margin the rendered percentage shows.
        const share = side === 'breach' ? Math.min(1, limit + 0.05) : Math.max(0, limit - 0.05);
        const throttled = gpuLabels(0);
        const free = gpuLabels(1);
        // rate() over the proof's first, partial windows reads a share of what a running exporter's counter would
        // (no samples before 0), too low for `for` to start with the proof. A jump at the second sample, a week of
        // throttling (longer than any window), keeps those windows past the threshold; it has left the window by
        // the time the proof expects the alert, whose value is then the steady share alone.
        const running = (perStep: number) => `0 ${formatNumber(7 * 86_400 * 1e9)}+${formatNumber(perStep)}x${steps - 1}`;
        return [
          gpuTarget(throttled, [gpuSeries(metric, throttled, side === 'breach' ? running(share * step * 1e9) : counter(share * step * 1e9, steps))], side === 'breach', share),
          gpuTarget(free, [gpuSeries(metric, free, counter(0, steps))], false, 0),
        ];
      },
    },
  });
}

export const gpuPowerThrottling = throttlingAlert('GpuPowerThrottling', 'DCGM_FI_DEV_POWER_VIOLATION', 'power');
export const gpuThermalThrottling = throttlingAlert('GpuThermalThrottling', 'DCGM_FI_DEV_THERMAL_VIOLATION', 'heat');
