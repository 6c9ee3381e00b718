/**
 * Meaning checks of `infrastructure.gpus.dcgm` beyond its schema: where the exporter is found, and thresholds
 * that contradict each other or that no GPU could ever cross.
 */
import { durationSeconds } from '../formats/prometheus-duration.js';
import type { Problem } from '../problems.js';
import type { MonitoringConfig } from './types.js';

/** Every problem of the DCGM pack's settings, on their config paths. */
export function gpuConfigProblems(config: MonitoringConfig): Problem[] {
  const dcgm = config.infrastructure?.gpus?.dcgm;
  if (!dcgm) return [];
  const at = 'infrastructure.gpus.dcgm';
  const problems: Problem[] = [];
  if (dcgm.kubernetes && dcgm.targets) {
    problems.push({ id: 'config/gpu-discovery', severity: 'error', path: `${at}.targets`, value: dcgm.targets, message: 'dcgm-exporter is found either through its pods (kubernetes) or at fixed targets, not both', allowed: 'one of kubernetes or targets' });
  } else if (!dcgm.kubernetes && !dcgm.targets?.length) {
    problems.push({ id: 'config/gpu-discovery', severity: 'error', path: at, message: 'the DCGM pack has no dcgm-exporter to scrape: its GPU alerts would never see a GPU', hint: 'set kubernetes: { namespace: "gpu-operator", podLabels: { app: "nvidia-dcgm-exporter" } }, or targets: ["gpu-host:9400"]' });
  }
  const t = dcgm.thresholds ?? {};
  const warning = t.warningTemperatureCelsius ?? 80;
  if (t.criticalTemperatureCelsius !== undefined && t.criticalTemperatureCelsius <= warning) {
    problems.push({ id: 'config/gpu-thresholds', severity: 'error', path: `${at}.thresholds.criticalTemperatureCelsius`, value: t.criticalTemperatureCelsius, message: `the critical GPU temperature ${t.criticalTemperatureCelsius} °C is not above the warning temperature ${warning} °C`, allowed: `a temperature above ${warning}` });
  } else if (t.criticalTemperatureCelsius === undefined && warning >= 85) {
    problems.push({ id: 'config/gpu-thresholds', severity: 'error', path: `${at}.thresholds.warningTemperatureCelsius`, value: warning, message: `the warning GPU temperature ${warning} °C is not below the critical temperature (85 °C by default)`, allowed: 'a temperature below 85, or a criticalTemperatureCelsius above it' });
  }
  // A share of 1 (or more) can't be passed: rate / 1e9 of a violation counter never exceeds the time elapsed.
  for (const key of ['maxThrottleRatio', 'maxFramebufferUsedRatio'] as const) {
    const value = t[key];
    if (value !== undefined && value >= 1) problems.push({ id: 'config/unreachable-threshold', severity: 'error', path: `${at}.thresholds.${key}`, value, message: `a share of ${value} can never be passed: the signal is at most 1`, allowed: 'a ratio below 1' });
  }
  if (t.memoryLeakHorizon !== undefined && durationSeconds(t.memoryLeakHorizon) === 0) {
    problems.push({ id: 'config/unreachable-threshold', severity: 'error', path: `${at}.thresholds.memoryLeakHorizon`, value: t.memoryLeakHorizon, message: 'a leak horizon of 0 extrapolates nothing: GpuMemoryLeak would be GpuFramebufferNearlyFull at 100%', allowed: 'a positive duration, e.g. 4h' });
  }
  return problems;
}
