/**
 * The DCGM pack's resolved settings (what normalize makes of `infrastructure.gpus.dcgm`), its defaults, and the
 * series its thresholds become. Thresholds are series, as the built-ins' are: a constant recording rule per
 * threshold (`mlmon:dcgm_<key>:threshold`) and one per fatal XID code (`mlmon:dcgm_fatal_xid:info{xid}`), so the
 * rules never change when a number does, and a proof that reads the rule files proves the configured number.
 */

/** Where dcgm-exporter is scraped: one target per GPU node, found through its DaemonSet's pods, or fixed targets. */
export type DcgmDiscovery =
  | { readonly kind: 'kubernetes-pods'; readonly namespace: string; readonly podLabels: Readonly<Record<string, string>>; readonly port: number }
  | { readonly kind: 'static'; readonly targets: readonly string[] };

/** The pack's thresholds, with their units in their names. */
export interface DcgmThresholdValues {
  /** °C: DCGM_FI_DEV_GPU_TEMP above it is GpuTemperatureHigh (warning). */
  readonly warningTemperatureCelsius: number;
  /** °C: above it is GpuTemperatureCritical. */
  readonly criticalTemperatureCelsius: number;
  /** Ratio 0–1 of the window the GPU spent throttled for power or for heat. */
  readonly maxThrottleRatio: number;
  /** Ratio 0–1 of the framebuffer (used + free + reserved) in use. */
  readonly maxFramebufferUsedRatio: number;
  /** Seconds ahead GpuMemoryLeak extrapolates the framebuffer's growth. */
  readonly memoryLeakHorizonSeconds: number;
  /** Percent 0–100 of GPU utilization below which an allocated GPU counts as idle. */
  readonly maxIdleUtilizationPercent: number;
}

export interface ResolvedDcgm {
  /** dcgm-exporter version (`major.minor`), one of the integration's `versions`. */
  readonly version: string;
  readonly discovery: DcgmDiscovery;
  /** XID codes that mean the GPU needs a reset or the node a drain, sorted. */
  readonly fatalXids: readonly number[];
  readonly thresholds: DcgmThresholdValues;
}

/**
 * The XIDs that take a GPU out of service: the codes AWS's EKS node monitoring agent treats as fatal and drains
 * a node for (aws/eks-node-monitoring-agent #272), each one whose "Resolution Bucket (Immediate Action)" in
 * NVIDIA's Xid catalog is a GPU reset or a node reboot, not an application restart
 * (https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html): 48 double-bit ECC, 63/64 row
 * remapping, 74 NVLink, 79 fallen off the bus, 94/95 contained/uncontained ECC… Application faults (13, 31, 43,
 * 45) are left out: they end one process, not the GPU.
 */
export const defaultFatalXids: readonly number[] = [46, 48, 54, 62, 63, 64, 74, 79, 95, 109, 110, 119, 120, 136, 140, 142, 143, 151, 155, 156, 158];

/**
 * Defaults. Temperatures: SageMaker HyperPod's preconfigured GPU alerts (80 °C warning for 5m, 85 °C critical
 * for 1m; docs.aws.amazon.com/sagemaker/latest/dg/hyperpod-observability-addon-alerts). The rest are mlmon's:
 * throttled a tenth of the time, 95% of the framebuffer, a leak that fills it within 4 hours, and under 5%
 * utilization as idle.
 */
export const dcgmDefaults = {
  version: '4.5',
  podLabels: { 'app.kubernetes.io/name': 'dcgm-exporter' } as Readonly<Record<string, string>>,
  // dcgm-exporter listens on :9400 (its Helm chart's service port and `--address` default).
  port: 9400,
  thresholds: {
    warningTemperatureCelsius: 80,
    criticalTemperatureCelsius: 85,
    maxThrottleRatio: 0.1,
    maxFramebufferUsedRatio: 0.95,
    memoryLeakHorizonSeconds: 4 * 3600,
    maxIdleUtilizationPercent: 5,
  } satisfies DcgmThresholdValues,
} as const;

/** The recording rule holding a threshold: `mlmon:dcgm_<snake_case key>:threshold`. */
export function dcgmThresholdSeries(key: keyof DcgmThresholdValues): string {
  return `mlmon:dcgm_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}:threshold`;
}

/** One series per fatal XID code, labelled `xid`: the list an XID's code is joined with. */
export const fatalXidSeries = 'mlmon:dcgm_fatal_xid:info';

/**
 * The labels a GPU alert is about: the node it is scraped from (`instance`, the node's name in Kubernetes) and
 * the GPU (index, UUID, model), aggregated over everything else, so the pod a GPU is lent to (pod mapping)
 * doesn't split one GPU into several alerts.
 *
 * Not `Hostname`: dcgm-exporter sets it from `NODE_NAME` when that is set, else from its own container's hostname,
 * which in Kubernetes is the exporter's pod name unless its DaemonSet sets NODE_NAME from spec.nodeName
 * (internal/pkg/hostname/hostname.go, getLocalHostname). Keyed by it, a GPU alert would resolve and restart its
 * `for` clock whenever the exporter's pod is replaced (test/integrations/dcgm-proofs.test.ts holds the alerts to
 * it). The alerts' text names the GPU by `instance` for the same reason.
 */
export const gpuIdentityLabels = ['instance', 'gpu', 'UUID', 'modelName'] as const;
export const gpuBy = `by (${gpuIdentityLabels.join(', ')})`;
