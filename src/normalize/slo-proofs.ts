/**
 * Proofs of the SLO alerts, as promtool rule unit tests (src/normalize/rule-proofs.ts writes them beside the
 * threshold proofs). For every tier policy and indicator in use, one SLO stands for all that share them (the
 * rules are shared, so are the proofs): a listed one, and the default SLO of models the config doesn't list.
 *
 * Errors burn the budget at a constant rate from the start, so every window sees the same burn rate:
 * - for each tier, "fires": a burn 0.1% past the tier's factor fires the tier, and every tier with a smaller
 *   factor, each after its `for`, with the SLO's labels, its severity and tier, and the burn rate in the text;
 * - "silent just below": 0.1% under the factor fires only the tiers with a smaller factor;
 * - the low-traffic guard: a burn past every factor on fewer events than `minEvents` in a long window pages no
 *   one (the ticket tiers, which have no guard, still fire);
 * - SLOIndicatorMissing: a listed SLO whose indicator has no events at all, and a listed latency SLO whose
 *   histogram has events but no bucket at its target.
 *
 * A custom ratio indicator reads the user's own metrics, which a proof can't invent: its rules are the same as
 * every other indicator's, proven through those.
 */
import type { SloTier } from '../catalog/slo/tiers.js';
import { counter, selector, unlistedModelName, type InputSeries, type ThresholdTarget } from '../catalog/proof-series.js';
import { leMatcher } from '../catalog/slo/indicators.js';
import { formatNumber } from '../formats/decimal.js';
import { expandAnnotation } from '../formats/go-format.js';
import { durationSeconds, secondsDuration } from '../formats/prometheus-duration.js';
import type { AlertingRule, MonitoringModel, ResolvedSlo, SloPolicy } from './model.js';
import type { RuleTest } from './rule-proofs.js';
import { objectiveRatio, sloAlertNames } from './slo-rules.js';

/** How far past or short of a tier's factor the proofs burn (a relative margin). */
const burnMargin = 1e-3;

/**
 * The evaluation interval of the SLO proofs, in seconds: the rule group interval, but no shorter than 5m. A
 * proof must run past the longest tier's `for` (3h for ticket-slow), and promtool spends about a third of a
 * millisecond per rule and round: at 30s that was 13 s of CPU per test. What the proofs show (a tier fires
 * past its factor, not below, and not without traffic) doesn't depend on how often the rules run.
 */
export function sloProofIntervalSeconds(ruleGroupSeconds: number): number {
  return Math.max(ruleGroupSeconds, 300);
}

/** The event rate of a proof, per second: enough that no page tier's guard holds it back. */
const busyRate = 100;

/** One SLO a proof stands on: the SLO, the model or service it is proven for, and the service that serves it. */
interface Sample {
  readonly slo: ResolvedSlo;
  readonly subject: string;
  readonly service: string;
  readonly target: ThresholdTarget;
}

/**
 * The SLO proofs of `model`, by the threshold file they load (`shardOf` of the target whose series they need;
 * every SLO of one file and policy is proven in the same tests, so the tests don't multiply with indicators).
 */
export function buildSloProofs(model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>, step: number, group: number, shardOf: (target: ThresholdTarget) => string | undefined): [string | undefined, RuleTest][] {
  // Without SLOs there is nothing to prove, and no need to look through a fleet's rules for the burn alerts.
  if (model.slos.slos.length === 0) return [];
  const burnRules = model.ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules)).filter((r): r is AlertingRule => r.kind === 'alert' && r.alert === sloAlertNames.burn);
  const samples = new Map<string, Sample[]>();
  const seen = new Set<string>();
  // By name, not by searching the fleet for each SLO: a fleet lists thousands of models.
  const serviceOfModel = new Map(model.models.map((m) => [m.name, m.service]));
  for (const slo of model.slos.slos) {
    // One listed and one default SLO per policy and indicator; a custom ratio can't be simulated.
    const key = `${slo.policy} ${slo.sli} ${slo.target === undefined}`;
    if (slo.indicator.kind === 'ratio' || seen.has(key)) continue;
    seen.add(key);
    const subject = slo.target ?? unlistedModelName;
    // The default SLO's proof loads the threshold file of the defaults, where an unlisted model's series are found.
    const target: ThresholdTarget = { kind: slo.scope, name: subject };
    const service = slo.scope === 'service' ? subject : (serviceOfModel.get(subject) ?? model.services[0]?.name ?? 'model-api');
    const bucket = `${slo.policy}\n${shardOf(target) ?? ''}`;
    samples.set(bucket, [...(samples.get(bucket) ?? []), { slo, subject, service, target }]);
  }
  const proofs: [string | undefined, RuleTest][] = [];
  for (const inFile of samples.values()) {
    const shard = shardOf(inFile[0]!.target);
    const policy = model.slos.policies.find((p) => p.id === inFile[0]!.slo.policy)!;
    const forSeconds = Math.max(...policy.tiers.map((t) => durationSeconds(t.for)), 0);
    // Late enough that every tier's `for` has passed since the windows first held data, a multiple of the group interval.
    const after = Math.ceil((forSeconds + 5 * 60 + 3 * Math.max(step, group)) / group) * group;
    const clock = { steps: Math.ceil(after / step) + 2, step };
    const about = `${policy.id} SLOs (${[...new Set(inFile.map((s) => s.slo.sli))].join(', ')})`;
    const scenario = (name: string, burnOf: (sample: Sample) => number, rate: number, guarded: (tier: SloTier) => boolean): RuleTest => {
      const expAlerts = inFile.flatMap((sample) => {
        const burn = burnOf(sample);
        return burn * (1 - objectiveRatio(sample.slo)) > 1 ? [] : policy.tiers.filter((t) => burn > t.factor && !guarded(t)).map((tier) => expectedAlert(sample, tier, burnRules, burn));
      });
      return {
        name: `${sloAlertNames.burn} of the ${about} ${name}`,
        interval: secondsDuration(step),
        inputSeries: inFile.flatMap((sample) => {
          const ratio = burnOf(sample) * (1 - objectiveRatio(sample.slo));
          return ratio > 1 ? [] : indicatorSeries(sample, rate, ratio, clock);
        }),
        alertRuleTests: [{ evalTime: secondsDuration(after), alertname: sloAlertNames.burn, expAlerts: sortAlerts(expAlerts) }],
      };
    };
    for (const tier of policy.tiers) {
      proofs.push([shard, scenario(`fires at the ${tier.name} tier's burn rate (${formatNumber(tier.factor)}×), with every tier of a smaller factor`, (s) => clearBurn(tier.factor * (1 + burnMargin), s, policy, burnRules), busyRate, () => false)]);
      proofs.push([shard, scenario(`stay silent just below the ${tier.name} tier's burn rate`, (s) => clearBurn(tier.factor * (1 - burnMargin), s, policy, burnRules), busyRate, () => false)]);
    }
    const pages = policy.tiers.filter((t) => t.page);
    if (pages.length > 0 && policy.minEvents > 0) {
      // Fewer events in the shortest page window than the policy's minimum: half of it.
      const quiet = policy.minEvents / 2 / Math.min(...pages.map((t) => durationSeconds(t.longWindow)));
      const top = Math.max(...policy.tiers.map((t) => t.factor)) * 2;
      proofs.push([shard, scenario(`page no one while a page window holds fewer than ${policy.minEvents} events`, (s) => clearBurn(Math.min(top, 1 / (1 - objectiveRatio(s.slo))), s, policy, burnRules), quiet, (t) => t.page && quiet * durationSeconds(t.longWindow) < policy.minEvents)]);
    }
    const listed = inFile.filter((s) => s.slo.target !== undefined);
    if (listed.length > 0) {
      // Every other listed SLO in the file keeps an event of its indicator, so only these go missing.
      const proven = new Set(listed.map((s) => s.slo));
      const present = new Map<string, InputSeries>();
      for (const slo of model.slos.slos) {
        if (slo.target === undefined || proven.has(slo) || slo.indicator.kind === 'ratio' || shardOf({ kind: slo.scope, name: slo.target }) !== shard) continue;
        const sample = { slo, subject: slo.target, service: slo.scope === 'service' ? slo.target : (serviceOfModel.get(slo.target) ?? 'model-api'), target: { kind: slo.scope, name: slo.target } };
        for (const series of indicatorSeries(sample, 1, 0, clock)) present.set(series.series, series);
      }
      const at = Math.ceil((10 * 60 + 2 * group) / group) * group;
      proofs.push([shard, {
        name: `${sloAlertNames.missing} fires for the listed ${about} when their indicators have no events, and not for the others`,
        interval: secondsDuration(step),
        inputSeries: [...present.values()],
        alertRuleTests: [{
          evalTime: secondsDuration(at),
          alertname: sloAlertNames.missing,
          expAlerts: sortAlerts(listed.map((s) => ({ expLabels: sortKeys({ ...alertLabels(s), alertname: sloAlertNames.missing, severity: 'critical' }), expAnnotations: missingAnnotations(model, s) }))),
        }],
      }]);
      // A latency SLO whose histogram has events but no bucket at its target (the server's buckets are not what
      // the config said): its errors, count minus that bucket, are missing, and so is every burn rate.
      const latency = listed.filter((s) => s.slo.indicator.kind === 'latency');
      if (latency.length > 0) {
        const whole = [...present.values(), ...listed.filter((s) => !latency.includes(s)).flatMap((s) => indicatorSeries(s, 1, 0, clock))];
        proofs.push([shard, {
          name: `${sloAlertNames.missing} fires for the listed latency ${about} when their histograms have events but no bucket at the target`,
          interval: secondsDuration(step),
          inputSeries: [...whole, ...latency.flatMap((s) => indicatorSeries(s, 1, 0, clock, { bucketAtTarget: false }))],
          alertRuleTests: [{
            evalTime: secondsDuration(at),
            alertname: sloAlertNames.missing,
            expAlerts: sortAlerts(latency.map((s) => ({ expLabels: sortKeys({ ...alertLabels(s), alertname: sloAlertNames.missing, severity: 'critical' }), expAnnotations: missingAnnotations(model, s) }))),
          }],
        }]);
      }
    }
  }
  return proofs;
}

function sortAlerts<T extends { expLabels: Record<string, string> }>(alerts: T[]): T[] {
  const key = (a: T) => JSON.stringify(a.expLabels);
  return [...alerts].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The input series that give `subject` `rate` events per second, `errorRatio` of them bad. For a latency
 * indicator, `bucketAtTarget: false` gives the histogram its bucket just above the target instead of at it.
 */
function indicatorSeries({ slo, subject, service }: Sample, rate: number, errorRatio: number, { steps, step }: { steps: number; step: number }, { bucketAtTarget = true } = {}): InputSeries[] {
  const perStep = rate * step;
  const scrape = { instance: `${service}-0:8080`, job: service, service, ...(slo.scope === 'model' ? { model: subject } : {}) };
  if (slo.indicator.kind === 'latency') {
    const metric = slo.scope === 'model' ? 'model_inference_duration_seconds' : 'http_request_duration_seconds';
    const le = bucketAtTarget ? /le=~?"([^"|]+)/.exec(leMatcher(slo.indicator.thresholdSeconds))![1]! : formatNumber(slo.indicator.thresholdSeconds * 1.5);
    const labels = slo.scope === 'service' ? { endpoint: '/predict', method: 'POST', ...scrape } : scrape;
    return [
      { series: selector(`${metric}_bucket`, { ...labels, le }), values: counter(perStep * (1 - errorRatio), steps) },
      { series: selector(`${metric}_bucket`, { ...labels, le: '+Inf' }), values: counter(perStep, steps) },
      { series: selector(`${metric}_count`, labels), values: counter(perStep, steps) },
    ];
  }
  if (slo.scope === 'model') {
    return [
      { series: selector('predictions_total', { ...scrape, status: 'error' }), values: counter(perStep * errorRatio, steps) },
      { series: selector('predictions_total', { ...scrape, status: 'success' }), values: counter(perStep * (1 - errorRatio), steps) },
    ];
  }
  return [
    { series: selector('http_requests_total', { endpoint: '/predict', method: 'POST', status: '500', ...scrape }), values: counter(perStep * errorRatio, steps) },
    { series: selector('http_requests_total', { endpoint: '/predict', method: 'POST', status: '200', ...scrape }), values: counter(perStep * (1 - errorRatio), steps) },
  ];
}

function ruleOf(tier: SloTier, rules: readonly AlertingRule[]): AlertingRule {
  const rule = rules.find((r) => r.labels.slo_tier === tier.name && r.labels.severity === tier.severity && r.for === tier.for && r.labels.burn_windows?.startsWith(`${tier.longWindow}/${tier.shortWindow}`));
  if (!rule) throw new Error(`no ${sloAlertNames.burn} rule for tier ${tier.name} (${tier.longWindow}/${tier.shortWindow})`);
  return rule;
}

function alertLabels({ slo, subject }: Sample): Record<string, string> {
  return { [slo.scope]: subject, slo: slo.name, sli: slo.sli, slo_policy: slo.policy, team: slo.team };
}

function expectedAlert(sample: Sample, tier: SloTier, rules: readonly AlertingRule[], burn: number) {
  const rule = ruleOf(tier, rules);
  const labels = alertLabels(sample);
  return {
    expLabels: sortKeys({ ...labels, ...rule.labels, alertname: sloAlertNames.burn }),
    expAnnotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expandAnnotation(v, labels, burn)])),
  };
}

/**
 * `burn`, nudged (by up to 0.03%) until the expected text of every tier it fires reads the same a hair either
 * side: `printf "%.2f"` of a burn at a rounding tie would come out either way from rate()'s float noise.
 */
function clearBurn(burn: number, sample: Sample, policy: SloPolicy, rules: readonly AlertingRule[]): number {
  for (const nudge of [1, 1.0001, 1.0002, 1.0003]) {
    const b = burn * nudge;
    const text = (v: number) => JSON.stringify(policy.tiers.filter((t) => b > t.factor).map((t) => expectedAlert(sample, t, rules, v).expAnnotations));
    if (text(b * (1 + 1e-9)) === text(b * (1 - 1e-9))) return b;
  }
  return burn;
}

function missingAnnotations(model: Omit<MonitoringModel, 'ruleTests' | 'routingTests'>, sample: Sample): Record<string, string> {
  const { slo } = sample;
  const rule = model.ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules)).find((r): r is AlertingRule => r.kind === 'alert' && r.alert === sloAlertNames.missing)!;
  return Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expandAnnotation(v, alertLabels(sample), 1)]));
}

function sortKeys(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
