/**
 * The threshold rule files: the constant series the alerts join against (thresholds, model and service info,
 * SLO objectives and tier factors), sharded for a fleet.
 */
import type { RecordingRule, RuleFile } from './model.js';
import { thresholdRuleGroups, thresholdRulesPerGroup } from './rule-groups.js';

// A fleet's threshold series run to tens of thousands of rules: shard them so that each rule file stays well
// under the 1 MiB a Kubernetes ConfigMap may hold, and a diff of one model's change touches one small file.
// A target's series never straddle two files, and the default thresholds have a file of their own: the
// proofs load one file of targets at a time, with the defaults (rule-proofs.ts).
//
// One rule group per file (a file holds as many rules as a group may): promtool evaluates every rule of every
// file a proof loads at every step, and a fleet's proofs are ruled by those constant series. With four groups
// (2,000 rules) to a file, the proofs at 1,000 models took 57 s of promtool in all (15 files, 1.6–6.4 s each)
// and `validate` 50.8 s; with two (1,000 rules) 38 s and 28 s; with one (500 rules) 23–35 s and 21–24 s
// (2026-12-01, bench/README.md).
const thresholdRulesPerFile = thresholdRulesPerGroup;

export function thresholdRuleFiles(rules: RecordingRule[], interval: string): RuleFile[] {
  if (rules.length <= thresholdRulesPerFile) return [{ name: 'thresholds.yml', groups: thresholdRuleGroups('mlmon-thresholds', interval, rules) }];
  const shards: RecordingRule[][] = [[]];
  for (const { target, rules: ofTarget } of groupedByTarget(rules)) {
    const current = shards.at(-1)!;
    const alone = target === 'defaults';
    if (current.length > 0 && (alone || current.length + ofTarget.length > thresholdRulesPerFile)) shards.push([]);
    shards.at(-1)!.push(...ofTarget);
    if (alone) shards.push([]);
  }
  if (shards.at(-1)!.length === 0) shards.pop();
  return shards.map((shard, i) => {
    const suffix = String(i + 1).padStart(3, '0');
    return { name: `thresholds-${suffix}.yml`, groups: thresholdRuleGroups(`mlmon-thresholds-${suffix}`, interval, shard) };
  });
}

/**
 * The threshold rules with each SLO constant placed among its target's series (after them), and the rest (the
 * policies' factors, default objectives) with the defaults, so a sharded threshold file holds everything of
 * its targets.
 */
export function withTargetSeries(thresholds: readonly RecordingRule[], extra: readonly RecordingRule[]): RecordingRule[] {
  if (extra.length === 0) return [...thresholds];
  const targetOf = (rule: RecordingRule) => (rule.labels.model !== undefined ? `model ${rule.labels.model}` : rule.labels.service !== undefined ? `service ${rule.labels.service}` : 'defaults');
  const pending = new Map<string, RecordingRule[]>();
  for (const rule of extra) pending.set(targetOf(rule), [...(pending.get(targetOf(rule)) ?? []), rule]);
  const out: RecordingRule[] = [];
  const groups = groupedByTarget(thresholds);
  for (const [i, group] of groups.entries()) {
    out.push(...group.rules, ...(pending.get(group.target) ?? []));
    pending.delete(group.target);
    // The defaults go right after the services, where buildThresholdRules puts them, even when no threshold is a default.
    if (group.target.startsWith('service') && !groups[i + 1]?.target.startsWith('service') && groups[i + 1]?.target !== 'defaults') {
      out.push(...(pending.get('defaults') ?? []));
      pending.delete('defaults');
    }
  }
  for (const rules of pending.values()) out.push(...rules);
  return out;
}

/** Consecutive rules of one model, one service, or the defaults, in order. */
function groupedByTarget(rules: readonly RecordingRule[]): { target: string; rules: RecordingRule[] }[] {
  const groups: { target: string; rules: RecordingRule[] }[] = [];
  for (const rule of rules) {
    const target = rule.labels.model !== undefined ? `model ${rule.labels.model}` : rule.labels.service !== undefined ? `service ${rule.labels.service}` : 'defaults';
    if (groups.at(-1)?.target !== target) groups.push({ target, rules: [] });
    groups.at(-1)!.rules.push(rule);
  }
  return groups;
}
