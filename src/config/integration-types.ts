/**
 * Config types of the integrations (src/catalog/integrations/): which model server serves a service, at which
 * version. The version is a plain string in the schema, checked against the integration's catalog in
 * `integrationProblems` below, so a wrong one gets the supported versions and a did-you-mean.
 */

/** A model server integration at one version. */
export interface IntegrationVersionConfig {
  /**
   * The server's `major.minor` version, which picks the metric names the alerts read (they change between
   * versions: vLLM 0.11 hid `vllm:gpu_cache_usage_perc`). README "Integrations" lists the supported ones.
   */
  version: string;
}

/**
 * The model server that serves the service's models: its scrape conventions (port, the label naming the model),
 * metric catalog, alerts (thresholds per model under `models.<name>.thresholds`), dashboard rows and proofs.
 * At most one.
 * @maxProperties 1
 */
export interface ServiceIntegrationConfig {
  /** vLLM's OpenAI-compatible server (port 8000, `model_name` label copied to `model`). */
  vllm?: IntegrationVersionConfig;
  /** NVIDIA Triton Inference Server (port 8002; its `model` label is used as it is). */
  triton?: IntegrationVersionConfig;
  /** KServe's Python ModelServer (port 8080, `model_name` copied to `model`) and its Knative revisions. */
  kserve?: IntegrationVersionConfig;
}

import type { Problem } from '../problems.js';
import { integrationNamed } from '../catalog/integrations/index.js';
import { didYouMean } from './did-you-mean.js';

/**
 * `config/integration-version`: a service's integration at a version its catalog doesn't have (the schema
 * already refuses an unknown integration name, with a did-you-mean).
 */
export function integrationProblems(services: Readonly<Record<string, { readonly integration?: ServiceIntegrationConfig | undefined }>> | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const [service, config] of Object.entries(services ?? {})) {
    for (const [name, settings] of Object.entries(config.integration ?? {})) {
      const integration = integrationNamed(name);
      if (!integration || !settings) continue;
      if (integration.versions.includes(settings.version)) continue;
      const suggestion = didYouMean(settings.version, integration.versions);
      problems.push({
        id: 'config/integration-version',
        severity: 'error',
        path: `services.${service}.integration.${name}.version`,
        value: settings.version,
        message: `${name} version "${settings.version}" is not one mlmon has a metric catalog for, so it can't tell which metric names the server exports`,
        allowed: integration.versions.join(', '),
        hint: suggestion ? `did you mean "${suggestion}"?` : `use the supported version closest to yours: ${integration.versions.join(', ')}`,
      });
    }
  }
  return problems;
}
