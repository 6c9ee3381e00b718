/**
 * What the DCGM alerts' proofs share: two GPUs as dcgm-exporter exports them (the labels of render_metrics.go),
 * the thresholds the config resolved to, and the targets of one proof side.
 */
import type { InputSeries, ProofFleet, TargetSeries } from '../../../proof-series.js';
import { selector } from '../../../proof-series.js';
import { dcgmDefaults, gpuIdentityLabels, type DcgmThresholdValues } from '../settings.js';

/** One GPU's scrape labels (dcgm-exporter's own plus the scrape job's `instance` and `job`). */
export function gpuLabels(index: number, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    instance: `gpu-node-${index + 1}`,
    job: 'dcgm-exporter',
    gpu: '0',
    UUID: `GPU-00000000-0000-0000-0000-00000000000${index}`,
    pci_bus_id: '00000000:65:00.0',
    device: 'nvidia0',
    modelName: 'NVIDIA H100 80GB HBM3',
    Hostname: `gpu-node-${index + 1}`,
    DCGM_FI_DRIVER_VERSION: '570.86.15',
    ...extra,
  };
}

/** The labels a GPU alert carries from its expression: the GPU's identity (and `extra` kept by the rule). */
export function gpuAlertLabels(labels: Readonly<Record<string, string>>, extra: readonly string[] = []): Record<string, string> {
  return Object.fromEntries([...gpuIdentityLabels, ...extra].map((k) => [k, labels[k]!]));
}

/** The thresholds the proof's rule files hold: the config's, or the defaults (a fleet without the pack). */
export function thresholdsOf(fleet: ProofFleet): DcgmThresholdValues {
  return fleet.dcgm?.thresholds ?? dcgmDefaults.thresholds;
}

/** A target whose series are `series`, labelled like `labels`, firing with $value `value` when `fires`. */
export function gpuTarget(labels: Readonly<Record<string, string>>, series: readonly InputSeries[], fires: boolean, value: number, extra: readonly string[] = []): TargetSeries {
  return { series, alertLabels: gpuAlertLabels(labels, extra), value, fires };
}

export const gpuSeries = (metric: string, labels: Readonly<Record<string, string>>, values: string): InputSeries => ({ series: selector(metric, labels), values });
