/**
 * The rules of the SLOs (src/normalize/slos.ts), laid out so their number depends on the indicators, windows
 * and tiers in use, never on the number of models:
 *
 * - per indicator and window: the rates of bad and of all events by model or service
 *   (`mlmon:slo_errors:rate5m{sli=…}`, `mlmon:slo_events:rate5m{sli=…}`). Windows of a day or more are
 *   averaged from the 5m recordings, as Sloth computes its period window, so a 3-day window doesn't re-read
 *   three days of raw samples every evaluation;
 * - per indicator and window: the burn rate of every SLO on it, `mlmon:slo_burn_rate:rate1h`, the error ratio
 *   over the error budget (1 − objective). Objectives are series (`mlmon:slo_objective:ratio{model, slo}`, and
 *   `mlmon:slo_objective:default_ratio{slo}` for models the config doesn't list), joined like the thresholds;
 * - per tier, pair of windows and `for`: one ErrorBudgetBurn alert for every SLO whose policy has that tier,
 *   firing when both windows burn faster than the tier's factor (`mlmon:slo_burn_factor{slo_policy, slo_tier}`,
 *   which carries the tier's severity), a page tier only once its long window holds `minEvents` events
 *   (`mlmon:slo_min_events{slo_policy}`);
 * - one SLOIndicatorMissing alert: a listed SLO whose indicator has no events at all.
 */
import { errorBudgetBurn, sloIndicatorMissing } from '../catalog/slo/alerts.js';
import type { SloTier } from '../catalog/slo/tiers.js';
import { modelInfoSeries } from '../catalog/series.js';
import { formatNumber } from '../formats/decimal.js';
import { escapeGoTemplate } from '../formats/go-template.js';
import { durationSeconds } from '../formats/prometheus-duration.js';
import type { AlertingRule, MetricDefinition, RecordingRule, ResolvedSlo, SloModel } from './model.js';
import { recordedMetric } from './metric-catalog.js';
import { derivedWindowSeconds } from './slos.js';

export const sloSeries = {
  errors: (window: string) => `mlmon:slo_errors:rate${window}`,
  events: (window: string) => `mlmon:slo_events:rate${window}`,
  burnRate: (window: string) => `mlmon:slo_burn_rate:rate${window}`,
  objective: 'mlmon:slo_objective:ratio',
  defaultObjective: 'mlmon:slo_objective:default_ratio',
  burnFactor: 'mlmon:slo_burn_factor',
  minEvents: 'mlmon:slo_min_events',
} as const;

export const sloAlertNames = { burn: errorBudgetBurn.name, missing: sloIndicatorMissing.name } as const;

/** The labels an SLO's series and alerts carry, besides `model` or `service`. */
export const sloLabels = ['slo', 'sli', 'slo_policy', 'team'] as const;

/** The recording rules of the indicators and burn rates, in evaluation order. */
export function buildSloRecordingRules(model: SloModel): RecordingRule[] {
  const rules: RecordingRule[] = [];
  for (const { sli, windows } of model.indicators) {
    const sel = `{sli=${JSON.stringify(sli.id)}}`;
    for (const window of windows) {
      const derived = durationSeconds(window) >= derivedWindowSeconds;
      for (const [record, raw] of [[sloSeries.errors(window), sli.errors(window)], [sloSeries.events(window), sli.events(window)]] as const) {
        const base = record === sloSeries.errors(window) ? sloSeries.errors('5m') : sloSeries.events('5m');
        rules.push({ kind: 'record', record, expr: derived ? `avg_over_time(${base}${sel}[${window}])` : raw, labels: { sli: sli.id }, source: `slos (${sli.id})` });
      }
    }
    const on = sli.scope;
    const hasDefaults = sli.scope === 'model' && model.slos.some((s) => s.sli === sli.id && s.target === undefined);
    const budget = hasDefaults
      ? [
          `(`,
          `    1 - ${sloSeries.objective}${sel}`,
          `  or on (model)`,
          `    (`,
          `      (0 * group by (model) (${sloSeries.events('5m')}${sel}) unless on (model) ${modelInfoSeries})`,
          `      + on () group_left (slo, sli, slo_policy, team) (1 - ${sloSeries.defaultObjective}${sel})`,
          `    )`,
          `)`,
        ].join('\n')
      : `(1 - ${sloSeries.objective}${sel})`;
    for (const window of windows) {
      rules.push({
        kind: 'record',
        record: sloSeries.burnRate(window),
        expr: `(${sloSeries.errors(window)}${sel} / ${sloSeries.events(window)}${sel})\n  / on (${on}) group_right ()\n${budget.split('\n').map((l) => `  ${l}`).join('\n')}`,
        labels: {},
        source: `slos (${sli.id})`,
      });
    }
  }
  return rules;
}

/** The constant series of the SLOs: objectives per target (and defaults), factors and minimum events per policy. */
export function buildSloConstants(model: SloModel): RecordingRule[] {
  const rules: RecordingRule[] = [];
  // A fleet's thousands of objectives are a handful of values: each one's expression is written once.
  const exprs = new Map<number, string>();
  const exprOf = (value: number): string => {
    let expr = exprs.get(value);
    if (expr === undefined) exprs.set(value, (expr = `vector(${formatNumber(value)})`));
    return expr;
  };
  const constant = (record: string, value: number, labels: Record<string, string>, source: string) => rules.push({ kind: 'record', record, expr: exprOf(value), labels, source });
  for (const policy of model.policies) {
    constant(sloSeries.minEvents, policy.minEvents, { slo_policy: policy.id }, `slos (policy ${policy.id})`);
    for (const tier of policy.tiers) constant(sloSeries.burnFactor, tier.factor, factorLabels(policy.id, tier), `slos (policy ${policy.id}, tier ${tier.name})`);
  }
  for (const slo of model.slos) {
    const labels = { ...(slo.target !== undefined ? { [slo.scope]: slo.target } : {}), slo: slo.name, sli: slo.sli, slo_policy: slo.policy, team: slo.team };
    constant(slo.target === undefined ? sloSeries.defaultObjective : sloSeries.objective, objectiveRatio(slo), labels, slo.source);
  }
  return rules;
}

/** The objective as a ratio, exactly: 99.5 → 0.995 (not 0.9949999999999999). */
export function objectiveRatio(slo: Pick<ResolvedSlo, 'objective'>): number {
  return Number((slo.objective / 100).toPrecision(12));
}

function factorLabels(policy: string, tier: SloTier): Record<string, string> {
  return { slo_policy: policy, slo_tier: tier.name, severity: tier.severity, long_window: tier.longWindow, short_window: tier.shortWindow, for: tier.for };
}


/**
 * One alert per distinct tier, windows, `for` and severity: the SLOs whose policy has it, joined through the
 * factor series. Its static labels say which (`slo_tier`, `burn_windows`, `severity`), so the routing tree and
 * inhibition can match on them, and no two rules of the same name share labels.
 */
export function buildSloAlertRules(model: SloModel, runbookBaseUrl?: string): AlertingRule[] {
  // Prometheus expands annotations as Go templates: the URL is escaped to render as itself.
  const runbook = (name: string) => (runbookBaseUrl ? { runbook_url: escapeGoTemplate(`${runbookBaseUrl.replace(/\/+$/, '')}/${name}`) } : {});
  const tiers = new Map<string, { tier: SloTier }>();
  for (const policy of model.policies) {
    for (const tier of policy.tiers) tiers.set(`${tier.name} ${tier.longWindow} ${tier.shortWindow} ${tier.for} ${tier.severity} ${tier.page}`, { tier });
  }
  const windowsOf = (tier: SloTier) => `${tier.longWindow}/${tier.shortWindow}`;
  const alike = (tier: SloTier) => [...tiers.values()].filter((t) => t.tier.name === tier.name && t.tier.severity === tier.severity && windowsOf(t.tier) === windowsOf(tier)).length;
  const rules: AlertingRule[] = [...tiers.values()].map(({ tier }) => {
    const factor = `${sloSeries.burnFactor}{${Object.entries(factorLabels('', tier)).filter(([k]) => k !== 'slo_policy').map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
    const parts = [
      `(\n    ${sloSeries.burnRate(tier.longWindow)}\n  > on (slo_policy) group_left\n    ${factor}\n)`,
      // group_left keeps the burn rate's labels: a one-to-one match `on (slo_policy)` would keep only slo_policy.
      `(\n    ${sloSeries.burnRate(tier.shortWindow)}\n  > on (slo_policy) group_left\n    ${factor}\n)`,
    ];
    // A page needs traffic: fewer events than the policy's minimum in the long window is a handful of
    // failures, not a budget emergency (the low-traffic complaint about Sloth).
    if (tier.page) parts.push(`(\n    0 * ${sloSeries.burnRate(tier.longWindow)}\n  + on (model, service, sli) group_left\n    ${sloSeries.events(tier.longWindow)} * ${durationSeconds(tier.longWindow)}\n  >= on (slo_policy) group_left\n    ${sloSeries.minEvents}\n)`);
    return {
      kind: 'alert',
      alert: sloAlertNames.burn,
      expr: parts.join('\nand on (model, service, slo)\n'),
      for: tier.for,
      labels: { severity: tier.severity, slo_tier: tier.name, burn_windows: alike(tier) > 1 ? `${windowsOf(tier)} for ${tier.for}` : windowsOf(tier) },
      annotations: {
        summary: `SLO {{ $labels.slo }} of {{ or $labels.model $labels.service }} burns its error budget (${tier.name})`,
        description: `Over the last ${tier.longWindow} (and ${tier.shortWindow}) the SLO {{ $labels.slo }} of {{ or $labels.model $labels.service }} spends its error budget {{ $value | printf "%.1f" }} times as fast as its objective allows, past its ${tier.name} tier.`,
        burn_rate: '{{ $value | printf "%.2f" }}',
        ...runbook(errorBudgetBurn.runbook),
      },
      source: 'slos',
    };
  });
  // A label an alert lacks prints "<no value>": `or` names the model or the service, whichever it is about.
  if (model.slos.some((s) => s.target !== undefined)) {
    rules.push({
      kind: 'alert',
      alert: sloAlertNames.missing,
      expr: missingIndicatorExpr(model),
      for: '10m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'SLO {{ $labels.slo }} of {{ or $labels.model $labels.service }} has no indicator',
        description: 'The indicator {{ $labels.sli }} of SLO {{ $labels.slo }} has no events, or (latency) no bad-event count: its metrics are not scraped, or a latency target is not a bucket of the histogram. Its burn-rate alerts can\'t fire.',
        ...runbook(sloIndicatorMissing.runbook),
      },
      source: 'slos',
    });
  }
  return rules;
}

/**
 * SLOIndicatorMissing's expression: a listed SLO whose indicator has no events; and a listed latency SLO whose
 * indicator has events but no errors series. Latency errors are the histogram's count minus its bucket at the
 * target, so they are missing exactly when that bucket is (the target is no boundary of the buckets the
 * server really has, whatever the config said): the burn rate is then empty and no tier can fire. Availability
 * errors may rightly be missing: a counter child such as `status="error"` appears only with the first error.
 */
function missingIndicatorExpr(model: SloModel): string {
  const noEvents = `${sloSeries.objective}\n  unless on (model, service, sli)\n${sloSeries.events('5m')}`;
  const latency = model.slos.some((s) => s.target !== undefined && s.indicator.kind === 'latency');
  if (!latency) return noEvents;
  // The ids sliOf gives latency indicators (`model-latency-0.5s`); a ratio's id starts `model-ratio-`.
  const latencyObjective = `${sloSeries.objective}{sli=~"(?:model|service)-latency-.+"}`;
  return `(\n  ${noEvents.replaceAll('\n', '\n  ')}\n)\nor\n(\n    ${latencyObjective}\n  and on (model, service, sli)\n    ${sloSeries.events('5m')}\n  unless on (model, service, sli)\n    ${sloSeries.errors('5m')}\n)`;
}

/** The series of the SLO rules, for the metric catalog. */
export function sloMetrics(slos: SloModel): MetricDefinition[] {
  if (slos.slos.length === 0) return [];
  const windows = [...new Set(slos.indicators.flatMap((i) => i.windows))];
  const target = ['model', 'service'];
  return [
    ...windows.flatMap((w) => [
      recordedMetric(sloSeries.errors(w), [...target, 'sli'], `Rate of bad events of an SLO indicator over ${w}`),
      recordedMetric(sloSeries.events(w), [...target, 'sli'], `Rate of events of an SLO indicator over ${w}`),
      recordedMetric(sloSeries.burnRate(w), [...target, ...sloLabels], `Error budget burn rate of an SLO over ${w}`),
    ]),
    recordedMetric(sloSeries.objective, [...target, ...sloLabels], 'Objective of an SLO, as a ratio'),
    recordedMetric(sloSeries.defaultObjective, [...sloLabels], 'Objective of a default model SLO, as a ratio'),
    recordedMetric(sloSeries.burnFactor, ['slo_policy', 'slo_tier', 'severity', 'long_window', 'short_window', 'for'], 'Burn-rate factor of a tier'),
    recordedMetric(sloSeries.minEvents, ['slo_policy'], 'Events a page tier needs in its long window'),
  ];
}
