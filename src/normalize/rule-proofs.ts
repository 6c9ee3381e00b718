/**
 * Proofs for every generated alert, as promtool rule unit tests derived from the model — so a user's own
 * thresholds, models and services get their own proofs, not just our example's.
 *
 * For each alert, two tests:
 * - "fires": every target it applies to crosses its own threshold by a small margin. The alert is silent
 *   one evaluation before `for` has passed, then fires for exactly those targets with the expected labels
 *   and annotations. Targets whose threshold is disabled sit far past any threshold and must not fire.
 * - "silent": every target stays the same small margin inside its threshold; the alert never fires.
 * The margin is 0.01% of the threshold (up to 0.023%, to keep the expected text clear of a rounding tie), so a
 * threshold nudged by hand in the generated rules breaks a proof.
 *
 * One test covers all targets of an alert (one rule for all of them, fleet-scale), so the number of tests
 * does not grow with the fleet; the input series do. Past one file of threshold series, there is one proof
 * file per threshold file, each loading that file alone (promtool's limit of 10,000 samples per query; see
 * proofLayout).
 */
import type { ProofTarget } from '../catalog/alert-definition.js';
import { sampled, unlistedModelName, proofTargetsPerAlert, type InputSeries, type ProofClock, type TargetSeries, type ThresholdTarget } from '../catalog/proof-series.js';
import { durationSeconds, secondsDuration } from '../formats/prometheus-duration.js';
import { expandAnnotation } from '../formats/go-format.js';
import type { BuiltinAlert, MonitoringModel, RuleFile } from './model.js';
import { buildSloProofs, sloProofIntervalSeconds } from './slo-proofs.js';

export { proofTargetsPerAlert, unlistedModelName } from '../catalog/proof-series.js';
import { balancedProofFiles } from './proof-files.js';
import { shardLabels, shardOf } from './alert-shards.js';

export interface RuleTestFile {
  /** File name under out/prometheus/tests/. */
  readonly name: string;
  /** Rule files, relative to the test file (promtool resolves them from the test file's folder). */
  readonly ruleFiles: readonly string[];
  readonly evaluationInterval: string;
  readonly groupEvalOrder: readonly string[];
  readonly tests: readonly RuleTest[];
}

export interface RuleTest {
  readonly name: string;
  readonly interval: string;
  /** Exact values of recording-rule series at a time (promql_expr_test). */
  readonly promqlExprTests?: readonly {
    readonly expr: string;
    readonly evalTime: string;
    readonly expSamples: readonly { readonly labels: string; readonly value: number }[];
  }[];
  readonly inputSeries: readonly { readonly series: string; readonly values: string }[];
  readonly alertRuleTests: readonly {
    readonly evalTime: string;
    readonly alertname: string;
    readonly expAlerts: readonly { readonly expLabels: Readonly<Record<string, string>>; readonly expAnnotations: Readonly<Record<string, string>> }[];
  }[];
}

type Side = 'breach' | 'inside' | 'disabled';

// Tight enough that any threshold nudged by hand (by more than 0.01%) in the generated rules breaks a proof,
// loose enough to stay clear of floating-point noise in rate() and histogram_quantile().
function margin(threshold: number, scale: number): number {
  return Math.max(Math.abs(threshold) * 1e-4, 1e-6) * scale;
}

/**
 * Margin scales tried, in turn, until the firing proof's expected text is clear of a rounding tie: a threshold
 * of 0.05 crossed by 0.01% is 5.0005%, exactly halfway for humanizePercentage's 4 digits, and which way it
 * rounds depends on float noise in rate() that the rule group interval changes (a 1h30m group interval gave
 * promtool 5.001% where we expected 5%). The same happens to any threshold and any Go format the annotations
 * use, so the text is checked, not the threshold.
 */
const marginScales = [1, 1.3, 1.7, 2.3];

/** The signal value on each side of a threshold, in the direction the alert fires. */
function signalValue(threshold: number, firesWhen: 'above' | 'below', side: Side, extreme: number, scale = 1): number {
  if (side === 'disabled') return extreme;
  const towardsFiring = (side === 'breach' ? 1 : -1) * (firesWhen === 'above' ? 1 : -1);
  const value = threshold + towardsFiring * margin(threshold, scale);
  // Around a tiny threshold (a minimum of 3.4e-48, a maximum error ratio of 3e-323), the margin reaches past
  // zero, where a rate of counters can't go (promtool can't even write a falling counter as `0+-x`). Zero is
  // then on the same side of the threshold and serves instead. A minimum of zero or less can never be breached
  // and is refused in the config (config/unreachable-threshold).
  if (value >= 0) return value;
  const zeroFires = firesWhen === 'above' ? 0 > threshold : 0 < threshold;
  return zeroFires === (side === 'breach') ? 0 : value;
}

export function buildRuleProofs(model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>): RuleTestFile[] {
  const scrape = durationSeconds(model.prometheus.scrapeInterval);
  const group = durationSeconds(model.prometheus.ruleGroupInterval);
  const step = Math.max(1, Math.round(scrape));
  const layout = proofLayout(model);
  const withShards = shardLabelling({ model: model.prometheus.modelShards, service: model.prometheus.serviceShards });
  // Tests by file: one per alert group, and for a sharded fleet one per group and threshold file.
  const byFile = new Map<string, { group: string; shard: string | undefined; tests: RuleTest[] }>();
  const add = (alertGroup: string, shard: string | undefined, test: RuleTest) => {
    const key = `${alertGroup}\n${shard ?? ''}`;
    const file = byFile.get(key) ?? { group: alertGroup, shard, tests: [] };
    file.tests.push(test);
    byFile.set(key, file);
  };

  for (const alert of model.builtinAlerts) {
    const forSeconds = durationSeconds(alert.for);
    const window = windowOf(alert);
    // Late enough that the rate window lies wholly in the data and `for` has passed since the first
    // evaluation that saw the condition, whichever group ran first; a multiple of the group interval.
    const proof = alert.definition.proof;
    const settle = proof.settlesAfterWindow ? window : 0;
    const after = Math.ceil((Math.max(forSeconds + settle, window) + 2 * Math.max(step, group) + group) / group) * group;
    const before = forSeconds - group;
    const steps = Math.ceil((after + window) / step) + 2;
    for (const side of ['breach', 'inside'] as const) {
      const clock = { steps, step };
      const sideTargets = side === 'breach' && proof.kind === 'threshold' ? breachTargets(alert, model, clock) : targetsOf(alert, model, side, clock, 1);
      for (const [shard, targets] of layout.split(sideTargets, (t) => t.target)) {
        const expected = targets.filter((t) => t.fires);
        if (side === 'breach' && expected.length === 0) continue;
        const expAlerts = expected.map((t) => ({ expLabels: sortKeys(expectedLabels(alert, t, t.value)), expAnnotations: expectedAnnotations(alert, t, t.value) }));
        add(alert.group, shard, {
          name: `${alert.name} ${(alert.definition.proof.kind === 'custom' ? alert.definition.proof.wording : thresholdWording)[side].replace('{for}', alert.for)}`,
          interval: secondsDuration(step),
          inputSeries: withShards(targets.flatMap((t) => t.series)),
          alertRuleTests: [
            ...(side === 'breach' && before > 0 ? [{ evalTime: secondsDuration(before), alertname: alert.name, expAlerts: [] }] : []),
            { evalTime: secondsDuration(after), alertname: alert.name, expAlerts: side === 'breach' ? expAlerts : [] },
          ],
        });
      }
    }
    for (const [shard, pinned] of pinnedThresholds(alert, model, layout)) {
      add(alert.group, shard, { ...pinned, interval: secondsDuration(step), inputSeries: [], alertRuleTests: [], promqlExprTests: pinned.promqlExprTests.map((t) => ({ ...t, evalTime: secondsDuration(group) })) });
    }
  }

  // The SLO alerts' proofs, in the threshold file of the SLO they prove (src/normalize/slo-proofs.ts).
  const shardOf = (target: ThresholdTarget) => layout.split([target], (t) => t)[0]?.[0];
  for (const [shard, test] of buildSloProofs(model, step, sloProofIntervalSeconds(group), shardOf)) add('slo', shard, test);

  const files = [...byFile.values()]
    .filter((file) => file.tests.length > 0)
    .map((file) => {
      const ruleFiles = layout.ruleFilesFor(file.shard);
      return {
        name: file.shard ? `${file.group}-${file.shard.replace(/\.yml$/, '')}.test.yml` : `${file.group}.test.yml`,
        ruleFiles: ruleFiles.map((f) => `../rules/${f.name}`),
        evaluationInterval: file.group === 'slo' ? secondsDuration(sloProofIntervalSeconds(group)) : model.prometheus.ruleGroupInterval,
        groupEvalOrder: ruleFiles.flatMap((f) => f.groups.map((g) => g.name)),
        tests: file.tests,
      };
    });
  return balancedProofFiles(files, model.ruleFiles).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The input series as Prometheus stores them with several shards: every series of a service's job (one with a
 * `service` or a `model` label) carries the `model_shard` the scrape relabelling writes, the hash of its
 * `model` ("" when it has none), and its job's `service_shard` (src/normalize/alert-shards.ts; both metric
 * relabelling, so not on `up`), so the proofs run through the shard groups. Identity with one shard of each.
 */
function shardLabelling(counts: { readonly model: number; readonly service: number }): (series: readonly InputSeries[]) => InputSeries[] {
  const scopes = (['model', 'service'] as const).filter((scope) => counts[scope] > 1).map((scope) => ({
    label: shardLabels[scope],
    count: counts[scope],
    pattern: new RegExp(`[{,] ?${scope}=("(?:[^"\\\\]|\\\\.)*")`),
    // By the quoted name as the series holds it: the `, <label>="<shard>"` to add (no JSON to parse or write).
    added: new Map<string, string>(),
  }));
  if (scopes.length === 0) return (series) => [...series];
  return (series) => series.map((s) => {
    // The series Prometheus writes about a scrape (`up`, `scrape_*`) skip metric relabelling.
    if (/^(up|scrape_\w+)\{/.test(s.series)) return s;
    let added = '';
    for (const scope of scopes) {
      if (s.series.includes(`${scope.label}=`)) continue;
      const quoted = scope.pattern.exec(s.series)?.[1];
      // hashmod gives a series without `model` the hash of ""; a service's shard is its job's.
      if (scope.label === shardLabels.model ? quoted === undefined && !/[{,] ?service="/.test(s.series) : quoted === undefined || quoted === '""') continue;
      const key = quoted ?? '""';
      let label = scope.added.get(key);
      if (label === undefined) scope.added.set(key, (label = `, ${scope.label}=${JSON.stringify(shardOf(JSON.parse(key) as string, scope.count))}`));
      added += label;
    }
    return added ? { series: `${s.series.slice(0, -1)}${added}}`, values: s.values } : s;
  });
}

/**
 * The firing side of a threshold proof at the first margin scale whose expected text is clear of a rounding
 * tie (else the first scale's). Each scale is built only if the one before failed: a fleet's targets are many.
 * A custom proof builds its own targets, which no margin changes.
 */
function breachTargets(alert: BuiltinAlert, model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>, clock: ProofClock): TargetSeries[] {
  for (const scale of marginScales) {
    const targets = targetsOf(alert, model, 'breach', clock, scale);
    if (targets.every((t) => !t.fires || clearOfRounding(alert, t))) return targets;
  }
  return targetsOf(alert, model, 'breach', clock, 1);
}

/** The labels promtool must see on the alert: label values are templates too (escaped config values). */
function expectedLabels(alert: BuiltinAlert, t: TargetSeries, value: number): Record<string, string> {
  const ruleLabels = Object.fromEntries(Object.entries(alert.rule.labels).map(([k, v]) => [k, expandAnnotation(v, t.alertLabels, value)]));
  return { ...t.alertLabels, ...ruleLabels, alertname: alert.name };
}

function expectedAnnotations(alert: BuiltinAlert, t: TargetSeries, value: number): Record<string, string> {
  return Object.fromEntries(Object.entries(alert.rule.annotations).map(([k, v]) => [k, expandAnnotation(v, t.alertLabels, value)]));
}

/** Whether the alert's expected text reads the same a hair (1e-9, far above rate()'s float noise) either side of `value`. */
function clearOfRounding(alert: BuiltinAlert, t: TargetSeries): boolean {
  const text = (v: number) => JSON.stringify([expectedLabels(alert, t, v), expectedAnnotations(alert, t, v)]);
  return text(t.value * (1 + 1e-9)) === text(t.value * (1 - 1e-9));
}

const thresholdWording = {
  breach: 'fires after {for} for every target past its threshold, and not for disabled ones',
  inside: 'stays silent while every target is just inside its threshold',
};

/**
 * Which rule files a proof loads. promtool evaluates every rule of every file a test loads, at every step, in
 * an engine that refuses a query touching more than 10,000 samples (hard-coded in promtool). An alert that
 * joins against a fleet's threshold series touches one per target, so past a few thousand targets no test could
 * load them all. With the thresholds sharded, each proof loads one threshold file (plus the one holding the
 * defaults) and proves the targets whose series are in it; the proofs of infrastructure alerts load none.
 */
interface ProofLayout {
  readonly sharded: boolean;
  /** Targets by the threshold file their proof loads, in file order; everything under undefined when unsharded. */
  split<T>(items: readonly T[], targetOf: (item: T) => ThresholdTarget | undefined): [string | undefined, T[]][];
  ruleFilesFor(shard: string | undefined): readonly RuleFile[];
}

function proofLayout(model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>): ProofLayout {
  const thresholdFiles = model.ruleFiles.filter((f) => /^thresholds(-\d+)?\.yml$/.test(f.name));
  if (thresholdFiles.length <= 1) {
    return { sharded: false, split: (items) => (items.length ? [[undefined, [...items]]] : []), ruleFilesFor: () => model.ruleFiles };
  }
  // The threshold file of each model and service, by kind (no key strings to build for a fleet's 50,000 rules).
  const fileOf = { model: new Map<string, string>(), service: new Map<string, string>() };
  let defaultsFile: string | undefined;
  for (const file of thresholdFiles) {
    for (const group of file.groups) {
      for (const rule of group.rules) {
        if (rule.kind !== 'record') continue;
        if (rule.labels.model !== undefined) fileOf.model.set(rule.labels.model, file.name);
        else if (rule.labels.service !== undefined) fileOf.service.set(rule.labels.service, file.name);
        else defaultsFile = file.name;
      }
    }
  }
  const order = new Map(thresholdFiles.map((f, i) => [f.name, i]));
  const others = model.ruleFiles.filter((f) => !thresholdFiles.includes(f));
  return {
    sharded: true,
    split(items, targetOf) {
      const byShard = new Map<string | undefined, typeof items[number][]>();
      for (const item of items) {
        const target = targetOf(item);
        // A target with no series of its own (the unlisted model) is proven with the defaults.
        const shard = target ? fileOf[target.kind].get(target.name) ?? defaultsFile : undefined;
        const inShard = byShard.get(shard);
        if (inShard) inShard.push(item);
        else byShard.set(shard, [item]);
      }
      return [...byShard.entries()].sort(([a], [b]) => (a === undefined ? -1 : b === undefined ? 1 : order.get(a)! - order.get(b)!));
    },
    ruleFilesFor(shard) {
      const files = thresholdFiles.filter((f) => f.name === shard || (shard !== undefined && f.name === defaultsFile));
      return [...files, ...others];
    },
  };
}

/** For a fleet: every per-target threshold series of the alert, with its exact configured value, by shard. */
function pinnedThresholds(alert: BuiltinAlert, model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>, layout: ProofLayout): [string | undefined, Omit<RuleTest, 'interval' | 'inputSeries' | 'alertRuleTests'> & { promqlExprTests: NonNullable<RuleTest['promqlExprTests']> }][] {
  const series = alert.threshold?.series;
  if (!series) return [];
  const key = alert.threshold!.key;
  const targets: { kind: 'model' | 'service'; label: string; name: string; team: string; value: number | false }[] = alert.scope === 'service'
    ? model.services.map((s) => ({ kind: 'service', label: 'service', name: s.name, team: s.team, value: s.thresholds[key as ServiceKey] }))
    : model.models.map((m) => ({ kind: 'model', label: 'model', name: m.name, team: m.team, value: m.thresholds[key as ModelKey] }));
  if (targets.length <= proofTargetsPerAlert) return [];
  // With several alert shards of the scope, each series carries its target's (src/normalize/alert-shards.ts).
  const scope = alert.scope === 'service' ? 'service' : 'model';
  const shards = scope === 'service' ? model.prometheus.serviceShards : model.prometheus.modelShards;
  // selector(series, { [label]: name, team, [shard label]: shard }), written out: a fleet has one per target
  // and key, and building an object with computed keys for each was a tenth of normalize at 10,000 models.
  const shardLabel = (name: string) => (shards > 1 ? `, ${shardLabels[scope]}=${JSON.stringify(shardOf(name, shards))}` : '');
  return layout.split(targets, (t) => t).map(([shard, inShard]) => {
    const expSamples = inShard
      .filter((t): t is typeof t & { value: number } => t.value !== false)
      .map((t) => ({ labels: `${series}{${t.label}=${JSON.stringify(t.name)}, team=${JSON.stringify(t.team)}${shardLabel(t.name)}}`, value: t.value }));
    const which = layout.sharded ? `${inShard.length} of the ${targets.length} ${alert.scope}s (those in ${shard})` : `${targets.length} ${alert.scope}s`;
    return [shard, { name: `${alert.name} compares every one of ${which} with its own configured threshold`, promqlExprTests: [{ expr: series, evalTime: '0s', expSamples }] }];
  });
}

function windowOf(alert: BuiltinAlert): number {
  // A per-shard alert reads its breach series; its shards' rules hold the window.
  if (alert.shards) return durationSeconds(alert.shards.window);
  const match = /\[(\w+)\]/.exec(alert.rule.expr);
  return match ? durationSeconds(match[1]!) : 0;
}

function sortKeys(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The targets of one side of an alert's proof. An alert without a threshold builds its own (the catalog's
 * `proof.targets`). A threshold alert gets one target per distinct threshold and team (every one in a small
 * config): each a margin past (`breach`) or inside its threshold, a target whose threshold is disabled far past
 * it (it must not fire), and for model alerts the unlisted model, which is how the default thresholds are proven.
 */
function targetsOf(alert: BuiltinAlert, model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>, side: 'breach' | 'inside', clock: ProofClock, marginScale: number): TargetSeries[] {
  const { proof, threshold } = alert.definition;
  if (proof.kind === 'custom') return proof.targets(model, side, clock);
  if (!threshold) throw new Error(`${alert.name} has a threshold proof but no threshold`);
  const { key, firesWhen } = threshold;
  // Where a disabled target's signal sits: far past any threshold it could have had.
  const extreme = firesWhen === 'below' ? 0 : threshold.bounds.ceiling ?? 1000;
  const target = (scrape: Record<string, string>, alertLabels: Record<string, string>, t: number | false, thresholdTarget?: ThresholdTarget): TargetSeries => {
    const s: Side = t === false ? 'disabled' : side;
    const value = signalValue(t === false ? 0 : t, firesWhen, s, extreme, marginScale);
    const proofTarget: ProofTarget = { scrape, alert: alertLabels };
    const signal = proof.signal(proofTarget, value, clock);
    return { series: signal.series, alertLabels: signal.alertLabels ?? alertLabels, value: signal.value ?? value, fires: s === 'breach', ...(thresholdTarget ? { target: thresholdTarget } : {}) };
  };
  switch (alert.scope) {
    case 'infrastructure': {
      const t = model.infrastructure.thresholds[key as keyof typeof model.infrastructure.thresholds];
      const percent = signalValue(t, firesWhen, side, 0, marginScale);
      if (percent <= 0 || percent > 100) return [];
      const instance = 'node-1:9100';
      return [target({ instance, job: 'node-exporter' }, { instance }, t)];
    }
    case 'service':
      return sampled(model.services, (service) => [service.thresholds[key as ServiceKey], service.team]).map((service) =>
        target({ instance: `${service.name}-0:8080`, job: service.name, service: service.name }, { service: service.name, team: service.team }, service.thresholds[key as ServiceKey], { kind: 'service', name: service.name }));
    case 'model': {
      const entries = [
        ...model.models.map((m) => ({ name: m.name, team: m.team, service: m.service, t: m.thresholds[key as ModelKey] })),
        { name: unlistedModelName, team: model.defaults.team, service: model.services[0]?.name ?? 'model-api', t: model.defaults.modelThresholds[key as ModelKey] },
      ];
      // The unlisted model is always proven: it is how the default thresholds are.
      const unlisted = entries.at(-1)!;
      return [...sampled(entries.slice(0, -1), (m) => [m.t, m.team]), unlisted].map((m) =>
        // Model alerts are about the model: the pod it was scraped from is not among the alert's labels.
        target({ instance: `${m.service}-0:8080`, job: m.service, service: m.service, model: m.name }, { model: m.name, team: m.team }, m.t, { kind: 'model', name: m.name }));
    }
  }
}

type ModelKey = keyof MonitoringModel['defaults']['modelThresholds'];
type ServiceKey = keyof MonitoringModel['services'][number]['thresholds'];
