import type { AlertDefinition } from '../alert-definition.js';
import type { MetricDefinition } from '../../normalize/model.js';

/**
 * The shared shape of an integration (a model server such as vLLM, Triton or KServe, or the DCGM GPU pack).
 * One module per integration under `src/catalog/integrations/<name>/` exports one `IntegrationDefinition`;
 * everything else (config types, scrape conventions, alerts, proofs, dashboard rows, `check-metrics`,
 * `instrument`, `init --from`) is derived from these values, as the built-in alerts are from the alert catalog.
 *
 * This file is the contract between the integration, check-metrics and operator work: extend it, don't fork it.
 */

/** One metric an integration's server exports, in one or more of its versions. */
export interface IntegrationMetric extends Omit<MetricDefinition, 'origin'> {
  /**
   * The unit of the value as exported, in the words of the server's docs: `seconds`, `microseconds`, `ratio`
   * (0–1), `bytes`, `celsius`, `watts`, `requests`, … Alerts convert from it explicitly.
   */
  readonly unit: string;
  /** Where the name, type and unit come from: a URL of the server's metric definitions or docs. */
  readonly source: string;
}

/** A metric name that a version of the server no longer exports, and what replaced it. */
export interface MetricRename {
  readonly from: string;
  /** The new name, or `undefined` when the metric was removed without a replacement. */
  readonly to: string | undefined;
  /** The first server version (as in `versions`) without `from`. */
  readonly inVersion: string;
  readonly source: string;
}

/** How a server is scraped: its default port and path, and the labels that say which model a series is about. */
export interface ScrapeConvention {
  readonly port: number;
  readonly path: string;
  /** The label(s) that name the model in the server's series (`model_name` for vLLM, `model` + `version` for Triton). */
  readonly modelLabels: readonly string[];
}

/** One integration: the versions it supports, each version's metrics, and the alerts it brings. */
export interface IntegrationDefinition<Name extends string = string> {
  readonly name: Name;
  /** Where it is enabled: per service (`services.<name>.integration.<name>`) or for the cluster (`infrastructure.gpus`). */
  readonly scope: 'service' | 'infrastructure';
  /** Supported server versions, oldest first (`major.minor`); the config's `version` must be one of them. */
  readonly versions: readonly string[];
  /** The metrics each version exports (keys are `versions`). */
  readonly metrics: Readonly<Record<string, readonly IntegrationMetric[]>>;
  readonly renames: readonly MetricRename[];
  readonly scrape: ScrapeConvention;
  readonly alerts: readonly AlertDefinition[];
}
