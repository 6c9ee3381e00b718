/**
 * Inhibit rules that can mute alerts about other things (check `inhibit/mutes-other-things`).
 *
 * An inhibit rule is right when a source mutes only alerts about the same thing it is about: the same node or
 * scrape target, the same service, the same model. What an alert is about is its identity labels (built-ins:
 * its catalog entry's `identity` and `labelSets`; a custom alert: the labels of its top-level `by (…)`). For each pair
 * (source alert, target alert) among the known alerts that the rule's matchers can select, and that `equal`
 * can pair at all, every identity label of either side must be in `equal`; one that is not lets an alert about
 * one thing (one replica, one model) mute alerts about another (the whole service, another model).
 *
 * Alertmanager's pairing: each `equal` label must have the same value on both alerts, and a label missing from
 * both counts as equal (empty); so a label present on one side only means the rule never pairs those two.
 */
import type { SyntaxNode } from '@lezer/common';
import type { InhibitRule, MonitoringModel } from '../normalize/model.js';
import type { Problem } from '../problems.js';
import { parsePromql } from '../formats/promql/parse.js';
import { sloLabels } from '../normalize/slo-rules.js';

/** One kind of alert instance as the check sees it: which labels it carries (null: some value, not known). */
interface AlertShape {
  readonly name: string;
  /** Config path the alert comes from (`alerts.HighLatency`, `rules.alerts[0]`). */
  readonly from: string;
  readonly labels: ReadonlyMap<string, string | null>;
  readonly identity: readonly string[];
}

interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

const artifact = 'alertmanager/alertmanager.yml';

/** Every inhibit rule of the model against every alert it knows; one warning per rule and muted alert. */
export async function checkInhibitRules(model: MonitoringModel): Promise<Problem[]> {
  const shapes = await knownAlerts(model);
  const problems: Problem[] = [];
  model.alertmanager.inhibitRules.forEach((rule, index) => problems.push(...checkRule(rule, index, shapes)));
  return problems;
}

function checkRule(rule: InhibitRule, index: number, shapes: readonly AlertShape[]): Problem[] {
  const source = rule.sourceMatchers.map(parseMatcher);
  const target = rule.targetMatchers.map(parseMatcher);
  if (source.includes(undefined) || target.includes(undefined)) return [];
  const sources = shapes.filter((s) => (source as Matcher[]).every((m) => canMatch(m, s.labels)));
  const targets = shapes.filter((s) => (target as Matcher[]).every((m) => canMatch(m, s.labels)));
  // Per muted alert: who can mute it about something else, and which labels `equal` lacks for that.
  const byTarget = new Map<string, { target: AlertShape; sources: Set<string>; missing: Set<string> }>();
  for (const t of targets) {
    for (const s of sources) {
      if (!canPair(rule.equal, s, t)) continue;
      const missing = [...new Set([...s.identity, ...t.identity])].filter((label) => !rule.equal.includes(label));
      if (missing.length === 0) continue;
      const entry = byTarget.get(t.name) ?? { target: t, sources: new Set<string>(), missing: new Set<string>() };
      entry.sources.add(`${s.name} (about one ${s.identity.join(' and ')})`);
      for (const label of missing) entry.missing.add(label);
      byTarget.set(t.name, entry);
    }
  }
  return [...byTarget.values()].map(({ target: t, sources: from, missing }) => {
    const labels = [...missing].sort();
    const quoted = labels.map((l) => `"${l}"`).join(', ');
    const isDefault = !rule.source.startsWith('alerting.inhibitRules[');
    return {
      id: 'inhibit/mutes-other-things',
      severity: 'warning',
      path: rule.source,
      artifact,
      object: `inhibit_rules[${index}]`,
      message: `inhibit rule ${rule.source} lets ${[...from].sort().join(', ')} mute ${t.name} (about one ${t.identity.join(' and ')}, from ${t.from}) `
        + `when they are about different things: its equal [${rule.equal.join(', ')}] lacks ${quoted}`,
      hint: `add ${quoted} to equal, so that only alerts with the same ${labels.join(' and ')} are muted (an alert without it is then never muted by one with it), `
        + `or narrow source/target to alerts about one kind of thing`
        + (isDefault ? '; the defaults apply while alerting.inhibitRules is unset, and rules of your own there replace them' : ''),
    } satisfies Problem;
  });
}

/** Whether Alertmanager can ever pair the two: every `equal` label on both sides or on neither, values permitting. */
function canPair(equal: readonly string[], a: AlertShape, b: AlertShape): boolean {
  return equal.every((label) => {
    const [x, y] = [a.labels.get(label), b.labels.get(label)];
    if ((x === undefined) !== (y === undefined)) return false;
    return x === undefined || y === undefined || x === null || y === null || x === y;
  });
}

/** An Alertmanager matcher as mlmon writes them: `name="value"`, `name=~"regex"` and their negations. */
function parseMatcher(text: string): Matcher | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(=~|!~|!=|=)(".*")$/.exec(text);
  if (!m) return undefined;
  try {
    return { label: m[1]!, op: m[2] as Matcher['op'], value: JSON.parse(m[3]!) as string };
  } catch {
    return undefined;
  }
}

/**
 * Whether an alert of this shape can satisfy the matcher. A label the alert lacks is the empty string (as in
 * Alertmanager); one it carries with a value not known here can be anything but empty.
 */
function canMatch(m: Matcher, labels: ReadonlyMap<string, string | null>): boolean {
  const value = labels.has(m.label) ? labels.get(m.label)! : '';
  // Alertmanager anchors regexes; RE2 syntax that JavaScript can't read is taken as "can match".
  const regex = (): RegExp | undefined => {
    try { return new RegExp(`^(?:${m.value})$`); } catch { return undefined; }
  };
  if (value === null) {
    if (m.op === '=') return m.value !== '';
    if (m.op === '=~') return !/^(\^?\$?)$/.test(m.value);
    return true;
  }
  switch (m.op) {
    case '=': return value === m.value;
    case '!=': return value !== m.value;
    case '=~': return regex()?.test(value) ?? true;
    case '!~': return !(regex()?.test(value) ?? false);
  }
}

/** The built-ins with their label sets, and the custom alerts whose labels can be read from their PromQL. */
async function knownAlerts(model: MonitoringModel): Promise<AlertShape[]> {
  const shapes: AlertShape[] = [];
  const known = (entries: Record<string, string>) => Object.entries(entries) as [string, string | null][];
  for (const alert of model.builtinAlerts) {
    for (const set of alert.labelSets) {
      shapes.push({
        name: alert.name,
        from: `alerts.${alert.name}`,
        labels: new Map([...set.map((l): [string, null] => [l, null]), ...known(alert.rule.labels), ...known(model.externalLabels), ['alertname', alert.name]]),
        identity: alert.identity,
      });
    }
  }
  // The SLO alerts: about the model or service whose SLO burns (src/normalize/slo-rules.ts).
  for (const file of model.ruleFiles) {
    for (const group of file.groups) {
      if (group.name !== 'slo-alerts') continue;
      for (const rule of group.rules) {
        if (rule.kind !== 'alert') continue;
        // One rule serves the SLOs of models and of services alike: an instance is about one or the other.
        for (const scope of ['model', 'service']) {
          shapes.push({
            name: rule.alert,
            from: rule.source,
            labels: new Map([...[scope, ...sloLabels].map((l): [string, null] => [l, null]), ...known(rule.labels), ...known(model.externalLabels), ['alertname', rule.alert]]),
            identity: [scope],
          });
        }
      }
    }
  }
  for (const file of model.ruleFiles) {
    for (const group of file.groups) {
      if (group.name !== 'custom') continue;
      for (const rule of group.rules) {
        if (rule.kind !== 'alert') continue;
        const by = await topLevelGrouping(rule.expr);
        if (!by) continue;
        shapes.push({
          name: rule.alert,
          from: rule.source,
          labels: new Map([...by.map((l): [string, null] => [l, null]), ...known(rule.labels), ...known(model.externalLabels), ['alertname', rule.alert]]),
          identity: by.filter((l) => !(l in rule.labels)),
        });
      }
    }
  }
  return shapes;
}

/**
 * The labels an alert's series carry when its expression says so at the top: `agg by (…) (…)`, compared with
 * a number or joined `group_left (…)` onto another series. Undefined when they can't be read that simply.
 */
async function topLevelGrouping(expr: string): Promise<string[] | undefined> {
  const { tree, errors } = await parsePromql(expr);
  if (errors.length > 0) return undefined;
  const text = (node: SyntaxNode) => expr.slice(node.from, node.to);
  const children = (node: SyntaxNode): SyntaxNode[] => {
    const out: SyntaxNode[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
    return out;
  };
  const labelNames = (node: SyntaxNode | undefined) => (node ? children(node).filter((c) => c.name === 'LabelName').map(text) : []);
  const isNumber = (node: SyntaxNode): boolean => node.name === 'NumberDurationLiteral' || node.name === 'NumberLiteral'
    || ((node.name === 'ParenExpr' || node.name === 'UnaryExpr') && children(node).some(isNumber));
  const read = (node: SyntaxNode): string[] | undefined => {
    const kids = children(node);
    switch (node.name) {
      case 'PromQL':
      case 'ParenExpr':
        return kids[0] ? read(kids[0]) : undefined;
      case 'AggregateExpr': {
        const modifier = kids.find((k) => k.name === 'AggregateModifier');
        const [keyword, grouping] = modifier ? children(modifier) : [];
        if (!modifier) return [];
        return keyword?.name === 'By' ? labelNames(grouping) : undefined;
      }
      case 'BinaryExpr': {
        const [lhs, , ...rest] = kids;
        const rhs = kids[kids.length - 1]!;
        const modifier = rest.find((k) => k.name === 'MatchingModifierClause');
        if (isNumber(rhs)) return read(lhs!);
        if (isNumber(lhs!)) return read(rhs);
        if (!modifier) return undefined;
        const parts = children(modifier);
        const left = parts.findIndex((p) => p.name === 'GroupLeft');
        if (left < 0) return undefined;
        const many = read(lhs!);
        const grouping = parts[left + 1]?.name === 'GroupingLabels' ? parts[left + 1] : undefined;
        return many ? [...new Set([...many, ...labelNames(grouping)])] : undefined;
      }
      default:
        return undefined;
    }
  };
  return read(tree.topNode);
}
