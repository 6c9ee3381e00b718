/**
 * Scale-out: which Prometheus scrapes which target (hashmod shards), where samples go (remote_write), and which
 * rules leave the Prometheus servers for a central ruler because they need the whole fleet.
 *
 * Which rules are per-target. A shard sees only its own targets, so a rule may stay on it only if its result
 * for a target depends on that target's series alone. That rules out, for each rule:
 * - aggregation (`sum by (model)` adds up a model served by pods on several shards; mlmon's SLO indicators);
 * - a binary operation between two vectors (a join may pair series that different shards scraped; every
 *   alert joins its threshold series);
 * - constants (no selector at all: mlmon's threshold series, `vector(0.9)`): every shard would write the same
 *   series to the central store, and the joins on it would find N copies;
 * - `absent`, `absent_over_time`, `scalar`, `vector`: absence on one shard is not absence in the fleet.
 * Alerting rules always go to the central ruler: an alert must be judged on the whole fleet, and it is sent
 * once, by one ruler, rather than by whichever shard happens to scrape a target. The classification is per
 * rule file: a file stays on the Prometheus servers only when every rule in it is per-target (a per-target rule
 * on the central ruler is still right, the converse is not). With mlmon's built-ins that moves every file;
 * custom recording rules (`rules.recording`) of the per-target kind (`rate(x[5m])`, `x * 8`) stay.
 */
import { createRequire } from 'node:module';
import type { SyntaxNode } from '@lezer/common';
import type { RemoteWriteTarget, ScaleOutSettings } from '../config/scale-types.js';
import { configDefaults } from '../config/defaults.js';
import type { MonitoringConfig } from '../config/types.js';
import type { loadPromqlParser } from '../formats/promql/parse.js';
import { builtinMetrics } from './metric-catalog.js';
import { lookbackSeconds, shardLabels } from './alert-shards.js';
import { durationSeconds } from '../formats/prometheus-duration.js';
import type { RuleFile, ScrapeJob } from './model.js';
import type { Problem } from '../problems.js';

/** The scale-out part of the model: everything the shard configs and the central ruler files are made from. */
export interface ScaleOutModel {
  /** Shard count; 1 is one unsharded Prometheus (no shard files are written). */
  readonly shardCount: number;
  /** One entry per shard when `shardCount` > 1, in order. */
  readonly shards: readonly ShardModel[];
  readonly remoteWrite: readonly RemoteWriteModel[];
  /** Absent: every rule runs on the Prometheus servers, as without scale-out. */
  readonly centralRuler?: CentralRulerModel;
  /** Rule files (names under prometheus/rules/) every Prometheus server (each shard) loads. */
  readonly localRuleFiles: readonly string[];
}

export interface ShardModel {
  readonly index: number;
  /** The shard's scrape jobs: each sharded job ends with the hashmod relabelling that keeps its share. */
  readonly scrapeJobs: readonly ScrapeJob[];
}

/** A remote_write entry, in Prometheus' own field names where it is a fragment. */
export interface RemoteWriteModel {
  readonly url: string;
  readonly name?: string;
  readonly writeRelabelConfigs: readonly Readonly<Record<string, unknown>>[];
  readonly basicAuth?: { readonly username: string; readonly password_file: string };
  readonly authorization?: { readonly type: 'Bearer'; readonly credentials_file: string };
  /** Only the overridden queue settings; Prometheus' defaults apply to the rest. */
  readonly queueConfig?: Readonly<Record<string, string | number>>;
}

export type CentralRulerModel =
  | { readonly kind: 'vmalert'; readonly ruleFiles: readonly string[] }
  | { readonly kind: 'thanos'; readonly ruleFiles: readonly string[]; readonly partialResponseStrategy: 'abort' | 'warn' }
  | { readonly kind: 'mimir'; readonly ruleFiles: readonly string[]; readonly tenant: string; readonly namespace: string };

/** The label every sharded job hashes into, then keeps one value of; `__tmp_` labels are never stored. */
export const shardHashLabel = '__tmp_hash';

/**
 * The relabelling that keeps a job's share of targets on shard `index` of `count`: the hash of the target's
 * final address (after the job's own relabelling set it), modulo the count, must equal the index. Prometheus'
 * own hashmod (an MD5 of the joined source labels), so the split is the one Prometheus makes.
 */
export function shardRelabelConfigs(index: number, count: number): Readonly<Record<string, unknown>>[] {
  return [
    { source_labels: ['__address__'], modulus: count, target_label: shardHashLabel, action: 'hashmod' },
    { source_labels: [shardHashLabel], regex: String(index), action: 'keep' },
  ];
}

/**
 * The shards' scrape jobs. Every job is split by hashmod except the self-scrape (`prometheus`): each shard
 * scrapes itself, with a `shard` target label so that the N `localhost:<port>` targets stay N series in the
 * central store. Other series get no shard label: a target keeps its series when the shard count changes.
 */
export function buildShards(count: number, jobs: readonly ScrapeJob[]): ShardModel[] {
  if (count <= 1) return [];
  return Array.from({ length: count }, (_, index) => ({
    index,
    scrapeJobs: jobs.map((job) => job.kind === 'prometheus'
      ? { ...job, staticLabels: { ...job.staticLabels, shard: String(index) } }
      : { ...job, relabelConfigs: [...(job.relabelConfigs ?? []), ...shardRelabelConfigs(index, count)] }),
  }));
}

/** Prometheus' config keys of the queue overrides. */
const queueKeys = { capacity: 'capacity', maxShards: 'max_shards', maxSamplesPerSend: 'max_samples_per_send', batchSendDeadline: 'batch_send_deadline' } as const;

export function buildRemoteWrite(targets: readonly RemoteWriteTarget[]): RemoteWriteModel[] {
  return targets.map((t) => {
    const relabel: Record<string, unknown>[] = [];
    if (t.dropMetrics?.length) relabel.push({ source_labels: ['__name__'], regex: t.dropMetrics.join('|'), action: 'drop' });
    // Label names are [a-zA-Z_][a-zA-Z0-9_]*: joined with | they need no escaping.
    if (t.dropLabels?.length) relabel.push({ regex: t.dropLabels.join('|'), action: 'labeldrop' });
    const queue = Object.entries(t.queue ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [queueKeys[k as keyof typeof queueKeys], v] as const);
    return {
      url: t.url,
      ...(t.name ? { name: t.name } : {}),
      writeRelabelConfigs: relabel,
      ...(t.basicAuth ? { basicAuth: { username: t.basicAuth.username, password_file: t.basicAuth.passwordFile } } : {}),
      ...(t.bearerTokenFile ? { authorization: { type: 'Bearer' as const, credentials_file: t.bearerTokenFile } } : {}),
      ...(queue.length ? { queueConfig: Object.fromEntries(queue) } : {}),
    };
  });
}

/** Whether one rule's result for a target depends on that target's series alone (see the module comment). */
export function isPerTargetExpression(expr: string): boolean {
  const tree = promqlParser().parse(expr);
  let perTarget = true;
  let selectors = 0;
  const hasSelector = (node: SyntaxNode | null): boolean => {
    if (!node) return false;
    if (node.name === 'VectorSelector') return true;
    for (let child = node.firstChild; child; child = child.nextSibling) if (hasSelector(child)) return true;
    return false;
  };
  tree.iterate({
    enter(node) {
      if (node.type.isError || node.name === 'AggregateExpr') perTarget = false;
      if (node.name === 'VectorSelector') selectors++;
      if (node.name === 'FunctionIdentifier' && fleetFunctions.has(expr.slice(node.from, node.to))) perTarget = false;
      // BinaryExpr(left, operator, [matching modifier], right): a join when both operands select series.
      if (node.name === 'BinaryExpr' && hasSelector(node.node.firstChild) && hasSelector(node.node.lastChild)) perTarget = false;
      return perTarget;
    },
  });
  return perTarget && selectors > 0;
}

const fleetFunctions = new Set(['absent', 'absent_over_time', 'scalar', 'vector']);

type PromqlParser = Awaited<ReturnType<typeof loadPromqlParser>>;
let loadedParser: PromqlParser | undefined;

/**
 * Prometheus' PromQL grammar (the same package formats/promql/parse.ts imports), loaded on first use and
 * synchronously, through its CommonJS build: normalize() is synchronous, and only a config with a central
 * ruler pays the ~100 ms the parser takes to load.
 */
function promqlParser(): PromqlParser {
  loadedParser ??= (createRequire(import.meta.url)('@prometheus-io/lezer-promql') as { parser: PromqlParser }).parser;
  return loadedParser;
}

/** The scale-out model from the config's `prometheus` settings, the rule files and the scrape jobs. */
export function buildScaleOut(settings: ScaleOutSettings, ruleFiles: readonly RuleFile[], jobs: readonly ScrapeJob[]): ScaleOutModel {
  const shardCount = settings.shards ?? configDefaults['prometheus.shards'];
  const ruler = settings.centralRuler;
  const local = ruler ? ruleFiles.filter((f) => f.groups.every((g) => g.rules.every((r) => r.kind === 'record' && isPerTargetExpression(r.expr)))) : ruleFiles;
  const central = ruleFiles.filter((f) => !local.includes(f)).map((f) => f.name);
  const centralRuler: CentralRulerModel | undefined = !ruler ? undefined
    : ruler.kind === 'thanos' ? { kind: 'thanos', ruleFiles: central, partialResponseStrategy: ruler.partialResponseStrategy ?? configDefaults['prometheus.centralRuler.partialResponseStrategy'] }
    : ruler.kind === 'mimir' ? { kind: 'mimir', ruleFiles: central, tenant: ruler.tenant, namespace: ruler.namespace ?? configDefaults['prometheus.centralRuler.namespace'] }
    : { kind: 'vmalert', ruleFiles: central };
  return {
    shardCount,
    shards: buildShards(shardCount, jobs),
    remoteWrite: buildRemoteWrite(settings.remoteWrite ?? []),
    ...(centralRuler ? { centralRuler } : {}),
    localRuleFiles: local.map((f) => f.name),
  };
}

/** Labels the generated rules group, join or filter by: dropping them before remote_write breaks the central ruler. */
const labelsRulesRead = (): Set<string> => new Set(['__name__', 'job', 'instance', 'le', 'model', 'service', 'team', 'slo', ...Object.values(shardLabels), ...builtinMetrics.flatMap((m) => m.labels)]);

/** Problems of the scale-out settings that the JSON schema can't express. */
export function scaleOutProblems(config: MonitoringConfig): Problem[] {
  const settings = config.prometheus ?? {};
  const problems: Problem[] = [];
  if ((settings.shards ?? 1) > 1 && !settings.centralRuler) {
    problems.push({
      id: 'config/shards-need-central-ruler', severity: 'error', path: 'prometheus.shards', value: settings.shards,
      message: `prometheus.shards is ${settings.shards}, but no prometheus.centralRuler is set: each shard sees only its share of the targets, so its alerts, thresholds and SLOs would judge part of the fleet`,
      allowed: 'prometheus.centralRuler with kind vmalert, thanos or mimir (and prometheus.remoteWrite to the store it reads)',
      hint: 'add prometheus.centralRuler: { kind: "vmalert" } and a prometheus.remoteWrite entry, or set prometheus.shards to 1',
    });
  }
  if ((settings.shards ?? 1) > 1 && config.grafana?.prometheusUrl === undefined) {
    // Grafana's data source defaults to the one server's Service; sharded, there is one Service per shard, and
    // each holds only its share of the fleet.
    problems.push({
      id: 'config/grafana-datasource-with-shards', severity: 'warning', path: 'grafana.prometheusUrl',
      message: `prometheus.shards is ${settings.shards}, but grafana.prometheusUrl is not set: Grafana's data source would be http://prometheus:${settings.port ?? configDefaults['prometheus.port']}, a Service the sharded deployment does not have (each shard has its own, with its share of the targets), so the dashboards would show nothing`,
      allowed: "the query URL of the central store the shards remote-write to",
      hint: 'set grafana.prometheusUrl, e.g. "http://victoria-metrics:8428" (VictoriaMetrics), or your Thanos Query or Mimir query-frontend URL',
    });
  }
  // The alerts read series other groups record (thresholds, info series, the shards' breaches) as instant
  // vectors, which find no sample older than Prometheus' 5m lookback. Each group runs at its own offset, so a
  // reader may run up to one interval after the writer; one missed or late evaluation of the writer makes it
  // two. At most half the lookback keeps every alert seeing its inputs through one lost evaluation.
  const interval = settings.ruleGroupInterval ?? configDefaults['prometheus.ruleGroupInterval'];
  if (durationSeconds(interval) * 2 > lookbackSeconds) {
    problems.push({
      id: 'config/rule-group-interval', severity: 'error', path: 'prometheus.ruleGroupInterval', value: interval,
      message: `prometheus.ruleGroupInterval is ${interval}: the alerts read their thresholds, info series and shard breaches, recorded by other groups at other offsets, as instant vectors, which find no sample older than Prometheus' 5m lookback; at this interval one missed evaluation leaves them blind (and over 5m they are blind for most of each round)`,
      allowed: `at most ${lookbackSeconds / 2}s (2m30s), half the lookback`,
      hint: 'the default 30s, or 1m',
    });
  }
  if (settings.centralRuler && !(settings.remoteWrite?.length)) {
    problems.push({
      id: 'config/central-ruler-needs-remote-write', severity: 'warning', path: 'prometheus.centralRuler',
      message: 'prometheus.centralRuler is set but prometheus.remoteWrite is empty: the central ruler reads a store this config sends nothing to',
      hint: 'add the store\'s remote write URL under prometheus.remoteWrite, unless another agent already ships the samples there',
    });
  }
  const read = labelsRulesRead();
  (settings.remoteWrite ?? []).forEach((target, i) => (target.dropLabels ?? []).forEach((label, j) => {
    if (!read.has(label)) return;
    problems.push({
      id: 'config/remote-write-drops-rule-label', severity: 'error', path: `prometheus.remoteWrite[${i}].dropLabels[${j}]`, value: label,
      message: `prometheus.remoteWrite[${i}].dropLabels drops ${JSON.stringify(label)}, a label mlmon's rules group, join or filter by: the central ruler would lose it`,
      allowed: `a label not among: ${[...read].sort().join(', ')}`,
    });
  }));
  const names = (settings.remoteWrite ?? []).map((t) => t.name).filter((n): n is string => n !== undefined);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) problems.push({ id: 'config/remote-write-duplicate-name', severity: 'error', path: 'prometheus.remoteWrite', value: name, message: `two prometheus.remoteWrite entries are named ${JSON.stringify(name)}; Prometheus refuses duplicate remote_write names`, allowed: 'a unique name per entry' });
  });
  return problems;
}
