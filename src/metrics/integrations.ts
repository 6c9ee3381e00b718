/**
 * Which integrations a config enables, at which server version: the one place check-metrics and init read
 * the integration list (src/catalog/integrations/index.ts) and the config's `integration` blocks.
 */
import { integrations as knownIntegrations } from '../catalog/integrations/index.js';
import type { IntegrationDefinition, IntegrationMetric } from '../catalog/integrations/integration.js';
import type { MonitoringConfig } from '../config/types.js';

/** An integration as the config enables it: for one service (or the cluster), at one of its versions. */
export interface EnabledIntegration {
  readonly definition: IntegrationDefinition;
  /** The declared server version (`major.minor`); the newest supported one when the config gives none. */
  readonly version: string;
  /** The config path of the block that enables it, e.g. `services.llm.integration.vllm`. */
  readonly path: string;
  /** The service it is enabled for; undefined for infrastructure integrations (the DCGM pack). */
  readonly service: string | undefined;
}

type Loose = Readonly<Record<string, unknown>>;
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The integrations `config` enables: `services.<service>.integration.<name>` for server integrations and
 * `infrastructure.gpus.<name>` for infrastructure ones, each `{ version?: string }`. The config is read loosely
 * (the config types gain these blocks with the integrations themselves); an unknown name is left to the
 * config's schema check. `available` is for tests; it defaults to every integration mlmon knows.
 */
export function integrationsOf(config: MonitoringConfig, available: readonly IntegrationDefinition[] = knownIntegrations): EnabledIntegration[] {
  const enabled: EnabledIntegration[] = [];
  const add = (definition: IntegrationDefinition, block: unknown, path: string, service: string | undefined) => {
    const declared = isObject(block) && typeof block.version === 'string' ? block.version : undefined;
    enabled.push({ definition, version: declared ?? definition.versions[definition.versions.length - 1]!, path, service });
  };
  const loose = config as unknown as Loose;
  const services = isObject(loose.services) ? loose.services : {};
  for (const [service, settings] of Object.entries(services)) {
    const blocks = isObject(settings) && isObject(settings.integration) ? settings.integration : {};
    for (const definition of available) {
      if (definition.scope === 'service' && definition.name in blocks) add(definition, blocks[definition.name], `services.${service}.integration.${definition.name}`, service);
    }
  }
  const infrastructure = isObject(loose.infrastructure) ? loose.infrastructure : {};
  const gpus = isObject(infrastructure.gpus) ? infrastructure.gpus : {};
  for (const definition of available) {
    if (definition.scope === 'infrastructure' && definition.name in gpus) add(definition, gpus[definition.name], `infrastructure.gpus.${definition.name}`, undefined);
  }
  return enabled;
}

/** The metrics an integration's server exports at `version` (none for a version it doesn't support). */
export function metricsAt(definition: IntegrationDefinition, version: string): readonly IntegrationMetric[] {
  return definition.metrics[version] ?? [];
}

/** Compares `major.minor[.patch]` versions numerically: negative when a is older than b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** An integration recognised from the metric names an endpoint exports, and the version those names fit best. */
export interface RecognisedIntegration {
  readonly definition: IntegrationDefinition;
  /** The newest supported version whose metric names the endpoint shares most of. */
  readonly version: string;
  /** How many of that version's metric names the endpoint exports. */
  readonly matched: number;
}

/**
 * The integrations whose metric names appear among `names` (at least one name of any version, renamed ones
 * included), each with the version whose names match most (the newest on a tie). Used by `init --from` to
 * propose integrations and by check-metrics to spot a server the config doesn't enable.
 */
export function recogniseIntegrations(names: ReadonlySet<string>, available: readonly IntegrationDefinition[] = knownIntegrations): RecognisedIntegration[] {
  const found: RecognisedIntegration[] = [];
  for (const definition of available) {
    let best: RecognisedIntegration | undefined;
    for (const version of definition.versions) {
      const matched = metricsAt(definition, version).filter((m) => names.has(m.name)).length;
      if (matched > 0 && (!best || matched >= best.matched)) best = { definition, version, matched };
    }
    if (best) found.push(best);
  }
  return found;
}
