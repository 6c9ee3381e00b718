/**
 * The shape of one built-in alert in the alert catalog (src/catalog/alerts/): everything mlmon knows about an
 * alert, in one typed value, from which the config types and schema, the rules, the threshold series, the
 * proofs, the dashboards' threshold lines and the docs are all derived (docs/architecture.md, "Adding an
 * alert"). A piece left out is a type error, never a silent default somewhere downstream.
 *
 * The catalog is a layer of definitions beside the pipeline, like src/formats/: every stage may read it, and
 * it reads no stage. The few shapes of the normalized model it needs are declared here structurally.
 */
import type { Duration, Severity } from '../config/types.js';
import type { InputSeries, ProofClock, ProofFleet, TargetSeries } from './proof-series.js';

/** What an alert is about: a node or scrape target, a service, or a model. */
export type AlertScope = 'infrastructure' | 'service' | 'model';

/**
 * The config type (an alias in src/config/types.ts, with its schema bounds) of a threshold's value:
 * `Ratio` 0–1, `Percentage` (0, 100], `Seconds`, `PerSecond` and `Count` ≥ 0.
 */
export type ThresholdType = 'Ratio' | 'Percentage' | 'Seconds' | 'PerSecond' | 'Count';

/**
 * The bounds of the signal a threshold is compared with, past which the threshold can never be crossed
 * (`config/unreachable-threshold`): a minimum on a signal that never goes below `floor`, a maximum at the
 * `ceiling` of a bounded signal, or above the `longest` a latency can sensibly be.
 */
export interface SignalBounds {
  readonly floor?: number;
  readonly ceiling?: number;
  readonly longest?: number;
}

/** One threshold of an alert, as users set it in the config. */
export interface ThresholdDefinition<Key extends string = string> {
  /** Its key under `thresholds` (and `defaults.modelThresholds`/`defaults.serviceThresholds`). */
  readonly key: Key;
  /** The alert fires when the signal is above the threshold, or below it. */
  readonly firesWhen: 'above' | 'below';
  readonly type: ThresholdType;
  /** The seed's value, and mlmon's default. */
  readonly default: number;
  /** One sentence for the config reference: what crossing it means (`false` disabling it is added for models and services). */
  readonly doc: string;
  readonly bounds: SignalBounds;
}

/** What an alert's rule is built from (src/normalize/alert-rules.ts fills it in). */
export interface AlertRuleContext {
  /** `alerts.<Name>.window`, or the catalog's default. */
  readonly window: Duration;
  /** `alerts.<Name>.for`, or the catalog's default. */
  readonly for: Duration;
  /** The team of targets of no configured service (`infrastructure.team`). */
  readonly infrastructureTeam: string;
  /**
   * `signal <op> threshold`, joined as the alert's scope needs: with a global infrastructure threshold, the
   * number itself; for services, `on (service)` with the per-service threshold series; for models, `on (model)`
   * with the per-model series or, for models the config doesn't list, the default series (`presence`, a
   * selector that exists for every model the signal covers, is how unlisted models are found; the signal by
   * default). Only for alerts with a threshold.
   */
  readonly compare: (signal: string, presence?: string) => string;
  /** The threshold's value, for an infrastructure alert's text (its global threshold). */
  readonly thresholdValue?: number;
  /**
   * Series beyond the seed's instrumentation that show a model is exported: one per model server the config's
   * services run (ScrapeConvention.modelPresence), so a model served by vLLM is not "missing".
   */
  readonly modelPresence: readonly string[];
  /**
   * The selector of a scraped metric (with `matchers`, e.g. `status=~"5.."`, if given): the bare name, or within
   * one shard's rule of a `perShard` alert, restricted to the shard (src/normalize/alert-shards.ts). A
   * `perShard` alert must build every selector of a per-target metric with it.
   */
  readonly select: (metric: string, matchers?: string) => string;
  /** The same for mlmon's own per-target series (`mlmon:model_info`); `compare` uses it for the thresholds. */
  readonly target: (series: string) => string;
  /** Which jobs Prometheus scrapes besides the services (the absence alerts watch them). */
  readonly scraped: ScrapedJobs;
}

/**
 * The scrape jobs whose targets can vanish from discovery (src/normalize/scrape-jobs.ts, dcgm.ts), and what the
 * services run: what the absence alerts (ScrapeJobAbsent, NodeExporterMissing, DcgmExporterMissing,
 * IntegrationMetricsMissing) can watch. A fixed target can't vanish: its `up` is there, and ServiceDown sees it.
 */
export interface ScrapedJobs {
  /** node-exporter is found per node through its DaemonSet's pods (job `node-exporter`). */
  readonly nodeExporterPods: boolean;
  /** The kubelets are scraped (job `kubernetes-nodes`, labelled `node`): the one list of the nodes there are. */
  readonly kubelets: boolean;
  /** dcgm-exporter is found per GPU node through its DaemonSet's pods (job `dcgm-exporter`). */
  readonly dcgmPods: boolean;
  /** The service integrations (`kserve`, `triton`, …) some service runs, in integration order. */
  readonly integrations: readonly string[];
}

/** An alert's rule: its expression, its annotations' text (Prometheus Go templates) and any static labels. */
export interface AlertRuleText {
  readonly expr: string;
  readonly summary: string;
  readonly description: string;
  /** Static labels beside `severity`; config values, escaped for Go templates by the caller. */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A target of a threshold alert's proof: the labels its series are scraped with (`scrape`) and the ones the
 * alert carries when it fires (`alert`, before the rule's own labels).
 */
export interface ProofTarget {
  readonly scrape: Readonly<Record<string, string>>;
  readonly alert: Readonly<Record<string, string>>;
}

/**
 * How a threshold alert is proven (src/normalize/rule-proofs.ts): the input series that put its signal at
 * `value` for one target. The proof builder picks the targets (one per distinct threshold and team), puts each
 * a margin past or inside its threshold, a disabled one far past it, and states what must fire.
 */
export interface ThresholdProof {
  readonly kind: 'threshold';
  /** Series making the alert's signal exactly `value` for the target; `alertLabels` if not the target's `alert`, `value` if $value differs. */
  readonly signal: (target: ProofTarget, value: number, clock: ProofClock) => {
    readonly series: readonly InputSeries[];
    readonly alertLabels?: Readonly<Record<string, string>>;
    readonly value?: number;
  };
  /**
   * The signal reaches `value` only once a whole window of data lies behind it: a rate of one counter, which
   * reads low while its window still reaches back before the first sample (a ratio of two rates doesn't).
   * The proof then waits `for` after that, not after the first evaluation.
   */
  readonly settlesAfterWindow?: true;
}

/** How an alert without a threshold is proven: its own targets on each side, and what the two proofs say. */
export interface CustomProof {
  readonly kind: 'custom';
  readonly wording: { readonly breach: string; readonly inside: string };
  readonly targets: (fleet: ProofFleet, side: 'breach' | 'inside', clock: ProofClock) => TargetSeries[];
  /**
   * The condition starts only a window after the series its proof removes were last seen (an absence of
   * something seen before): the proof then waits `for` after that window, as a threshold proof's does.
   */
  readonly settlesAfterWindow?: true;
}

/** The dashboard panel that draws an alert's threshold as a line (src/render/grafana/). */
export interface ThresholdPanel {
  readonly dashboard: 'infrastructure' | 'application' | 'ml-models';
  /** The panel's title on that dashboard. */
  readonly title: string;
  /** The query of the panel the line belongs to, when it has several (its legend suffix, e.g. `p95`). */
  readonly query?: string;
}

/** Which listed things an alert without a threshold watches: it is generated only when there is one. */
export interface AlertFleet {
  readonly services: number;
  readonly models: number;
  readonly scraped: ScrapedJobs;
}

/**
 * One built-in alert. `Name`, `Scope` and `Key` are literal types, so the catalog's type knows every alert
 * name and threshold key (src/catalog/index.ts derives the config's types from them).
 */
export interface AlertDefinition<Name extends string = string, Scope extends AlertScope = AlertScope, Key extends string = string> {
  readonly name: Name;
  readonly scope: Scope;
  /** One or two sentences for the docs: what firing means. */
  readonly about: string;
  readonly defaults: { readonly severity: Severity; readonly for: Duration; readonly window: Duration };
  /**
   * What the expression does with `window`: a function needing two samples in it, as the rate of a counter or
   * histogram or predict_linear/deriv of a gauge does (`rate`), an `*_over_time` of a
   * gauge (`overTime`), or nothing (`none`: the alert reads a current value; `config/unused-window`).
   */
  readonly windowUse: 'rate' | 'overTime' | 'none';
  /** The metrics the expression reads; every one must be in the metric catalog (src/normalize/metric-catalog.ts). */
  readonly metrics: readonly string[];
  /** The threshold it compares with; absent for alerts about absence or a target being down. */
  readonly threshold?: ThresholdDefinition<Key>;
  /**
   * The labels that say what one instance of the alert is about (`instance` for a node or scrape target,
   * `service`, `model`): an inhibit rule that lets it mute, or be muted by, an alert without them in `equal`
   * mutes alerts about other things (check inhibit/mutes-other-things).
   */
  readonly identity: readonly string[];
  /** The labels its instances carry from the expression, one set per kind of instance (rule and external labels aside). */
  readonly labelSets: readonly (readonly string[])[];
  /** The page under `runbookBaseUrl`: the `runbook_url` annotation is `<runbookBaseUrl>/<runbook>`. */
  readonly runbook: string;
  /** For an alert without a threshold: whether the config gives it anything to watch. */
  readonly watches?: (fleet: AlertFleet) => boolean;
  /**
   * For a model or service alert over the whole fleet: evaluated once per shard of its scope when there are
   * several (src/normalize/alert-shards.ts). Its rule must then build every per-target selector through
   * `select` and `target`, and read nothing else that depends on the target.
   */
  readonly perShard?: true;
  readonly rule: (context: AlertRuleContext) => AlertRuleText;
  readonly proof: ThresholdProof | CustomProof;
  /** The panel that draws its threshold; an alert with a threshold must name one, or say `false` and why. */
  readonly panel?: ThresholdPanel | { readonly none: string };
}

/**
 * Declares one alert, keeping its name, scope and threshold key as literal types. A threshold alert must say
 * how its threshold is drawn (`panel`); one without must say what it watches.
 */
export function defineAlert<const Name extends string, const Scope extends AlertScope, const Key extends string = never>(
  alert: AlertDefinition<Name, Scope, Key> & (
    | { readonly threshold: ThresholdDefinition<Key>; readonly proof: ThresholdProof; readonly panel: ThresholdPanel | { readonly none: string } }
    | { readonly threshold?: undefined; readonly proof: CustomProof; readonly watches?: (fleet: AlertFleet) => boolean }
  ),
): AlertDefinition<Name, Scope, Key> {
  return alert;
}

/** The per-target threshold series of a model or service threshold: `mlmon:<scope>_<snake_case key>:threshold`. */
export function thresholdSeriesName(scope: 'service' | 'model', key: string): string {
  return `mlmon:${scope}_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}:threshold`;
}

/** The fallback series for models the config doesn't list. */
export function defaultSeriesOf(series: string): string {
  return series.replace(/:threshold$/, ':default_threshold');
}
