import type { AlertDefinition } from '../alert-definition.js';

/**
 * The shared shape of an integration (a model server such as vLLM, Triton or KServe, or the DCGM GPU pack).
 * One module per integration under `src/catalog/integrations/<name>/` exports one `IntegrationDefinition`;
 * everything else (config types, scrape conventions, alerts, proofs, dashboard rows, `check-metrics`,
 * `instrument`, `init --from`) is derived from these values, as the built-in alerts are from the alert catalog.
 *
 * This file is the contract between the integration, check-metrics and operator work: extend it, don't fork it.
 */

/**
 * One metric an integration's server exports, in one or more of its versions: the fields of the metric catalog's
 * `MetricDefinition` (src/normalize/model.ts) but its origin, declared here because the catalog reads no stage.
 */
export interface IntegrationMetric {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary';
  /** The labels as the server sets them (`model_name`), before the scrape job copies any to `model`. */
  readonly labels: readonly string[];
  readonly help: string;
  /** A histogram's bucket boundaries (`le`, +Inf aside), in the metric's unit. */
  readonly buckets?: readonly number[];
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
  /**
   * The label mlmon's rules join on (`model`) is copied from this server label at scrape time
   * (`metric_relabel_configs`), when the server names the model otherwise (`model_name`); absent when the
   * server already labels it `model`.
   */
  readonly modelLabelFrom?: string;
  /**
   * A series the server exports for every model it serves from startup on, traffic or not (ModelMetricsMissing
   * reads it); absent for an integration that serves no models (the DCGM GPU pack).
   */
  readonly modelPresence?: string;
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
  /** The dashboard row it adds to the model dashboards (src/render/grafana/ml-models.ts lays it out). */
  readonly dashboardRow?: IntegrationDashboardRow;
}

/**
 * One panel of an integration's dashboard row: data only, so the catalog stays free of the renderer. An alert
 * draws its threshold line on the panel whose `title` its `panel` names, as the built-ins do.
 */
export interface IntegrationPanel {
  readonly title: string;
  readonly description: string;
  /** Grafana's unit id of the values drawn. */
  readonly unit: 's' | 'percentunit' | 'short' | 'ops';
  readonly max?: number;
  /** What a line is about: a model (the default), or a service (a GPU serves every model on it). */
  readonly scope?: 'model' | 'service';
  /** The lines, given the label matchers that scope the dashboard (`model="$model"`, … ; no model matcher for a service panel). */
  readonly queries: (matchers: readonly string[]) => readonly { readonly expr: string; readonly legend: string }[];
}

/** The row an integration adds to a dashboard, below the built-in rows. */
export interface IntegrationDashboardRow {
  readonly title: string;
  readonly panels: readonly IntegrationPanel[];
}
