/**
 * The integrations: model servers (vLLM, Triton, KServe) a service is served by, and the GPU pack, each one
 * module exporting an `IntegrationDefinition` (integration.ts). Their alerts are catalog entries
 * (src/catalog/index.ts lists them after the built-ins); a config enables an integration per service
 * (`services.<name>.integration.<integration>.version`), and only then are its alerts, scrape conventions,
 * metrics and dashboard rows generated.
 */
import type { AlertDefinition } from '../alert-definition.js';
import type { MonitoringConfig, ServiceIntegrationConfig } from '../../config/types.js';
import { dcgm } from './dcgm/index.js';
import type { IntegrationDefinition, IntegrationMetric } from './integration.js';
import { kserve } from './kserve/index.js';
import { triton } from './triton/index.js';
import { vllm } from './vllm/index.js';

/** Every service integration, by name, in the order their rules and dashboard rows are written. */
export const serviceIntegrations = [vllm, triton, kserve] as const;

/**
 * Every integration, service and infrastructure ones: what `check-metrics`, `instrument` and `init --from` read
 * (src/metrics/integrations.ts `integrationsOf`).
 */
export const integrations: readonly IntegrationDefinition[] = [...serviceIntegrations, dcgm];

/**
 * The infrastructure integrations' alerts (the DCGM GPU pack's), kept out of `alertCatalog` (the service
 * integrations' alerts are in it): what docs/alerts.md and the config's alert names cover besides it.
 */
export const integrationAlerts: readonly AlertDefinition[] = dcgm.alerts;

/** The infrastructure integrations' alerts a config enables (`infrastructure.gpus.dcgm`), in the order their rules are written. */
export function enabledIntegrationAlerts(config: MonitoringConfig): readonly AlertDefinition[] {
  return config.infrastructure?.gpus?.dcgm ? dcgm.alerts : [];
}

/** The name of a service integration (`vllm`, …). */
export type ServiceIntegrationName = (typeof serviceIntegrations)[number]['name'];

/** The integration called `name`, if there is one. */
export function integrationNamed(name: string): IntegrationDefinition | undefined {
  return serviceIntegrations.find((i) => i.name === name);
}

/** The metrics `integration` exports at `version`; throws for a version it doesn't support (config checks it first). */
export function metricsAt(integration: IntegrationDefinition, version: string): readonly IntegrationMetric[] {
  const metrics = integration.metrics[version];
  if (!metrics) throw new Error(`${integration.name} has no version ${version} (supported: ${integration.versions.join(', ')})`);
  return metrics;
}

/** The integration whose alert is `alert`, or undefined for a built-in alert. */
export function integrationOfAlert(alert: AlertDefinition): IntegrationDefinition | undefined {
  return serviceIntegrations.find((i) => i.alerts.includes(alert));
}

/** The names of the integrations some service of the config enables. */
export function enabledIntegrations(services: Readonly<Record<string, { readonly integration?: object | undefined }>> | undefined): Set<string> {
  return new Set(Object.values(services ?? {}).flatMap((s) => Object.keys(s.integration ?? {})));
}

/** A service's `integration` as the model holds it (the config allows one), or nothing. */
export function serviceIntegrationOf(config: object | undefined): { integration?: { name: string; version: string } } {
  const [name, settings] = (Object.entries(config ?? {}) as [string, { readonly version: string } | undefined][])[0] ?? [];
  return name && settings ? { integration: { name, version: settings.version } } : {};
}

/** The presence series of the model servers `services` run, each once, in integration order. */
export function integrationModelPresence(services: readonly { readonly integration?: { readonly name: string } }[]): string[] {
  const running = new Set(services.flatMap((s) => (s.integration ? [s.integration.name] : [])));
  return serviceIntegrations.flatMap((i) => (running.has(i.name) && i.scrape.modelPresence ? [i.scrape.modelPresence] : []));
}

/**
 * The thresholds of `scope` that belong to integrations other than `running` (the one the service runs, or
 * none), each `false`: a model served by vLLM has no Triton threshold, so no threshold series, no line on the
 * dashboards, and its proofs show the alert silent for it.
 */
export function foreignThresholdsOff(scope: 'service' | 'model', running: string | undefined, catalog: readonly AlertDefinition[]): Record<string, false> {
  const off: Record<string, false> = {};
  for (const alert of catalog) {
    const integration = alert.scope === scope && alert.threshold ? integrationOfAlert(alert) : undefined;
    if (integration && integration.name !== running) off[alert.threshold!.key] = false;
  }
  return off;
}

/** `catalog` without the alerts of integrations no service enables: they have nothing to watch. */
export function activeCatalog<A extends AlertDefinition>(catalog: readonly A[], enabled: ReadonlySet<string>): A[] {
  return catalog.filter((alert) => {
    const integration = integrationOfAlert(alert);
    return !integration || enabled.has(integration.name);
  });
}

export type { IntegrationDefinition, IntegrationMetric, MetricRename, ScrapeConvention } from './integration.js';


/**
 * The metric names a service's targets export when it is served by integrations (`services.<name>.integration`):
 * the union of their metrics at the configured versions. Such a service is scraped on its server's port only
 * (`scrape.port`), so nothing else is there: no `predictions_total`, no `model_inference_duration_seconds`.
 * Undefined for a service without one, which exports mlmon's own metric contract (and whatever else it has).
 */
export function serviceExports(integration: ServiceIntegrationConfig | undefined): ReadonlySet<string> | undefined {
  const enabled = Object.entries(integration ?? {}).filter(([, settings]) => settings !== undefined) as [string, { readonly version: string }][];
  if (enabled.length === 0) return undefined;
  const names = new Set<string>();
  for (const [name, settings] of enabled) {
    const definition = integrationNamed(name);
    // An unknown integration or version is the schema's and the config checks' to report, not this lookup's.
    for (const metric of definition?.metrics[settings.version] ?? []) names.add(metric.name);
  }
  return names;
}
