/**
 * The metrics of NVIDIA's dcgm-exporter that the DCGM GPU pack reads, as the exporter's own counters files
 * define them. Verified against NVIDIA/dcgm-exporter at release tag 4.5.3-4.8.2 (commit 691c927, 2026-05-06):
 * etc/default-counters.csv and etc/dcp-metrics-included.csv (name, Prometheus type, help text with the unit) and
 * internal/pkg/rendermetrics/render_metrics.go (the labels of every GPU series).
 */
import type { IntegrationMetric } from '../integration.js';

/** The dcgm-exporter release the catalog was checked against. */
export const dcgmExporterRelease = { tag: '4.5.3-4.8.2', commit: '691c92762eb551313c825f6efe4ceeee20982801' } as const;

const csv = `https://github.com/NVIDIA/dcgm-exporter/blob/${dcgmExporterRelease.tag}/etc/default-counters.csv`;

/**
 * Labels of every GPU series (render_metrics.go's `metricsFormat`): `gpu` (DCGM's GPU index), `UUID`,
 * `pci_bus_id`, `device` (`nvidia0`), `modelName` (`NVIDIA H100 80GB HBM3`), `Hostname` (unless
 * `--no-hostname`), and one label per `label` row of the counters file (`DCGM_FI_DRIVER_VERSION` by default).
 */
export const gpuSeriesLabels = ['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName', 'Hostname', 'DCGM_FI_DRIVER_VERSION'] as const;

/**
 * Labels dcgm-exporter adds when it maps GPUs to pods (`DCGM_EXPORTER_KUBERNETES=true` and the kubelet's
 * pod-resources socket mounted; internal/pkg/transformation/const.go): the pod using the GPU, not the exporter's
 * own pod. Missing on MIG with some device plugins (dcgm-exporter #342, #411).
 */
export const podMappingLabels = ['pod', 'namespace', 'container'] as const;

/** One field of the exporter: its catalog entry, and whether the exporter's default counters file enables it. */
export interface DcgmField extends IntegrationMetric {
  /** True when etc/default-counters.csv enables it; false when it is there only as a comment (off by default). */
  readonly enabledByDefault: boolean;
}

const field = (name: string, type: 'gauge' | 'counter', unit: string, help: string, enabledByDefault: boolean): DcgmField => ({
  name, type, unit, help, enabledByDefault, labels: gpuSeriesLabels, source: csv,
});

/** The fields the pack's alerts and dashboard row read, with the help text of the exporter's counters file. */
export const dcgmFields: readonly DcgmField[] = [
  field('DCGM_FI_DEV_GPU_TEMP', 'gauge', 'celsius', 'GPU temperature (in C).', true),
  field('DCGM_FI_DEV_GPU_UTIL', 'gauge', 'percent', 'GPU utilization (in %).', true),
  // A gauge of the LAST XID's code, not a count: it holds that code until the next XID or a driver reload.
  field('DCGM_FI_DEV_XID_ERRORS', 'gauge', 'xid code', 'Value of the last XID error encountered.', true),
  field('DCGM_FI_DEV_POWER_VIOLATION', 'counter', 'nanoseconds', 'Throttling duration due to power constraints (in ns).', false),
  field('DCGM_FI_DEV_THERMAL_VIOLATION', 'counter', 'nanoseconds', 'Throttling duration due to thermal constraints (in ns).', false),
  field('DCGM_FI_DEV_FB_FREE', 'gauge', 'mebibytes', 'Framebuffer memory free (in MiB).', true),
  field('DCGM_FI_DEV_FB_USED', 'gauge', 'mebibytes', 'Framebuffer memory used (in MiB).', true),
  // FB_USED + FB_FREE is not the card's memory: the driver reserves the rest (dcgm-exporter #271).
  field('DCGM_FI_DEV_FB_RESERVED', 'gauge', 'mebibytes', 'Framebuffer memory reserved (in MiB).', true),
  field('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'counter', 'errors', 'Total number of double-bit volatile ECC errors.', false),
  field('DCGM_FI_DEV_ROW_REMAP_FAILURE', 'gauge', 'boolean (1 = failed)', 'Whether remapping of rows has failed', true),
];

/** The field of `name`; throws for a field the pack doesn't know (a programming error). */
export function dcgmField(name: string): DcgmField {
  const found = dcgmFields.find((f) => f.name === name);
  if (!found) throw new Error(`no DCGM field ${name} in the pack's metric catalog`);
  return found;
}

/**
 * The label rows of the counters file the pack writes: static GPU facts the exporter adds as labels to every
 * series (etc/default-counters.csv enables the driver version the same way).
 */
export const dcgmLabelFields: readonly { readonly name: string; readonly help: string }[] = [
  { name: 'DCGM_FI_DRIVER_VERSION', help: 'Driver Version' },
];
