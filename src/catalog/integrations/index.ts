/**
 * Every integration mlmon knows, one module each under src/catalog/integrations/<name>/ (integration.ts is the
 * shape). The DCGM GPU pack is enabled for the cluster (`infrastructure.gpus.dcgm`).
 */
import type { AlertDefinition } from '../alert-definition.js';
import type { MonitoringConfig } from '../../config/types.js';
import { dcgm } from './dcgm/index.js';
import type { IntegrationDefinition } from './integration.js';

export const integrations: readonly IntegrationDefinition[] = [dcgm];

/** Every integration's alerts: what docs/alerts.md and the config's alert names cover. */
export const integrationAlerts: readonly AlertDefinition[] = integrations.flatMap((i) => i.alerts);

/** The alerts of the integrations a config enables, in the order their rules are written. */
export function enabledIntegrationAlerts(config: MonitoringConfig): readonly AlertDefinition[] {
  return config.infrastructure?.gpus?.dcgm ? dcgm.alerts : [];
}
