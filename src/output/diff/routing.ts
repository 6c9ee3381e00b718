/**
 * Which receivers each alert reaches, before and after: the one thing about a routing change a reviewer
 * cannot see in the YAML. Alertmanager's route tree is evaluated on the rendered alertmanager.yml of
 * each side (formats/alertmanager-routing.ts, Alertmanager's own algorithm), for every alert the rule files
 * define, with the labels it will carry: its static labels, Prometheus' external labels, and, for alerts that
 * compare against per-model or per-service threshold series, each target's `team` and `model`/`service`
 * (those come from the series through `group_left`).
 *
 * Labels an alert takes from the series it fires on (instance, job, …) can't be known before it fires; they
 * are left unset, as Alertmanager sees a label an alert doesn't have.
 */
import { describeTarget } from './rule-changes.js';
import { alertIdentity, alertNamer, isShardLabel, pairRules, seriesUsedByAlert } from './rule-matching.js';
import type { AlertRule, RuleSets } from './rule-reading.js';
import { byText, shortList, type Change } from './change.js';
import type { OutputSide } from './side.js';
import { isRecord, sameValue } from './structure.js';
import { receiversFor, type RouteNode } from '../../formats/alertmanager-routing.js';

export { readRouteTree } from '../../formats/alertmanager-routing.js';

/**
 * The receivers an alert reaches, in delivery order, each once: a reviewer asks who is told, not how often
 * (amtool lists a receiver once per route that takes the alert).
 */
function deliveredTo(root: RouteNode, labels: Readonly<Record<string, string>>): string[] {
  return [...new Set(receiversFor(root, labels))];
}

/** Every label any route of either tree looks at. */
function routedLabels(...trees: (RouteNode | undefined)[]): Set<string> {
  const labels = new Set<string>();
  const visit = (node: RouteNode) => {
    for (const m of node.matchers) labels.add(m.label);
    node.routes.forEach(visit);
  };
  for (const tree of trees) if (tree) visit(tree);
  return labels;
}

export interface RoutingSide {
  readonly route: RouteNode | undefined;
  readonly externalLabels: Readonly<Record<string, string>>;
}

/** What an alert will look like to Alertmanager, once per target when the target matters to routing. */
interface AlertInstance {
  /** `''` for an alert that is one thing to routing; `model=fraud-detector`, or `default` for unlisted models. */
  readonly target: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The target label value used for models or services the config doesn't list: no real name looks like it. */
const unlistedTarget = '<not listed>';

function instancesOf(alert: AlertRule, side: RoutingSide, rules: RuleSets['before'], routed: ReadonlySet<string>, onlyChangedTargets: boolean): AlertInstance[] {
  const name = { alertname: alert.alert };
  // Only the labels some route looks at matter, and an alert's own labels win over those of its
  // expression, which win over the external labels: Prometheus' order.
  const labelsFrom = (...sources: Readonly<Record<string, string>>[]) => {
    const labels: Record<string, string> = {};
    for (const label of routed) {
      for (const source of sources) {
        const value = source[label];
        if (value !== undefined) {
          labels[label] = value;
          break;
        }
      }
    }
    return labels;
  };
  const base = labelsFrom(name, alert.labels, side.externalLabels);
  const series = seriesUsedByAlert(alert.expr, (record) => rules.series(record));
  // Per-target labels matter only if some route looks at a label the alert doesn't set itself.
  const fromSeries = [...routed].some((label) => !(label in base));
  if (series.length === 0 || !fromSeries) return [{ target: '', description: '', labels: base }];
  const instances: AlertInstance[] = [];
  for (const record of series) {
    const isDefault = record.endsWith(':default_threshold');
    const targetLabel = record.startsWith('mlmon:service_') ? 'service' : 'model';
    const unlisted = { [targetLabel]: unlistedTarget };
    for (const rule of onlyChangedTargets ? rules.changedSeries(record) : rules.series(record)) {
      if (isDefault) {
        instances.push({ target: 'default', description: `${targetLabel}s the config doesn't list`, labels: labelsFrom(name, alert.labels, unlisted, rule.labels, side.externalLabels) });
        continue;
      }
      const target: Record<string, string> = {};
      for (const key of Object.keys(rule.labels).sort(byText)) if (key !== 'team' && !isShardLabel(key)) target[key] = rule.labels[key]!;
      instances.push({
        target: Object.entries(target).map(([k, v]) => `${k}=${v}`).join(','),
        description: describeTarget(target),
        labels: labelsFrom(name, alert.labels, rule.labels, side.externalLabels),
      });
    }
  }
  return instances.length || onlyChangedTargets ? instances : [{ target: '', description: '', labels: base }];
}

/**
 * "HighLatency (warning): slack-warnings → ml-team" for every alert whose receivers differ between the
 * sides; per target ("… for model fraud-detector: …") when only some of its targets moved.
 */
export function diffRouting(before: RoutingSide, after: RoutingSide, rules: RuleSets): Change[] {
  if (!before.route || !after.route) return [];
  const routed = routedLabels(before.route, after.route);
  // With the same routes and external labels on both sides, an unchanged alert can only reach someone else
  // for a target whose threshold series changed (a new team, say): only those need to be looked at, which on
  // a fleet of thousands of models is the difference between reading one series and all of them.
  const sameRouting = sameValue(before.route, after.route) && sameValue(before.externalLabels, after.externalLabels);
  const changes: Change[] = [];
  const pairs = pairRules(rules.before.alerts(), rules.after.alerts(), alertIdentity, (r) => r.alert);
  const nameOf = alertNamer(rules.before.alerts(), rules.after.alerts());
  for (const pair of pairs) {
    if (!pair.before || !pair.after) continue;
    const unchanged = sameRouting && sameValue(pair.before, pair.after);
    const instancesBefore = new Map(instancesOf(pair.before, before, rules.before, routed, unchanged).map((i) => [i.target, i]));
    const instancesAfter = instancesOf(pair.after, after, rules.after, routed, unchanged);
    // Targets that moved the same way are reported together.
    const moves = new Map<string, { from: string[]; to: string[]; targets: string[] }>();
    let compared = 0;
    for (const instance of instancesAfter) {
      const old = instancesBefore.get(instance.target);
      if (!old) continue;
      compared++;
      const from = deliveredTo(before.route, old.labels);
      const to = deliveredTo(after.route, instance.labels);
      if (from.join('\u0000') === to.join('\u0000')) continue;
      const key = `${from.join(',')}\u0000${to.join(',')}`;
      const move = moves.get(key) ?? { from, to, targets: [] };
      move.targets.push(instance.description);
      moves.set(key, move);
    }
    const severity = pair.before.labels.severity === pair.after.labels.severity ? pair.after.labels.severity ?? 'no severity' : `${pair.before.labels.severity ?? 'none'} → ${pair.after.labels.severity ?? 'none'}`;
    const name = nameOf(pair.after);
    for (const move of moves.values()) {
      // Only when every target was looked at can a move of all of them be told as a move of the alert.
      const everyTarget = !unchanged && move.targets.length === compared;
      const targets = everyTarget || move.targets[0] === '' ? '' : ` for ${shortList(move.targets.sort(byText))}`;
      changes.push({
        change: 'changed',
        subject: `route ${alertIdentity(pair.after)}${targets ? ` ${move.targets.join(',')}` : ''}`,
        text: `${name} (${severity})${targets}: ${move.from.join(', ')} → ${move.to.join(', ')}`,
        fields: [{ field: 'receivers', before: move.from, after: move.to }],
      });
    }
  }
  return changes;
}

/** Prometheus' `global.external_labels`, which every alert carries to Alertmanager. */
export function externalLabelsOf(side: OutputSide): Record<string, string> {
  const parsed = side.yaml('prometheus/prometheus.yml');
  const global = parsed.ok && isRecord(parsed.value) ? parsed.value.global : undefined;
  const labels = isRecord(global) ? global.external_labels : undefined;
  return isRecord(labels) ? Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])) : {};
}
