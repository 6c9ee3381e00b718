/**
 * The checks that run promtool and amtool on the rendered files, as registry entries (registry.ts). The runner
 * (run-checks.ts) finds the tools, writes the files to a scratch folder and runs these in parallel.
 */
import { availableParallelism } from 'node:os';
import { proofFileCost } from '../normalize/proof-files.js';
import type { RuleTestFile } from '../normalize/rule-proofs.js';
import type { RoutingTestCase } from '../normalize/routing-proofs.js';
import type { MonitoringModel } from '../normalize/model.js';
import type { Problem } from '../problems.js';
import { run, toolProblems, type ResolvedTool } from './external-tools.js';
import type { Finding, ToolCheck } from './registry.js';

/** What every tool check can report besides its own id: its tool missing, or stopped at the timeout. */
const toolFailures = { 'tools/missing': 'error', 'tools/timeout': 'error' } as const;

export const externalChecks: readonly ToolCheck[] = [
  {
    kind: 'tool', tool: 'promtool', id: 'promtool/check-config', title: 'promtool check config', artifact: 'prometheus/prometheus.yml',
    emits: { 'promtool/check-config': 'error', ...toolFailures },
    // --syntax-only: the scrape jobs read credentials from files that exist only inside the cluster
    // (the pod's service-account token); everything else is checked as Prometheus would.
    run: async ({ dir, tool, timeoutMs }) => verdict(toolProblems('promtool/check-config', 'prometheus/prometheus.yml',
      await run(tool.path, ['check', 'config', '--syntax-only', 'prometheus/prometheus.yml'], dir, timeoutMs), tool, timeoutMs, () => []), 'prometheus.yml is valid'),
  },
  {
    kind: 'tool', tool: 'promtool', id: 'promtool/check-rules', title: 'promtool check rules', artifact: 'prometheus/rules',
    emits: { 'promtool/check-rules': 'error', ...toolFailures },
    run: async ({ model, dir, tool, timeoutMs }) => verdict(toolProblems('promtool/check-rules', 'prometheus/rules',
      await run(tool.path, ['check', 'rules', ...model.ruleFiles.map((f) => `prometheus/rules/${f.name}`)], dir, timeoutMs), tool, timeoutMs,
      (out) => ruleProblems(model, out, 'promtool/check-rules', 'prometheus/rules/')),
    `${model.ruleFiles.reduce((n, f) => n + f.groups.reduce((m, g) => m + g.rules.length, 0), 0)} rules`),
  },
  {
    kind: 'tool', tool: 'promtool', id: 'promtool/test-rules', title: 'promtool test rules', artifact: 'prometheus/tests',
    emits: { 'promtool/test-rules': 'error', ...toolFailures },
    run: ({ model, dir, tool, timeoutMs }) => runRuleTests(tool, dir, dearestFirst(model).map((f) => `prometheus/tests/${f.name}`), [...model.userRuleTestFiles],
      model.ruleTests.reduce((n, f) => n + f.tests.length, 0), timeoutMs),
  },
  {
    kind: 'tool', tool: 'amtool', id: 'amtool/check-config', title: 'amtool check-config', artifact: 'alertmanager/alertmanager.yml',
    emits: { 'amtool/check-config': 'error', ...toolFailures },
    run: async ({ dir, tool, timeoutMs }) => verdict(toolProblems('amtool/check-config', 'alertmanager/alertmanager.yml',
      await run(tool.path, ['check-config', 'alertmanager/alertmanager.yml'], dir, timeoutMs), tool, timeoutMs, () => []), 'alertmanager.yml is valid'),
  },
  {
    kind: 'tool', tool: 'amtool', id: 'amtool/routes', title: 'amtool config routes test', artifact: 'alertmanager/routing-tests.yml',
    emits: { 'amtool/routes': 'error', ...toolFailures },
    run: ({ model, dir, tool, timeoutMs }) => runRoutingTests(tool, dir, model.routingTests, timeoutMs),
  },
];

/** A one-shot tool's finding: the detail line only when it passed (a failure speaks through its problems). */
function verdict(problems: Problem[], detail: string): Finding {
  return { problems, detail: problems.length ? undefined : detail };
}

/** promtool names the rule in its complaints; point back at the config entry behind it. */
function ruleProblems(model: MonitoringModel, output: string, id: string, artifactPrefix: string): Problem[] {
  const problems: Problem[] = [];
  for (const line of output.split('\n')) {
    const failed = /FAILED|error|err:/i.test(line) ? line.trim() : undefined;
    if (!failed) continue;
    const file = model.ruleFiles.find((f) => line.includes(f.name));
    const ruleName = /rule\s+\d+[:,]?\s*"?([A-Za-z_:][\w:]*)"?/.exec(line)?.[1] ?? /alert[:=]\s*"?(\w+)/.exec(line)?.[1];
    const rule = file?.groups.flatMap((g) => g.rules).find((r) => (r.kind === 'alert' ? r.alert : r.record) === ruleName);
    problems.push({
      id, severity: 'error', message: failed,
      artifact: file ? `${artifactPrefix}${file.name}` : 'prometheus/rules',
      ...(ruleName ? { object: ruleName } : {}),
      ...(rule ? { path: rule.source } : {}),
    });
  }
  return problems;
}

/**
 * The generated proof files, dearest first (proofFileCost): run by a pool, the longest start first and the
 * short ones fill the gaps, so the check ends close to when its dearest file does (LPT scheduling).
 */
function dearestFirst(model: MonitoringModel): RuleTestFile[] {
  const cost = new Map(model.ruleTests.map((f) => [f, proofFileCost(f, model.ruleFiles)]));
  return [...model.ruleTests].sort((a, b) => cost.get(b)! - cost.get(a)! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * How many promtool processes the rule tests run at once: one per core. promtool runs the tests of a file one
 * after another on one core (bar its garbage collector), so the files are run side by side; but all of a fleet's
 * files at once (dozens at 10,000 models) only crowd the cores and the memory, and the dearest file, started
 * among all the others, finishes last.
 */
export const ruleTestProcesses = Math.max(1, availableParallelism());

async function runRuleTests(promtool: ResolvedTool, dir: string, generated: string[], userFiles: string[], generatedCount: number, timeoutMs: number): Promise<Finding> {
  const problems: Problem[] = [];
  let failedTests = 0;
  let userTests = 0;
  // A user's own files first: their cost is unknown, so they are treated as the dearest.
  const files = [...userFiles.map((f) => ({ file: f, cwd: process.cwd(), user: true })), ...generated.map((f) => ({ file: f, cwd: dir, user: false }))];
  await inPool(files, ruleTestProcesses, async ({ file, cwd, user }) => {
    const r = await run(promtool.path, ['test', 'rules', file], cwd, timeoutMs);
    if (user) userTests += 1;
    const failures = [...r.output.matchAll(/name:\s*(.+?),?\s*\n\s*alertname:\s*(\w+)/g)];
    if (r.timedOut || r.exitCode !== 0) {
      failedTests += Math.max(1, failures.length);
      if (failures.length === 0) problems.push(...toolProblems('promtool/test-rules', file, r, promtool, timeoutMs, () => []));
      for (const [, name, alertname] of failures) {
        problems.push({ id: 'promtool/test-rules', severity: 'error', artifact: file, object: alertname!, message: `rule test failed: ${name!.trim()}`, hint: 'the alert no longer fires (or stays silent) where its threshold says it should; see `promtool test rules` output' });
      }
    }
  });
  // Problems by file, not by which file finished first, so the report does not vary from run to run.
  problems.sort((a, b) => ((a.artifact ?? '') < (b.artifact ?? '') ? -1 : (a.artifact ?? '') > (b.artifact ?? '') ? 1 : 0));
  const total = generatedCount + userTests;
  return { problems, detail: `rule tests ${total - failedTests}/${total} passed${userTests ? ` (${userTests} user file${userTests === 1 ? '' : 's'})` : ''}` };
}

/** Where a set of routing tests is run: the Alertmanager configuration amtool reads, and the check reporting a failure. */
export interface RoutingTestTarget {
  /** Problem id of a failing case. */
  readonly id: string;
  /** The configuration file, relative to the scratch folder. */
  readonly configFile: string;
  /** The artifact a failure is reported on, and what to look at. */
  readonly artifact: string;
  readonly hint: string;
}

const standaloneRouting: RoutingTestTarget = { id: 'amtool/routes', configFile: 'alertmanager/alertmanager.yml', artifact: 'alertmanager/alertmanager.yml', hint: 'check the order of alerting.routes and their `continue` flags' };

/** Runs each case with `amtool config routes test --verify.receivers` against `target`'s configuration, a few at a time. */
export async function runRoutingTests(amtool: ResolvedTool, dir: string, cases: readonly RoutingTestCase[], timeoutMs: number, target: RoutingTestTarget = standaloneRouting): Promise<Finding> {
  const problems: Problem[] = [];
  // A few at a time: each is a separate amtool process.
  const queue = [...cases];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const testCase = next;
      const labels = Object.entries(testCase.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      const r = await run(amtool.path, ['config', 'routes', 'test', `--config.file=${target.configFile}`, `--verify.receivers=${testCase.receivers.join(',')}`, ...labels], dir, timeoutMs);
      if (r.exitCode !== 0 || r.timedOut) {
        problems.push({
          id: target.id, severity: 'error', artifact: target.artifact, object: testCase.name,
          message: `${testCase.name} should reach [${testCase.receivers.join(', ')}] but Alertmanager routes it to [${r.output.split('\n')[0] ?? ''}]`,
          hint: target.hint,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { problems, detail: `routes ${cases.length - problems.length}/${cases.length} passed` };
}

/** Runs `work` on every item, at most `size` at a time, taking the items in order. */
export async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
