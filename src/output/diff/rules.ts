/**
 * Alerts and thresholds, as a reviewer thinks of them: "ModelAccuracyDrop threshold for model
 * fraud-detector: 0.9 → 0.95", not "line 48 of thresholds.yml".
 *
 * Thresholds are series, not rule text: a model's threshold is a constant recording rule
 * (`mlmon:model_min_accuracy:threshold{model, team}`) that one fleet-wide alert joins against. Which alert a
 * series belongs to is read from the alerts themselves: the alert whose expression uses the series (or its
 * default, `defaultSeriesOf`) owns it. So the mapping follows the rules as rendered, custom alerts included,
 * and a series no alert uses says so.
 *
 * Speed: a fleet's thresholds file holds tens of thousands of rules, and parsing all of that YAML takes
 * seconds. Rules are therefore compared as text first, one rule at a time (a rule's lines are found by their
 * indentation, without parsing), and only the rules whose text differs are parsed. A file whose layout the
 * splitter doesn't recognise (a user's template override, say) is parsed whole instead.
 *
 * The work is split three ways: rule-reading.ts (rule files as text, parsed on demand), rule-matching.ts
 * (which rule is which across the sides) and rule-changes.ts (the lines a reviewer reads).
 */
import type { Change } from './change.js';
import { describeAlertChange, describeRecordChange, describeShardMoves, diffGroups, isShardMoveOnly } from './rule-changes.js';
import { alertNamer, isAlert, isRecordingRule, pairRules, recordIdentity, alertIdentity, seriesOwners } from './rule-matching.js';
import type { RecordingRule, Rule, RuleSets } from './rule-reading.js';
import { describeSloChanges, isSloConstant } from './slo-changes.js';

/** Every change to alerts, thresholds, recording rules and rule groups between the two sides. */
export function diffRules({ before, after, unreadable }: RuleSets): Change[] {
  const changes: Change[] = [];
  for (const [path, error] of unreadable) {
    changes.push({ change: 'changed', subject: `file ${path}`, text: `${path} could not be read as Prometheus rules (${error}); see the text diff` });
  }
  changes.push(...diffGroups(before.groups, after.groups));

  // Rules whose text is on both sides are unchanged; only the rest is parsed and matched.
  const parsedBefore = before.changedItems.map((i) => before.parser.rule(i)).filter((r): r is Rule => r !== undefined);
  const parsedAfter = after.changedItems.map((i) => after.parser.rule(i)).filter((r): r is Rule => r !== undefined);
  for (const [side, set] of [['the current output', before], ['the new output', after]] as const) {
    const broken = new Set(set.changedItems.filter((i) => set.parser.rule(i) === undefined).map((i) => i.file ?? '?'));
    for (const file of broken) changes.push({ change: 'changed', subject: `file ${file}`, text: `a rule in ${file} (${side}) could not be read; see the text diff` });
  }

  const owners = seriesOwners([...before.alerts(), ...after.alerts()], (record) => [...after.series(record), ...before.series(record)]);
  const alerts = pairRules(parsedBefore.filter(isAlert), parsedAfter.filter(isAlert), alertIdentity, (r) => r.alert);
  // Series are matched by identity alone: another model's threshold is not this model's, changed.
  // SLO objectives and policies are described as SLOs (slo-changes.ts), not as constant recording rules.
  const isOtherRecord = (r: Rule) => isRecordingRule(r) && !isSloConstant(r);
  const records = pairRules(parsedBefore.filter(isOtherRecord).filter(isRecordingRule), parsedAfter.filter(isOtherRecord).filter(isRecordingRule), recordIdentity, recordIdentity);
  const nameOf = alertNamer(before.alerts(), after.alerts());
  for (const pair of alerts) {
    const change = describeAlertChange(pair.before, pair.after, nameOf);
    if (change) changes.push(change);
  }
  const shardMoves: { before: RecordingRule; after: RecordingRule }[] = [];
  for (const pair of records) {
    if (isShardMoveOnly(pair.before, pair.after)) {
      shardMoves.push({ before: pair.before!, after: pair.after! });
      continue;
    }
    const change = describeRecordChange(pair.before, pair.after, owners);
    if (change) changes.push(change);
  }
  changes.push(...describeShardMoves(shardMoves, owners));
  const sloRules = (rules: readonly Rule[]) => rules.filter(isRecordingRule).filter(isSloConstant);
  changes.push(...describeSloChanges(sloRules(parsedBefore), sloRules(parsedAfter), { before, after }));
  return changes;
}
