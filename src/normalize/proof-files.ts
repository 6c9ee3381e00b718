/**
 * How the proofs are laid out in files for promtool: each file's cost, and files of about equal cost, so that
 * `validate` can run them side by side (src/check/external-checks.ts) and finish with the slowest.
 */
import { durationSeconds } from '../formats/prometheus-duration.js';
import type { Rule, RuleFile } from './model.js';
import type { RuleTest, RuleTestFile } from './rule-proofs.js';

/**
 * Below this cost (in proofCost's units), a proof file is never split: another promtool process would cost more
 * than it saves. About 1 s of promtool 3.16 on one core of the 2-core AMD EPYC the bench runs on, at ~60 µs a
 * unit (2026-12-01, quiet machine, bench/README.md): the dearest test at 1,000 models, 35 rounds of a 500-rule
 * threshold file and the alerts (~20,000 units), took 1.3 s; the example's HighErrorRate proof, 15 rounds of 91
 * constant and 118 other rules (~6,800 units), 0.5 s. It was 50,000 when every rule counted one and threshold
 * files held 2,000 rules. The small fixtures stay one file per group; the example's groups, whose SLO and GPU
 * proofs simulate hours, are split near their dearest test.
 */
export const proofSplitFloor = 16_000;

/** How much more a rule that reads series costs promtool per round than a constant one. */
const readingRuleWeight = 3;

/**
 * What one evaluation round of a rule costs, in proofCost's units: 1 for a constant series (`vector(0.9)`: the
 * threshold and info series, which a fleet has by the ten thousand), readingRuleWeight for any other rule
 * (selectors, ranges, joins). Fitted to the two proofs above: with every rule counting one, a unit of the
 * example's proofs (mostly SLO and alert rules) took twice as long as a unit of a fleet's (mostly constants),
 * so the fleet's files were split too coarsely or the example's too finely.
 */
export function ruleCost(rule: Rule): number {
  return /^vector\([^()]*\)$/.test(rule.expr.trim()) ? 1 : readingRuleWeight;
}

/**
 * What one proof costs promtool, in rule evaluations. promtool runs the tests of a file one after another, each
 * in a fresh store: it parses the rule files the test loads, loads its input series, then evaluates every rule
 * of every loaded group at each evaluation_interval from 0 up to the test's last eval_time, reading the input
 * series as it goes. So (evaluations + 1) × (rules loaded, each by its ruleCost, + input series). A fleet's
 * threshold rules dominate:
 * 500 `vector()` rules in a threshold file, evaluated 34 times by a proof of a 15m `for`.
 */
export function proofCost(test: RuleTest, rulesLoaded: number, evaluationIntervalSeconds: number): number {
  const lastEval = Math.max(0, ...test.alertRuleTests.map((t) => durationSeconds(t.evalTime)), ...(test.promqlExprTests ?? []).map((t) => durationSeconds(t.evalTime)));
  const evaluations = Math.floor(lastEval / evaluationIntervalSeconds) + 1;
  return (evaluations + 1) * (rulesLoaded + test.inputSeries.length);
}

/** What a proof file costs promtool: the sum of its tests' proofCost (`ruleFiles`: the model's, to weigh rules). */
export function proofFileCost(file: RuleTestFile, ruleFiles: readonly RuleFile[]): number {
  return testCosts(file, ruleFiles).reduce((sum, cost) => sum + cost, 0);
}

/** Each test's proofCost in a proof file: what its tests load (and how often they evaluate it) worked out once. */
function testCosts(file: RuleTestFile, ruleFiles: readonly RuleFile[]): number[] {
  const loaded = new Set(file.ruleFiles.map((f) => f.replace(/^\.\.\/rules\//, '')));
  const rules = ruleFiles.filter((f) => loaded.has(f.name)).reduce((n, f) => n + ruleFileCost(f), 0);
  const interval = durationSeconds(file.evaluationInterval);
  return file.tests.map((test) => proofCost(test, rules, interval));
}

/**
 * A rule file's ruleCost summed, once per file: balancedProofFiles asks for every test of every proof file, and
 * a fleet's proof files load the same few hundred rules again and again (a regex per rule each time).
 */
function ruleFileCost(file: RuleFile): number {
  let cost = fileCosts.get(file);
  if (cost === undefined) fileCosts.set(file, (cost = file.groups.reduce((m, g) => m + g.rules.reduce((k, rule) => k + ruleCost(rule), 0), 0)));
  return cost;
}
const fileCosts = new WeakMap<RuleFile, number>();

/**
 * Proof files of about equal cost, so `validate` can run them side by side and finish with the slowest. A file
 * costing more than the budget is split into parts (`<name>-part-N.test.yml`) that load the same rule files,
 * each test whole. The budget is the dearest single test (a test can't be split), at least proofSplitFloor.
 * Why: a fleet's sampled targets are the first of each distinct threshold and team, so every proof through an
 * alert lands in the first shard of model thresholds; at 1,000 models that one file took 9.2 s of promtool
 * while the others took 0.2–1.0 s, and validate waited for it alone.
 */
export function balancedProofFiles(files: readonly RuleTestFile[], ruleFiles: readonly RuleFile[]): RuleTestFile[] {
  const costs = files.map((file) => testCosts(file, ruleFiles));
  const budget = Math.max(proofSplitFloor, ...costs.flat());
  return files.flatMap((file, i) => {
    const parts = packed(costs[i]!, budget);
    if (parts.length === 1) return [file];
    const width = String(parts.length).length;
    return parts.map((tests, p) => ({ ...file, name: file.name.replace(/\.test\.yml$/, `-part-${String(p + 1).padStart(width, '0')}.test.yml`), tests: tests.map((t) => file.tests[t]!) }));
  });
}

/**
 * Items (by cost) in as few bins as keep every bin near the budget: longest first, each into the cheapest bin
 * so far (LPT), adding bins until none passes the budget by more than a quarter. Bins list their items in their
 * original order, and come in the order of their first item, so the layout reads like the unsplit file.
 */
function packed(costs: readonly number[], budget: number): number[][] {
  const total = costs.reduce((a, b) => a + b, 0);
  if (total <= budget) return [costs.map((_, i) => i)];
  const order = costs.map((_, i) => i).sort((a, b) => costs[b]! - costs[a]! || a - b);
  for (let count = Math.ceil(total / budget); ; count++) {
    const bins = Array.from({ length: count }, () => ({ cost: 0, items: [] as number[] }));
    for (const item of order) {
      const cheapest = bins.reduce((min, bin) => (bin.cost < min.cost ? bin : min));
      cheapest.cost += costs[item]!;
      cheapest.items.push(item);
    }
    if (count >= costs.length || bins.every((bin) => bin.cost <= budget * 1.25)) {
      return bins.filter((bin) => bin.items.length).map((bin) => bin.items.sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!);
    }
  }
}
