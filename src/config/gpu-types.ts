/**
 * What users write under `infrastructure.gpus`: GPU monitoring packs. Today one, NVIDIA's DCGM exporter
 * (src/catalog/integrations/dcgm/). Kept beside types.ts, which only points here, so the pack's options read as
 * one place.
 */
import type { Duration, HostPort, KubernetesLabelKey, KubernetesLabelValue, KubernetesNamespace, Percentage, Ratio } from './types.js';

export interface GpuConfig {
  /**
   * NVIDIA's dcgm-exporter on every GPU node: its scrape job, the GPU alerts (XID, ECC, row remapping,
   * temperature, throttling, framebuffer, memory leak, idle GPU while requests queue), a dashboard row, and
   * out/dcgm/counters.csv, the exporter's counters file that enables every field the alerts read (ECC and
   * throttling are off in the exporter's default file).
   */
  dcgm?: DcgmConfig;
}

/** A dcgm-exporter version the pack's metric catalog was checked against (`major.minor` of the exporter). */
export type DcgmExporterVersion = '4.5';

/**
 * An XID code, as NVIDIA's Xid catalog numbers them.
 * @minimum 1
 * @maximum 1000
 * @asType integer
 */
export type XidCode = number;

/**
 * Degrees Celsius.
 * @minimum 0
 * @maximum 150
 */
export type Celsius = number;

export interface DcgmConfig {
  /**
   * dcgm-exporter's version (`major.minor`; 4.5 is the 4.5.x-4.x.y releases).
   * @default "4.5"
   */
  version?: DcgmExporterVersion;
  /**
   * Find dcgm-exporter through the pods of its DaemonSet: one target per GPU node, `instance` set to the node's
   * name. Not together with `targets`.
   */
  kubernetes?: DcgmExporterPods;
  /** Fixed dcgm-exporter `host:port` targets, for GPU hosts outside Kubernetes. Not together with `kubernetes`. */
  targets?: HostPort[];
  /**
   * XID codes that take a GPU out of service (GpuFatalXid fires while a GPU's last XID is one of them). The default
   * is the list AWS's EKS node monitoring agent drains nodes for, each a GPU reset or reboot in NVIDIA's Xid
   * catalog (https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html).
   * @default [46,48,54,62,63,64,74,79,95,109,110,119,120,136,140,142,143,151,155,156,158]
   * @minItems 1
   */
  fatalXids?: XidCode[];
  /** The GPU alerts' thresholds, one for the whole cluster. */
  thresholds?: DcgmThresholds;
}

export interface DcgmExporterPods {
  /** Namespace the dcgm-exporter DaemonSet runs in (`gpu-operator` under NVIDIA's GPU Operator). */
  namespace: KubernetesNamespace;
  /**
   * Labels that select the DaemonSet's pods; every one must match. The GPU Operator's pods carry
   * `app: nvidia-dcgm-exporter`.
   * @default {"app.kubernetes.io/name":"dcgm-exporter"}
   */
  podLabels?: Record<KubernetesLabelKey, KubernetesLabelValue>;
  /**
   * The port dcgm-exporter listens on.
   * @default 9400
   * @minimum 1
   * @maximum 65535
   * @asType integer
   */
  port?: number;
}

export interface DcgmThresholds {
  /**
   * GPU temperature (°C) above which GpuTemperatureHigh (warning) fires.
   * @default 80
   */
  warningTemperatureCelsius?: Celsius;
  /**
   * GPU temperature (°C) above which GpuTemperatureCritical fires; above the warning temperature.
   * @default 85
   */
  criticalTemperatureCelsius?: Celsius;
  /**
   * Share of the window (0–1) a GPU may spend throttled for power, or for heat, before GpuPowerThrottling or
   * GpuThermalThrottling fires.
   * @default 0.1
   */
  maxThrottleRatio?: Ratio;
  /**
   * Share of the framebuffer (0–1 of used + free + reserved) in use above which GpuFramebufferNearlyFull fires.
   * @default 0.95
   */
  maxFramebufferUsedRatio?: Ratio;
  /**
   * How far ahead GpuMemoryLeak extrapolates framebuffer growth: it fires when the card would be full by then.
   * @default "4h"
   */
  memoryLeakHorizon?: Duration;
  /**
   * GPU utilization (%) under which an allocated GPU counts as idle for GpuIdleWhileRequestsQueue.
   * @default 5
   */
  maxIdleUtilizationPercent?: Percentage;
}
