/**
 * SLO changes, the way a reviewer thinks of them: "SLO availability of model fraud-detector: objective 99.5% →
 * 99.9%", "policy sre-workbook-28d: page-fast factor 13.44 → 14.4; affects 1,000 models (a, b, …)", not forty
 * lines of constant recording rules.
 *
 * Read from the rendered rules (src/normalize/slo-rules.ts), like the thresholds:
 * - an objective is a series per target and SLO, `mlmon:slo_objective:ratio{model|service, slo, sli,
 *   slo_policy, team}`, and per default SLO for the models the config doesn't list,
 *   `mlmon:slo_objective:default_ratio{slo, …}`. Its identity is the target and the SLO; the rest are settings;
 * - a policy (window and tiers) is its factor series, `mlmon:slo_burn_factor{slo_policy, slo_tier, severity,
 *   long_window, short_window, for}`, and `mlmon:slo_min_events{slo_policy}`. A policy's id names its tier set
 *   and window (src/normalize/slos.ts `sloPolicyParts`), so a new window is a renamed policy: the two are
 *   paired, and the targets that moved with it are not listed again one by one.
 *
 * Targets that change the same way are one line (a default SLO's objective moves every model that inherits it),
 * so a fleet of 1,000 models reads as one line naming the first few.
 */
import { sloSeries } from '../../normalize/slo-rules.js';
import { sloPolicyParts } from '../../normalize/slos.js';
import { byText, shortList, type Change, type ChangedField } from './change.js';
import type { RecordingRule, RuleSet } from './rule-reading.js';

/** The constant series of the SLOs, which this module describes instead of the generic recording-rule lines. */
export const sloConstantSeries: readonly string[] = [sloSeries.objective, sloSeries.defaultObjective, sloSeries.burnFactor, sloSeries.minEvents];
export const isSloConstant = (rule: RecordingRule) => sloConstantSeries.includes(rule.record);

/**
 * The labels a recording rule is told apart by. An SLO burn-rate rule (`mlmon:slo_burn_rate:rate1h`, one per
 * indicator and window) has no labels of its own, only the indicator it selects, `{sli="…"}`: that is its
 * identity, so a new indicator's rule reads as added, not as another indicator's rule changed.
 */
export function recordLabels(rule: RecordingRule): Readonly<Record<string, string>> {
  if (rule.labels.sli !== undefined || !rule.record.startsWith('mlmon:slo_')) return rule.labels;
  const sli = /\{sli="([^"\\]*)"\}/.exec(rule.expr)?.[1];
  return sli === undefined ? rule.labels : { ...rule.labels, sli };
}

/** One SLO of one target (or a default SLO) as its objective series says. */
interface SloSeries {
  readonly scope: 'model' | 'service';
  /** Absent for a default SLO. */
  readonly target: string | undefined;
  readonly slo: string;
  readonly sli: string;
  readonly policy: string;
  readonly team: string;
  /** Percent text, `99.5%`, or the expression as written when it isn't a constant. */
  readonly objective: string;
}

interface Tier {
  readonly factor: string;
  readonly severity: string;
  readonly windows: string;
  readonly for: string;
}

interface Policy {
  readonly id: string;
  readonly tiers: Map<string, Tier>;
  minEvents: string | undefined;
}

/**
 * Every SLO change between the sides. `before`/`after` are the SLO constant rules whose text changed (the only
 * ones that can have changed); the rule sets give the full series when a policy change must name the targets
 * it affects.
 */
export function describeSloChanges(before: readonly RecordingRule[], after: readonly RecordingRule[], sets: { readonly before: RuleSet; readonly after: RuleSet }): Change[] {
  const changes: Change[] = [];
  const policies = { before: policiesOf(sets.before), after: policiesOf(sets.after) };
  const renamed = pairRenamedPolicies(policies.before, policies.after);
  const changedPolicies = before.some((r) => r.record === sloSeries.burnFactor || r.record === sloSeries.minEvents) || after.some((r) => r.record === sloSeries.burnFactor || r.record === sloSeries.minEvents);
  if (changedPolicies) changes.push(...describePolicyChanges(policies.before, policies.after, renamed, sets.after));
  changes.push(...describeObjectiveChanges(before, after, renamed));
  return changes;
}

// ---- objectives ----

function sloOf(rule: RecordingRule): SloSeries {
  const scope = rule.labels.service !== undefined ? 'service' : 'model';
  return {
    scope,
    target: rule.record === sloSeries.defaultObjective ? undefined : rule.labels[scope],
    slo: rule.labels.slo ?? '?',
    sli: rule.labels.sli ?? '?',
    policy: rule.labels.slo_policy ?? '?',
    team: rule.labels.team ?? 'none',
    objective: percentOf(rule.expr),
  };
}

const objectiveKey = (s: SloSeries) => `${s.scope}\u0000${s.target ?? '\u0000default'}\u0000${s.slo}`;

function describeObjectiveChanges(beforeRules: readonly RecordingRule[], afterRules: readonly RecordingRule[], renamed: ReadonlyMap<string, string>): Change[] {
  const isObjective = (r: RecordingRule) => r.record === sloSeries.objective || r.record === sloSeries.defaultObjective;
  const before = new Map(beforeRules.filter(isObjective).map((r) => [objectiveKey(sloOf(r)), sloOf(r)]));
  const after = new Map(afterRules.filter(isObjective).map((r) => [objectiveKey(sloOf(r)), sloOf(r)]));

  // Per SLO and what happened to it, the targets it happened to: one line per group.
  interface Group { change: Change['change']; scope: 'model' | 'service'; slo: string; text: string; fields: ChangedField[]; targets: string[]; isDefault: boolean }
  const groups = new Map<string, Group>();
  const add = (s: SloSeries, change: Change['change'], text: string, fields: ChangedField[]) => {
    // The default is grouped with the listed models that changed the same way: they inherit it.
    const key = `${change}\u0000${s.scope}\u0000${s.slo}\u0000${text}`;
    const group = groups.get(key) ?? { change, scope: s.scope, slo: s.slo, text, fields, targets: [], isDefault: false };
    if (s.target === undefined) group.isDefault = true;
    else group.targets.push(s.target);
    groups.set(key, group);
  };

  for (const key of [...new Set([...before.keys(), ...after.keys()])]) {
    const a = before.get(key);
    const b = after.get(key);
    if (!a) add(b!, 'added', `objective ${b!.objective}, ${describePolicy(b!.policy)}`, [{ field: 'objective', after: b!.objective }, { field: 'slo_policy', after: b!.policy }]);
    else if (!b) add(a, 'removed', `was ${a.objective}`, [{ field: 'objective', before: a.objective }]);
    else {
      const parts: string[] = [];
      const fields: ChangedField[] = [];
      if (a.objective !== b.objective) {
        parts.push(`objective ${a.objective} → ${b.objective}`);
        fields.push({ field: 'objective', before: a.objective, after: b.objective });
      }
      // A policy renamed with its window is described once, by the policy line, with the targets it affects.
      if (a.policy !== b.policy && renamed.get(a.policy) !== b.policy) {
        parts.push(describePolicyMove(a.policy, b.policy));
        fields.push({ field: 'slo_policy', before: a.policy, after: b.policy });
      }
      if (a.sli !== b.sli) {
        parts.push(`indicator ${a.sli} → ${b.sli}`);
        fields.push({ field: 'sli', before: a.sli, after: b.sli });
      }
      if (a.team !== b.team) {
        parts.push(`team ${a.team} → ${b.team}`);
        fields.push({ field: 'team', before: a.team, after: b.team });
      }
      if (parts.length) add(b, 'changed', parts.join(', '), fields);
    }
  }

  for (const g of groups.values()) g.targets.sort(byText);
  // By SLO, models before services, a default before listed targets: the order of the config.
  const order = (g: Group) => [g.slo, g.scope, g.isDefault ? '0' : '1', g.targets[0] ?? '', g.change, g.text];
  const sorted = [...groups.values()].sort((a, b) => {
    const x = order(a);
    const y = order(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return byText(x[i]!, y[i]!);
    return 0;
  });
  return sorted.map((g): Change => {
    const targets = g.targets;
    const who = whoText(g.scope, targets, g.isDefault);
    const subject = g.isDefault || targets.length !== 1 ? `slo ${g.slo} of ${g.scope}s (${g.change}: ${g.text})` : `slo ${g.slo} of ${g.scope} ${targets[0]}`;
    const text =
      g.change === 'added' ? `SLO ${g.slo} added to ${who}: ${g.text}` : g.change === 'removed' ? `SLO ${g.slo} removed from ${who} (${g.text})` : `SLO ${g.slo} of ${who}: ${g.text}`;
    const targetField: ChangedField[] = g.isDefault || targets.length > 1 ? [{ field: `${g.scope}s`, after: targets }] : [];
    return { change: g.change, subject, text, fields: [...g.fields, ...targetField] };
  });
}

/** `model fraud-detector`, `3 models (a, b, c)`, or the default with the listed models that changed alike. */
function whoText(scope: 'model' | 'service', targets: readonly string[], isDefault: boolean): string {
  const listed = targets.length === 1 ? `${scope} ${targets[0]}` : `${count(targets.length)} ${scope}s (${shortList(targets)})`;
  if (!isDefault) return listed;
  // Listed models that changed the same way: those that inherit the default, and any whose own setting moved alike.
  const inheriting = targets.length === 0 ? '' : targets.length === 1 ? ` and listed model ${targets[0]}` : ` and ${count(targets.length)} listed models (${shortList(targets)})`;
  return `every model the config doesn't list (default)${inheriting}`;
}

// ---- policies ----

/** Every policy of one side, from its factor and minimum-events series (a few rules per policy). */
function policiesOf(set: RuleSet): Map<string, Policy> {
  const policies = new Map<string, Policy>();
  const policy = (id: string) => {
    let p = policies.get(id);
    if (!p) policies.set(id, (p = { id, tiers: new Map(), minEvents: undefined }));
    return p;
  };
  for (const rule of set.series(sloSeries.burnFactor)) {
    const l = rule.labels;
    policy(l.slo_policy ?? '?').tiers.set(l.slo_tier ?? '?', { factor: constantOf(rule.expr), severity: l.severity ?? 'none', windows: `${l.long_window ?? '?'}/${l.short_window ?? '?'}`, for: l.for ?? '0s' });
  }
  for (const rule of set.series(sloSeries.minEvents)) policy(rule.labels.slo_policy ?? '?').minEvents = constantOf(rule.expr);
  return policies;
}

/**
 * Policies only one side has, paired when they are the same tier set (and suffix) with another window: the
 * policy of a changed window. Before id → after id.
 */
function pairRenamedPolicies(before: ReadonlyMap<string, Policy>, after: ReadonlyMap<string, Policy>): Map<string, string> {
  const familyOf = (id: string) => {
    const parts = sloPolicyParts(id);
    return parts ? `${parts.tierSet}\u0000${parts.suffix ?? ''}` : undefined;
  };
  const byFamily = (ids: readonly string[]) => {
    const map = new Map<string, string[]>();
    for (const id of ids) {
      const family = familyOf(id);
      if (family !== undefined) map.set(family, [...(map.get(family) ?? []), id]);
    }
    return map;
  };
  const gone = byFamily([...before.keys()].filter((id) => !after.has(id)));
  const come = byFamily([...after.keys()].filter((id) => !before.has(id)));
  const pairs = new Map<string, string>();
  for (const [family, ids] of gone) {
    const candidates = come.get(family);
    if (ids.length === 1 && candidates?.length === 1) pairs.set(ids[0]!, candidates[0]!);
  }
  return pairs;
}

function describePolicyChanges(before: ReadonlyMap<string, Policy>, after: ReadonlyMap<string, Policy>, renamed: ReadonlyMap<string, string>, afterSet: RuleSet): Change[] {
  const changes: Change[] = [];
  const renamedTo = new Set(renamed.values());
  let users: Map<string, { scope: string; target: string | undefined }[]> | undefined;
  const affected = (id: string) => {
    users ??= policyUsers(afterSet);
    return describeUsers(users.get(id) ?? []);
  };
  for (const id of [...new Set([...before.keys(), ...after.keys()])].sort(byText)) {
    const a = before.get(id);
    const b = after.get(id);
    if (a && !b && renamed.has(id)) {
      const to = renamed.get(id)!;
      const parts = [windowChange(id, to), ...tierChanges(a, after.get(to)!)];
      changes.push({ change: 'changed', subject: `slo policy ${id}`, text: `policy ${id} → ${to}: ${parts.join('; ')}; ${affected(to)}`, fields: [{ field: 'slo_policy', before: id, after: to }] });
    } else if (a && !b) {
      changes.push({ change: 'removed', subject: `slo policy ${id}`, text: `policy ${id} removed (no SLO uses it any more)` });
    } else if (!a && b && !renamedTo.has(id)) {
      changes.push({ change: 'added', subject: `slo policy ${id}`, text: `policy ${id} added: ${tierList(b)}; ${affected(id)}` });
    } else if (a && b) {
      const parts = tierChanges(a, b);
      if (parts.length) changes.push({ change: 'changed', subject: `slo policy ${id}`, text: `policy ${id}: ${parts.join('; ')}; ${affected(id)}` });
    }
  }
  return changes;
}

/** The tier changes of one policy: factors, tiers added or removed, their settings, the minimum events. */
function tierChanges(a: Policy, b: Policy): string[] {
  const parts: string[] = [];
  for (const name of [...new Set([...a.tiers.keys(), ...b.tiers.keys()])].sort(byTierOrder)) {
    const from = a.tiers.get(name);
    const to = b.tiers.get(name);
    if (!from) parts.push(`tier ${name} added (${tierText(to!)})`);
    else if (!to) parts.push(`tier ${name} removed`);
    else {
      const settings: string[] = [];
      if (from.factor !== to.factor) settings.push(`factor ${from.factor} → ${to.factor}`);
      if (from.windows !== to.windows) settings.push(`windows ${from.windows} → ${to.windows}`);
      if (from.for !== to.for) settings.push(`for ${from.for} → ${to.for}`);
      if (from.severity !== to.severity) settings.push(`severity ${from.severity} → ${to.severity}`);
      if (settings.length) parts.push(`${name} ${settings.join(', ')}`);
    }
  }
  if (a.minEvents !== b.minEvents) parts.push(`min events ${a.minEvents ?? 'none'} → ${b.minEvents ?? 'none'}`);
  return parts;
}

const tierOrder = ['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'];
function byTierOrder(a: string, b: string): number {
  const rank = (t: string) => (tierOrder.includes(t) ? tierOrder.indexOf(t) : tierOrder.length);
  return rank(a) - rank(b) || byText(a, b);
}

const tierText = (t: Tier) => `factor ${t.factor} over ${t.windows}, for ${t.for}, ${t.severity}`;
const tierList = (p: Policy) => `${[...p.tiers.keys()].sort(byTierOrder).map((name) => `${name} ${p.tiers.get(name)!.factor}`).join(', ') || 'no tiers'}, min events ${p.minEvents ?? 'none'}`;

/** Targets per policy on one side, from every objective series (only read when a policy changed). */
function policyUsers(set: RuleSet): Map<string, { scope: string; target: string | undefined }[]> {
  const users = new Map<string, { scope: string; target: string | undefined }[]>();
  for (const rule of [...set.series(sloSeries.objective), ...set.series(sloSeries.defaultObjective)]) {
    const s = sloOf(rule);
    const list = users.get(s.policy) ?? [];
    // A target with two SLOs on the policy is one target it affects.
    if (!list.some((u) => u.scope === s.scope && u.target === s.target)) list.push({ scope: s.scope, target: s.target });
    users.set(s.policy, list);
  }
  return users;
}

/** `affects 1,000 models (a, b, c, d, e and 995 more), every model the config doesn't list and service model-api`. */
function describeUsers(users: readonly { scope: string; target: string | undefined }[]): string {
  const parts: string[] = [];
  for (const scope of ['model', 'service']) {
    const targets = users.filter((u) => u.scope === scope && u.target !== undefined).map((u) => u.target!).sort(byText);
    if (targets.length === 1) parts.push(`${scope} ${targets[0]}`);
    else if (targets.length > 1) parts.push(`${count(targets.length)} ${scope}s (${shortList(targets)})`);
    if (scope === 'model' && users.some((u) => u.target === undefined)) parts.push("every model the config doesn't list");
  }
  return parts.length ? `affects ${parts.join(', ')}` : 'affects no SLO';
}

/** `window 28d → 30d`, read from the policy ids. */
function windowChange(from: string, to: string): string {
  return `window ${sloPolicyParts(from)?.window ?? '?'} → ${sloPolicyParts(to)?.window ?? '?'}`;
}

/** A target moved from one policy to another: its window, or its tiers, changed. */
function describePolicyMove(from: string, to: string): string {
  const a = sloPolicyParts(from);
  const b = sloPolicyParts(to);
  if (a && b && a.window !== b.window && a.tierSet === b.tierSet) return `window ${a.window} → ${b.window} (policy ${from} → ${to})`;
  return `tiers: policy ${from} → ${to}`;
}

/** `window 28d, policy sre-workbook-28d`. */
function describePolicy(id: string): string {
  const parts = sloPolicyParts(id);
  return parts ? `window ${parts.window} (policy ${id})` : `policy ${id}`;
}

// ---- numbers ----

/** `vector(0.995)` → `99.5%`, exactly (not 99.49999999999999%). */
function percentOf(expr: string): string {
  const value = Number(constantOf(expr));
  return Number.isFinite(value) ? `${Number((value * 100).toPrecision(12))}%` : expr;
}

/** `vector(13.44)` → `13.44`; any other expression as written. */
function constantOf(expr: string): string {
  return /^\s*vector\(\s*([^()]+?)\s*\)\s*$/.exec(expr)?.[1] ?? expr;
}

/** `1,000`: a count people read at a glance (not locale-dependent, so the output is the same everywhere). */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
