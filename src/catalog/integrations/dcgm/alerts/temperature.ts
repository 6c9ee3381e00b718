import { defineAlert } from '../../../alert-definition.js';
import { gauge } from '../../../proof-series.js';
import { dcgmThresholdSeries, gpuBy, type DcgmThresholdValues } from '../settings.js';
import { gpuSeries, gpuTarget, gpuLabels, thresholdsOf } from './gpu-proof.js';

/**
 * GPU temperature (DCGM_FI_DEV_GPU_TEMP, gauge, °C; etc/default-counters.csv "GPU temperature (in C)."), averaged
 * over the window and compared with a threshold series. Two levels, as SageMaker HyperPod's preconfigured alerts
 * (GPUHighTemperature > 80 for 5m warning, GPUCriticalTemperature > 85 for 1m critical).
 */
function temperatureAlert<const Name extends string>(name: Name, key: 'warningTemperatureCelsius' | 'criticalTemperatureCelsius', severity: 'warning' | 'critical', forDuration: string) {
  const series = dcgmThresholdSeries(key);
  const level = severity === 'critical' ? 'critical' : 'warning';
  return defineAlert({
    name,
    scope: 'infrastructure',
    about: `A GPU's temperature, averaged over the window, was above the ${level} threshold (\`infrastructure.gpus.dcgm.thresholds.${key}\`, °C).`,
    defaults: { severity, for: forDuration, window: '1m' },
    windowUse: 'overTime',
    metrics: ['DCGM_FI_DEV_GPU_TEMP', series],
    identity: ['instance', 'gpu'],
    labelSets: [['UUID', 'gpu', 'instance', 'modelName', 'team']],
    runbook: name,
    rule: ({ window, infrastructureTeam }) => ({
      expr: `max ${gpuBy} (avg_over_time(DCGM_FI_DEV_GPU_TEMP[${window}]))\n  > on () group_left ()\n${series}`,
      summary: `GPU {{ $labels.gpu }} of {{ $labels.instance }} is ${severity === 'critical' ? 'critically hot' : 'hot'}`,
      description: `GPU {{ $labels.gpu }} ({{ $labels.modelName }}) on {{ $labels.instance }} is at {{ $value | printf "%.1f" }} °C, above its ${level} threshold.`,
      labels: { team: infrastructureTeam },
    }),
    proof: {
      kind: 'custom',
      wording: { breach: `fires after {for} for every GPU above the ${level} temperature, and not for a cool one`, inside: `stays silent while every GPU is 1 °C below the ${level} temperature` },
      targets: (fleet, side, { steps }) => {
        const limit = thresholdsOf(fleet)[key as keyof DcgmThresholdValues];
        const hot = gpuLabels(0);
        const cool = gpuLabels(1);
        const temperature = side === 'breach' ? limit + 1 : limit - 1;
        return [
          gpuTarget(hot, [gpuSeries('DCGM_FI_DEV_GPU_TEMP', hot, gauge(temperature, steps))], side === 'breach', temperature),
          gpuTarget(cool, [gpuSeries('DCGM_FI_DEV_GPU_TEMP', cool, gauge(40, steps))], false, 40),
        ];
      },
    },
  });
}

export const gpuTemperatureHigh = temperatureAlert('GpuTemperatureHigh', 'warningTemperatureCelsius', 'warning', '5m');
export const gpuTemperatureCritical = temperatureAlert('GpuTemperatureCritical', 'criticalTemperatureCelsius', 'critical', '1m');
