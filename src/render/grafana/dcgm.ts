/**
 * The infrastructure dashboard's GPU row (the DCGM GPU pack): what each GPU alert computes, per GPU, from the
 * fields out/dcgm/counters.csv enables.
 */
import { framebufferTotal } from '../../catalog/integrations/dcgm/alerts/framebuffer.js';
import { fatalXidSeries } from '../../catalog/integrations/dcgm/settings.js';
import type { MonitoringModel } from '../../normalize/model.js';
import type { Section } from './panels.js';
import { rate, selector } from './queries.js';

/** The GPU row; none when the pack is off. */
export function gpuSection(model: MonitoringModel): Section[] {
  const dcgm = model.dcgm;
  if (!dcgm) return [];
  const t = dcgm.thresholds;
  const node = 'instance=~"$instance"';
  const perGpu = '{{instance}} GPU {{gpu}}';
  return [{
    title: 'GPUs',
    panels: [
      {
        kind: 'timeseries', title: 'GPU temperature', w: 12, h: 8, unit: 'celsius', min: 0,
        description: `DCGM_FI_DEV_GPU_TEMP of each GPU, °C. GpuTemperatureHigh warns above ${t.warningTemperatureCelsius} °C, GpuTemperatureCritical pages above ${t.criticalTemperatureCelsius} °C.`,
        queries: [{ expr: `max by (instance, gpu) (${selector('DCGM_FI_DEV_GPU_TEMP', [node])})`, legend: perGpu }],
      },
      {
        kind: 'timeseries', title: 'GPU utilization', w: 12, h: 8, unit: 'percent', min: 0, max: 100,
        description: `DCGM_FI_DEV_GPU_UTIL of each GPU, %. A GPU lent to a pod under ${t.maxIdleUtilizationPercent}% while that pod's server queues requests is GpuIdleWhileRequestsQueue.`,
        queries: [{ expr: `max by (instance, gpu, namespace, pod) (${selector('DCGM_FI_DEV_GPU_UTIL', [node])})`, legend: `${perGpu} {{namespace}}/{{pod}}` }],
      },
      {
        kind: 'timeseries', title: 'GPU framebuffer in use', w: 12, h: 8, unit: 'percentunit', min: 0, max: 1,
        description: `Framebuffer used of used + free + reserved, per GPU. GpuFramebufferNearlyFull fires above ${t.maxFramebufferUsedRatio * 100}%.`,
        queries: [{ expr: `max by (instance, gpu) (${selector('DCGM_FI_DEV_FB_USED', [node])} / ${framebufferTotal(undefined, `{${node}}`)})`, legend: perGpu }],
      },
      {
        kind: 'timeseries', title: 'GPU time throttled', w: 12, h: 8, unit: 'percentunit', min: 0, max: 1,
        description: `Share of time each GPU's clocks were held down for power or for heat (DCGM violation counters, ns/s ÷ 1e9). The throttling alerts fire above ${t.maxThrottleRatio * 100}%.`,
        queries: [
          { expr: `max by (instance, gpu) (${rate('DCGM_FI_DEV_POWER_VIOLATION', [node])} / 1e9)`, legend: `${perGpu} power` },
          { expr: `max by (instance, gpu) (${rate('DCGM_FI_DEV_THERMAL_VIOLATION', [node])} / 1e9)`, legend: `${perGpu} heat` },
        ],
      },
      {
        kind: 'stat', title: 'GPUs whose last XID is fatal', w: 8, h: 8, unit: 'short', redFrom: 1,
        description: 'GPUs whose DCGM_FI_DEV_XID_ERRORS (the code of the last XID) is on the fatal list: GpuFatalXid pages for each.',
        query: { expr: `count(count_values without () ("xid", ${selector('DCGM_FI_DEV_XID_ERRORS', [node])}) * on (xid) group_left () ${fatalXidSeries}) or vector(0)`, legend: 'fatal' },
      },
    ],
  }];
}
