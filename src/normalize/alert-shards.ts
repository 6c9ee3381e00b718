/**
 * Alert shards: how the work of the fleet-wide model and service alerts is cut into rule groups that
 * Prometheus evaluates side by side.
 *
 * Prometheus runs the rules of one group one after another and the groups concurrently. Every built-in model or
 * service alert is one rule for the whole fleet, so at 10,000 models (1,000 services) the group of
 * HighInferenceLatency read 360,000 bucket series and took 4.6 s of every round on a quiet 2-core machine,
 * ModelMetricsMissing 2.7 s, HighLatency 0.9 s (bench/README.md, "Rule groups"); a group whose round outlasts
 * its interval skips rounds. So, past one shard's worth of a scope (`targetsPerShard`), each such alert
 * (AlertDefinition.perShard) is evaluated once per shard by a recording rule: its whole expression (signal,
 * threshold join, default threshold), every per-target selector restricted to the shard. The rule records the
 * alert's result, the targets past their threshold, as `mlmon:<alert>:breach` with the shard as a label; the
 * shard's rules of all alerts of a scope run in one group per shard, and the alert itself only reads those few
 * series (`max without (model_shard)`). With one shard the alert stays inline, as it always was.
 *
 * An earlier try recorded only the signals per shard and left the comparison in the alert: the alert then still
 * joined every model's recorded signal with every model's threshold, 0.15–0.84 s per round at 10,000 models.
 * Here each shard's rule joins its own models' thresholds: the threshold and info series carry the shard too.
 *
 * Which shard a series is in:
 * - models: Prometheus' own `hashmod` of the series' `model` label, written as `model_shard` by the services'
 *   scrape jobs (metric_relabel_configs). Models are known only by their series (a model no config lists is
 *   still watched), so the shard must be computed where the series are; a listed model's threshold and info
 *   series get the same value here (formats/prometheus-hashmod.ts).
 * - services: `service_shard`, a constant of each service's scrape job (the same hash of the service's name),
 *   and on each service's threshold series.
 * Only when a scope has more than one shard. Every series of a service's job has both labels (`model_shard` is
 * the hash of "" where the series has no `model`), so nothing falls between the shards; series from anywhere
 * else (a federated or remote-written copy without the labels) are not judged by the per-shard alerts. An
 * earlier layout judged those in one more group, against every threshold: at 10,000 models that group alone
 * read every model's threshold and info series five times a round and took 6.2 s (bench/README.md).
 * The shard label on the recorded series keeps two shards from writing the same series: while the shard count
 * changes, a model's old series stay in the window for a while, and its old and new shard both record it.
 *
 * The cost: an alert reads its breach up to one group interval after it was recorded. The proofs evaluate the
 * shard groups before the alerts' (group_eval_order), as a real Prometheus does at best.
 */
import { prometheusHashmod } from '../formats/prometheus-hashmod.js';
import { durationSeconds } from '../formats/prometheus-duration.js';
import type { BuiltinAlert, RecordingRule, RuleGroup } from './model.js';

/** The scopes whose alerts run per shard. */
export type ShardScope = 'model' | 'service';

/** The label that says a series' shard, by scope. */
export const shardLabels = { model: 'model_shard', service: 'service_shard' } as const satisfies Record<ShardScope, string>;
/** The shard groups' names start with these (their alerts' group family). */
const groupPrefixes = { model: 'ml-models-shard', service: 'application-shard' } as const satisfies Record<ShardScope, string>;

/**
 * Targets per shard when `prometheus.modelShards` / `prometheus.serviceShards` is left out, and the most
 * shards. At 10,000 models and 1,000 services that is 64 and 32 shards: a model shard group reads ~160 models
 * for each of its five alerts (a sixty-fourth of their 11.7 s in all), a service group ~30 services. A power of two, so a
 * growing fleet changes the count (and relabels its series once) only when it doubles.
 */
export const targetsPerShard = { model: 250, service: 50 } as const satisfies Record<ShardScope, number>;
export const maxShards = 256;

/**
 * Prometheus' default lookback (`--query.lookback-delta`, 5m): an alert reads its recorded breach as an instant
 * vector, which finds the last sample only this far back. A shard group records one per round, at its own
 * offset, so with a rule group interval beyond this the alert would read nothing for most of each round.
 */
export const lookbackSeconds = 300;

/**
 * The configured count, or one shard per `targetsPerShard[scope]` listed targets rounded up to a power of two
 * (at most 256). (A rule group interval long enough for the lookback to matter is refused in the config:
 * config/rule-group-interval.)
 */
export function resolveShards(scope: ShardScope, configured: number | undefined, listed: number): number {
  if (configured !== undefined) return configured;
  let count = 1;
  while (count * targetsPerShard[scope] < listed && count < maxShards) count *= 2;
  return count;
}

/**
 * The metric relabelling that gives every series of a service's job its `model_shard`, after the job's own (a
 * model server's `model_name` is copied to `model` first): a series without `model` gets the hash of "", the
 * shard whose rules then judge it as an unlisted model, as the alerts inline do. None with one shard.
 */
export function modelShardRelabelConfigs(count: number): Readonly<Record<string, unknown>>[] {
  if (count <= 1) return [];
  return [
    { source_labels: ['model'], action: 'hashmod', modulus: count, target_label: shardLabels.model },
  ];
}

/** The shard of a model (the `model_shard` Prometheus writes) or of a service (its job's `service_shard`). */
export function shardOf(name: string, count: number): string {
  // A fleet asks for each model's shard once per threshold series, per proof and per scrape job: an MD5 and a
  // BigInt each time were 0.2 s of normalize at 10,000 models, and a memo keyed by a joined string still 80 ms
  // (building and hashing the key); keyed by count, then by the name itself, a lookup allocates nothing.
  // Bounded, so a long-lived process doesn't grow.
  let byName = shardMemo.get(count);
  if (byName === undefined) shardMemo.set(count, (byName = new Map()));
  let shard = byName.get(name);
  if (shard === undefined) {
    if (byName.size >= 100_000) byName.clear();
    byName.set(name, (shard = String(prometheusHashmod(name, count))));
  }
  return shard;
}
const shardMemo = new Map<number, Map<string, string>>();

/** A per-shard alert's recorded breach series: `mlmon:<alert in snake case>:breach`. */
export function breachRecord(alertName: string): string {
  return `mlmon:${alertName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}:breach`;
}

/** The selectors an alert's rule is built with (AlertRuleContext.select and .target). */
export interface ShardSelectors {
  readonly select: (metric: string, matchers?: string) => string;
  readonly target: (series: string) => string;
}

/** The selectors of an alert inline (`shard` undefined: the bare names) or within shard `shard`. */
export function shardSelectors(scope: ShardScope, shard: string | undefined): ShardSelectors {
  if (shard === undefined) return { select: (metric, matchers) => (matchers ? `${metric}{${matchers}}` : metric), target: (series) => series };
  const matcher = `${shardLabels[scope]}=${JSON.stringify(shard)}`;
  return {
    select: (metric, matchers) => `${metric}{${matchers ? `${matchers}, ` : ''}${matcher}}`,
    target: (series) => `${series}{${matcher}}`,
  };
}

/** A built-in alert evaluated per shard (BuiltinAlert.shards): its breach series and its expression in each shard. */
export interface ShardedAlert {
  readonly record: string;
  /** The alert's whole expression within each shard ('0', '1', …), in that order. */
  readonly exprs: readonly { readonly shard: string; readonly expr: string }[];
  /** The alert's window, which its range selectors use (the proofs time their inputs by it). */
  readonly window: string;
}

/**
 * The shard groups of one scope: one group per shard (`ml-models-shard-07`), each holding one recording rule
 * per per-shard alert of the scope, in catalog order, its series labelled with the shard. None when no alert
 * of the scope is sharded.
 */
export function shardGroups(scope: ShardScope, alerts: readonly BuiltinAlert[], count: number, interval: string): RuleGroup[] {
  const sharded = alerts.filter((a): a is BuiltinAlert & { shards: ShardedAlert } => a.scope === scope && a.shards !== undefined);
  if (sharded.length === 0) return [];
  const label = shardLabels[scope];
  const group = (name: string, shard: string): RuleGroup => ({
    name, interval,
    rules: sharded.flatMap((a) => a.shards.exprs.filter((e) => e.shard === shard).map((e): RecordingRule => ({
      kind: 'record', record: a.shards.record, expr: e.expr, labels: { [label]: shard }, source: `alerts.${a.name}`,
    }))),
  });
  const prefix = groupPrefixes[scope];
  const width = String(count - 1).length;
  return Array.from({ length: count }, (_, k) => group(`${prefix}-${String(k).padStart(width, '0')}`, String(k)));
}

/**
 * How a per-shard alert reads its breach series: one series per target, the shard label dropped; the worst of
 * a target's (`max` for an alert firing above its threshold, `min` below) while a shard count change has it
 * recorded by two shards.
 */
export function breachReader(scope: ShardScope, record: string, firesWhen: 'above' | 'below' | undefined): string {
  return `${firesWhen === 'below' ? 'min' : 'max'} without (${shardLabels[scope]}) (${record})`;
}
