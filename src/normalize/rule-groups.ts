/**
 * How the generated rules are laid out in Prometheus rule groups.
 *
 * Prometheus evaluates rule groups concurrently, but the rules of one group one after another, and a group
 * whose round takes longer than its interval skips rounds (its alerts stop being evaluated on time). Every
 * built-in alert is one rule for the whole fleet and its cost grows with the fleet, and so does the number of
 * threshold series. Measured with `bench/rule-groups.mjs` (a real Prometheus 3.16 on 127.0.0.1 scraping
 * synthetic series, 3 replicas per service, 106,000 series at 1,000 models; bench/README.md has the tables and
 * the machine's load, which was high: every figure here is inflated by it):
 * - at 1,000 models the old `ml-models` group (five alerts in a row) took 2.23 s per round, of which its
 *   slowest alert, HighInferenceLatency, 0.85 s; one threshold group of 2,000 constant series 0.82 s;
 * - with a group per alert, the slowest group is that one alert (0.76–1.04 s), no longer the sum of five;
 *   threshold groups of at most 500 rules run side by side (then four to a file, now one: threshold-files.ts).
 * At 10,000 models the shared 2-core machine could not keep a Prometheus with a million series up to date
 * (rounds of minutes, before and after), so the 0.4 s target could not be shown there; a single alert rule
 * over the whole fleet is now the floor, and HighInferenceLatency (a rate over every bucket series) is it.
 *
 * Rule files: one alerts.yml, and threshold files of one group each (threshold-files.ts): the proofs load
 * whole files, and `group_eval_order` in them lists the group names these functions return.
 */
import type { BuiltinAlert, RecordingRule, RuleGroup } from './model.js';

/**
 * The rule group of a built-in alert: its family and its name, e.g. `ml-models-ModelAccuracyDrop`.
 *
 * The alert's `group` (its family: `infrastructure`, `application`, `ml-models`) stays what it was: it names
 * the proof files (rule-proofs.ts), and splitting those by alert would multiply the promtool processes that
 * `validate` runs at once for a fleet (one per alert and threshold file instead of one per family and file).
 */
export function ruleGroupOf(alert: Pick<BuiltinAlert, 'group' | 'name'>): string {
  return `${alert.group}-${alert.name}`;
}

/** At most this many threshold series per group: 2,000 took 0.82 s per round (see above), 500 about a quarter. */
export const thresholdRulesPerGroup = 500;

/**
 * The groups of one threshold file: `name` alone while it holds up to `thresholdRulesPerGroup` rules (every
 * small fleet, whose output does not change), else `name-1`, `name-2`, … in order, each of at most that many.
 *
 * A model's or a service's series never straddle two groups: the model alerts tell listed models from
 * unlisted ones by `mlmon:model_info` and join their threshold, so a model whose threshold was recorded in one
 * group before its info series in another would get its own threshold and the default one, and the alert's
 * `group_left` fails ("vector cannot contain metrics with the same labelset"). The bench met exactly that
 * with a plain cut every 500 rules. In one group, a target's series are recorded at the same instant.
 */
export function thresholdRuleGroups(name: string, interval: string, rules: readonly RecordingRule[]): RuleGroup[] {
  if (rules.length <= thresholdRulesPerGroup) return [{ name, interval, rules }];
  const packed: RecordingRule[][] = [[]];
  for (const ofTarget of byTarget(rules)) {
    if (packed.at(-1)!.length > 0 && packed.at(-1)!.length + ofTarget.length > thresholdRulesPerGroup) packed.push([]);
    packed.at(-1)!.push(...ofTarget);
  }
  return packed.map((groupRules, i) => ({ name: `${name}-${i + 1}`, interval, rules: groupRules }));
}

/** Consecutive rules of one model, one service, or the defaults. */
function byTarget(rules: readonly RecordingRule[]): RecordingRule[][] {
  const chunks: RecordingRule[][] = [];
  let previous: string | undefined;
  for (const rule of rules) {
    const target = rule.labels.model !== undefined ? `model ${rule.labels.model}` : rule.labels.service !== undefined ? `service ${rule.labels.service}` : 'defaults';
    if (target !== previous || chunks.length === 0) chunks.push([]);
    chunks.at(-1)!.push(rule);
    previous = target;
  }
  return chunks;
}
