/**
 * The DCGM GPU pack: NVIDIA's dcgm-exporter scraped on every GPU node, ten alerts on GPU health and waste and one on the exporter gone from a node, the
 * counters file that makes the exporter export what they read, and a dashboard row. Enabled with
 * `infrastructure.gpus.dcgm`; see docs/alerts.md for the alerts and README.md for the table of integrations.
 */
import type { IntegrationDefinition } from '../integration.js';
import { gpuEccDoubleBitErrors } from './alerts/ecc-double-bit.js';
import { dcgmExporterMissing } from './alerts/exporter-missing.js';
import { gpuFatalXid } from './alerts/fatal-xid.js';
import { gpuFramebufferNearlyFull } from './alerts/framebuffer.js';
import { gpuIdleWhileRequestsQueue } from './alerts/idle-while-queued.js';
import { gpuMemoryLeak } from './alerts/memory-leak.js';
import { gpuRowRemapFailure } from './alerts/row-remap-failure.js';
import { gpuTemperatureCritical, gpuTemperatureHigh } from './alerts/temperature.js';
import { gpuPowerThrottling, gpuThermalThrottling } from './alerts/throttling.js';
import { dcgmDefaults } from './settings.js';
import { dcgmFields } from './metrics.js';

/** The pack's alerts, in the order their rules are written. */
export const dcgmAlerts = [
  gpuFatalXid,
  gpuEccDoubleBitErrors,
  gpuRowRemapFailure,
  gpuTemperatureHigh,
  gpuTemperatureCritical,
  gpuPowerThrottling,
  gpuThermalThrottling,
  gpuFramebufferNearlyFull,
  gpuMemoryLeak,
  gpuIdleWhileRequestsQueue,
  // Last: the alert about what every other one can't see.
  dcgmExporterMissing,
] as const;

export const dcgm = {
  name: 'dcgm',
  scope: 'infrastructure',
  // dcgm-exporter's own version (4.5.3-4.8.2 is exporter 4.5.3 for DCGM 4.8.2); the catalog was checked at that tag.
  versions: [dcgmDefaults.version],
  metrics: { [dcgmDefaults.version]: dcgmFields },
  renames: [],
  // No model label: a GPU series names the pod it is lent to (`namespace`, `pod`), not a model.
  scrape: { port: dcgmDefaults.port, path: '/metrics', modelLabels: [] },
  alerts: dcgmAlerts,
} as const satisfies IntegrationDefinition<'dcgm'>;

export { dcgmFields, dcgmExporterRelease } from './metrics.js';
export { dcgmDefaults, dcgmThresholdSeries, fatalXidSeries, type ResolvedDcgm } from './settings.js';
