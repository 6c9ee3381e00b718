/** The metric contract of the user's config: the generate recipe in memory, then the integrations it enables. */
import { findConfigFile, loadConfig } from '../config/load.js';
import type { MonitoringConfig } from '../config/types.js';
import { generateInMemory } from '../pipeline.js';
import type { MonitoringModel } from '../normalize/model.js';
import { metricContract, type MetricContract } from './contract.js';
import { integrationsOf } from './integrations.js';
import type { IntegrationDefinition } from '../catalog/integrations/integration.js';

export interface LoadedContract {
  readonly configFile: string;
  readonly model: MonitoringModel;
  readonly contract: MetricContract;
}

/**
 * Loads and validates the config exactly as `generate` does (a config with errors throws ProblemsFound, exit
 * 1), then derives its metric contract. `available` overrides the known integrations (tests).
 */
export async function loadMetricContract(cwd: string, config: string | undefined, available?: readonly IntegrationDefinition[]): Promise<LoadedContract> {
  const generated = await generateInMemory({ cwd, config });
  const raw = (await loadConfig(findConfigFile(cwd, config))).raw as MonitoringConfig;
  const enabled = available ? integrationsOf(raw, available) : integrationsOf(raw);
  return { configFile: generated.configFile, model: generated.model, contract: metricContract(generated.model, enabled) };
}
