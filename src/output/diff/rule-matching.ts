/**
 * Matching rules across the two sides of `mlmon diff`: which alert or threshold series on one side is which on
 * the other, and which alert owns a threshold series (the alert whose expression uses it, or its default,
 * `defaultSeriesOf`). So the mapping follows the rules as rendered, custom alerts included, and a series no
 * alert uses says so.
 */
import { alertCatalog, defaultSeriesOf, thresholdSeriesName } from '../../catalog/index.js';
import { modelInfoSeries, serviceInfoSeries } from '../../catalog/series.js';
import { byText, formatLabels } from './change.js';
import type { AlertRule, RecordingRule, Rule } from './rule-reading.js';
import { recordLabels } from './slo-changes.js';

/** The threshold series mlmon generates, and their defaults for models the config doesn't list. */
export const knownThresholdSeries: readonly string[] = alertCatalog.flatMap((alert) => {
  if (!alert.threshold || alert.scope === 'infrastructure') return [];
  const series = thresholdSeriesName(alert.scope, alert.threshold.key);
  return alert.scope === 'model' ? [series, defaultSeriesOf(series)] : [series];
});
export const isDefaultSeries = (record: string) => knownThresholdSeries.includes(record) && record.endsWith(':default_threshold');

/** Which threshold series an alert's expression compares against. */
export function seriesUsedBy(expr: string): string[] {
  return knownThresholdSeries.filter((series) => usesName(expr, series));
}

/**
 * Which threshold series an alert compares against: those of its expression and, for a per-shard alert that
 * reads its recorded breaches (`mlmon:<alert>:breach`, src/normalize/alert-shards.ts), those of the rules that
 * record them (every shard's rule has the same form: the first is read). `recorded` gives a series' rules.
 */
export function seriesUsedByAlert(expr: string, recorded: (record: string) => readonly { readonly expr: string }[]): string[] {
  const used = new Set(seriesUsedBy(expr));
  for (const [record] of expr.matchAll(/\bmlmon:[a-z0-9_]+:breach\b/g)) {
    const rule = recorded(record)[0];
    if (rule) for (const series of seriesUsedBy(rule.expr)) used.add(series);
  }
  return knownThresholdSeries.filter((series) => used.has(series));
}

/** Labels mlmon derives from a target's name (its alert shard): not part of what a series is about. */
export const isShardLabel = (label: string): boolean => label === 'model_shard' || label === 'service_shard';

function usesName(expr: string, name: string): boolean {
  let at = expr.indexOf(name);
  while (at !== -1) {
    const before = expr[at - 1];
    const after = expr[at + name.length];
    if (!(before && /[\w:]/.test(before)) && !(after && /[\w:]/.test(after))) return true;
    at = expr.indexOf(name, at + 1);
  }
  return false;
}

export interface RulePair<T> {
  readonly before: T | undefined;
  readonly after: T | undefined;
}

/**
 * Matches rules across the sides by identity; what is left is matched by name when the name is unique on
 * both sides (a label change), and the rest is added or removed. Indexed by key, so a fleet's worth of
 * rules is matched in one pass.
 */
export function pairRules<T>(before: readonly T[], after: readonly T[], identity: (rule: T) => string, name: (rule: T) => string): RulePair<T>[] {
  const keys = new Map<T, { identity: string; name: string }>();
  const keyOf = (rule: T) => {
    let key = keys.get(rule);
    if (!key) keys.set(rule, (key = { identity: identity(rule), name: name(rule) }));
    return key;
  };
  const group = (rules: readonly T[], by: 'identity' | 'name') => {
    const map = new Map<string, T[]>();
    for (const rule of rules) {
      const key = keyOf(rule)[by];
      const list = map.get(key);
      if (list) list.push(rule);
      else map.set(key, [rule]);
    }
    return map;
  };

  const pairs: RulePair<T>[] = [];
  const afterByIdentity = group(after, 'identity');
  const unmatchedBefore: T[] = [];
  for (const rule of before) {
    const match = afterByIdentity.get(keyOf(rule).identity)?.shift();
    if (match === undefined) unmatchedBefore.push(rule);
    else pairs.push({ before: rule, after: match });
  }
  const unmatchedAfter = [...afterByIdentity.values()].flat();
  const afterByName = group(unmatchedAfter, 'name');
  const paired = new Set<T>();
  for (const [ruleName, rules] of group(unmatchedBefore, 'name')) {
    const candidates = afterByName.get(ruleName);
    if (rules.length === 1 && candidates?.length === 1) {
      pairs.push({ before: rules[0], after: candidates[0] });
      paired.add(rules[0]!).add(candidates[0]!);
    }
  }
  for (const rule of unmatchedBefore) if (!paired.has(rule)) pairs.push({ before: rule, after: undefined });
  for (const rule of unmatchedAfter) if (!paired.has(rule)) pairs.push({ before: undefined, after: rule });
  const sortKey = (pair: RulePair<T>) => keyOf((pair.after ?? pair.before)!);
  return pairs.sort((a, b) => byText(sortKey(a).name, sortKey(b).name) || byText(sortKey(a).identity, sortKey(b).identity));
}

export const isAlert = (rule: Rule): rule is AlertRule => rule.kind === 'alert';
export const isRecordingRule = (rule: Rule): rule is RecordingRule => rule.kind === 'record';

/** An alert is its name and labels; severity is a setting of the alert, shown as a change, not a new alert. */
export function alertIdentity(rule: AlertRule): string {
  const { severity: _severity, ...labels } = rule.labels;
  return `${rule.alert}${formatLabels(labels)}`;
}

/**
 * How an alert is named to people: by its name, with its labels only where two alerts share the name
 * (a custom alert per team, say). Built-in alerts are one rule each, so they read `HighLatency`.
 */
export function alertNamer(...sides: readonly (readonly AlertRule[])[]): (rule: AlertRule) => string {
  const shared = new Set<string>();
  for (const alerts of sides) {
    const seen = new Set<string>();
    for (const alert of alerts) {
      if (seen.has(alert.alert)) shared.add(alert.alert);
      seen.add(alert.alert);
    }
  }
  return (rule) => (shared.has(rule.alert) ? alertIdentity(rule) : rule.alert);
}

/** A threshold series is its name and target (model or service); its team is a setting of the target. */
export function recordIdentity(rule: RecordingRule): string {
  const { team: _team, ...labels } = rule.labels;
  const rest = Object.fromEntries(Object.entries(labels).filter(([label]) => !isShardLabel(label)));
  if (rule.record === modelInfoSeries) return `${rule.record}{model=${JSON.stringify(rule.labels.model ?? '')}}`;
  if (rule.record === serviceInfoSeries) return `${rule.record}{service=${JSON.stringify(rule.labels.service ?? '')}}`;
  return knownThresholdSeries.includes(rule.record) ? `${rule.record}${formatLabels(rest)}` : `${rule.record}${formatLabels(recordLabels(rule))}`;
}

/** Threshold series → the alerts that compare against them. */
export function seriesOwners(alerts: readonly AlertRule[], recorded: (record: string) => readonly { readonly expr: string }[]): Map<string, string[]> {
  const owners = new Map<string, Set<string>>();
  for (const alert of alerts) {
    for (const series of seriesUsedByAlert(alert.expr, recorded)) {
      const set = owners.get(series) ?? new Set<string>();
      set.add(alert.alert);
      owners.set(series, set);
    }
  }
  return new Map([...owners].map(([series, names]) => [series, [...names].sort(byText)]));
}
