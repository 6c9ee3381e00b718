/**
 * The tools that will read the files in production are the judges of their format: promtool and amtool,
 * run through execa on the rendered files (written to a scratch folder), in parallel, each with a timeout.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { RoutingTestCase } from '../normalize/routing-proofs.js';
import type { MonitoringModel } from '../normalize/model.js';
import type { Problem } from '../problems.js';
import type { CheckResult } from './report.js';

export interface ToolOptions {
  /** Explicit paths (flags), else MLMON_PROMTOOL / MLMON_AMTOOL, else PATH, else the pinned tools cache. */
  readonly promtool?: string | undefined;
  readonly amtool?: string | undefined;
  readonly timeoutMs: number;
}

export interface ResolvedTool {
  readonly name: 'promtool' | 'amtool';
  readonly path: string;
  readonly version: string;
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The versions `scripts/install-tools.sh` (`npm run tools`) builds; a test holds them equal to the script's.
 * The cache folder is named `prometheus-<version>_alertmanager-<version>_r<recipe>`.
 */
export const pinnedToolVersions = { prometheus: '3.16.0', alertmanager: '0.35.0' } as const;

/** Where `npm run tools` caches the pinned tools: $MLMON_TOOLS_CACHE, else $XDG_CACHE_HOME or ~/.cache, + mlmon/tools. */
export function toolsCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.MLMON_TOOLS_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mlmon', 'tools');
}

/**
 * The tool in the pinned tools cache, so a user who ran the quick start (whose `npm test` builds the tools) is not
 * told "promtool was not found". The pinned versions come first, then any other cached build; within one
 * version the newest recipe wins (`_r10` after `_r9`).
 */
export function findInToolsCache(name: string, cacheRoot: string = toolsCacheRoot()): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(cacheRoot);
  } catch {
    return undefined;
  }
  const pinned = `prometheus-${pinnedToolVersions.prometheus}_alertmanager-${pinnedToolVersions.alertmanager}_r`;
  const recipe = (dir: string) => Number(/_r(\d+)$/.exec(dir)?.[1] ?? -1);
  const rank = (dir: string) => (dir.startsWith(pinned) ? 1 : 0);
  const candidates = entries
    .filter((dir) => /^prometheus-[^_]+_alertmanager-[^_]+_r\d+$/.test(dir))
    .sort((a, b) => rank(b) - rank(a) || recipe(b) - recipe(a) || (a < b ? 1 : a > b ? -1 : 0));
  for (const dir of candidates) {
    const candidate = join(cacheRoot, dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

type Execa = typeof import('execa').execa;
let execaPromise: Promise<Execa> | undefined;
const loadExeca = (): Promise<Execa> => (execaPromise ??= import('execa').then((m) => m.execa));

interface RunResult {
  readonly exitCode: number;
  readonly output: string;
  readonly timedOut: boolean;
}

async function run(tool: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  const execa = await loadExeca();
  const result = await execa(tool, args, { cwd, reject: false, all: true, timeout: timeoutMs, forceKillAfterDelay: 1000, stdin: 'ignore', env: { NO_COLOR: '1' } });
  return { exitCode: result.exitCode ?? -1, output: (result.all ?? '').trim(), timedOut: Boolean(result.timedOut) };
}

/** Finds a tool and asks its version; `undefined` when it is nowhere to be found. */
export async function resolveTool(name: 'promtool' | 'amtool', explicit: string | undefined, timeoutMs: number): Promise<ResolvedTool | undefined> {
  const envPath = process.env[name === 'promtool' ? 'MLMON_PROMTOOL' : 'MLMON_AMTOOL'];
  const path = explicit ?? envPath ?? findOnPath(name) ?? findInToolsCache(name);
  if (!path || !existsSync(path)) return undefined;
  const result = await run(path, ['--version'], process.cwd(), timeoutMs);
  const version = /version\s+([^\s(]+)/.exec(result.output)?.[1] ?? 'unknown version';
  return { name, path, version };
}

function toolProblems(id: string, artifact: string, result: RunResult, tool: ResolvedTool, timeoutMs: number, describe: (output: string) => Problem[]): Problem[] {
  if (result.timedOut) {
    return [{ id: 'tools/timeout', severity: 'error', artifact, message: `${tool.name} did not finish within ${timeoutMs / 1000}s and was stopped`, hint: 'raise --tool-timeout, or check the tool is not waiting on something' }];
  }
  if (result.exitCode === 0) return [];
  const problems = describe(result.output);
  return problems.length ? problems : [{ id, severity: 'error', artifact, message: `${tool.name} rejected ${artifact}: ${lastLines(result.output)}` }];
}

function lastLines(output: string, count = 6): string {
  return output.split('\n').filter((l) => l.trim()).slice(-count).join('\n        ');
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

/** Runs every external check on the files in `dir` (out/ layout). Returns one result per check. */
export async function runExternalChecks(model: MonitoringModel, dir: string, options: ToolOptions, skip: boolean): Promise<CheckResult[]> {
  const [promtool, amtool] = skip ? [undefined, undefined] : await Promise.all([
    resolveTool('promtool', options.promtool, options.timeoutMs),
    resolveTool('amtool', options.amtool, options.timeoutMs),
  ]);
  const missing = (tool: 'promtool' | 'amtool', checks: { id: string; title: string; artifact: string }[]): CheckResult[] =>
    checks.map((check) => skip
      ? { ...check, status: 'skipped', detail: '--skip-external', problems: [] }
      : {
        ...check, status: 'failed', problems: [{
          id: 'tools/missing', severity: 'error', artifact: check.artifact,
          message: `${tool} was not found, so ${check.title} could not run`,
          hint: `run \`npm run tools\` in mlmon's folder (builds the pinned ${tool} into ${toolsCacheRoot()}), put ${tool} on PATH, set MLMON_${tool.toUpperCase()} or pass --${tool} <path>; or run with --skip-external to skip these checks`,
        }],
      });

  const timeoutMs = options.timeoutMs;
  const ruleTestFiles = model.ruleTests.map((f) => `prometheus/tests/${f.name}`);
  const testCount = model.ruleTests.reduce((n, f) => n + f.tests.length, 0);
  const promtoolChecks = [
    { id: 'promtool/check-config', title: 'promtool check config', artifact: 'prometheus/prometheus.yml' },
    { id: 'promtool/check-rules', title: 'promtool check rules', artifact: 'prometheus/rules' },
    { id: 'promtool/test-rules', title: 'promtool test rules', artifact: 'prometheus/tests' },
  ];
  const amtoolChecks = [
    { id: 'amtool/check-config', title: 'amtool check-config', artifact: 'alertmanager/alertmanager.yml' },
    { id: 'amtool/routes', title: 'amtool config routes test', artifact: 'alertmanager/routing-tests.yml' },
  ];

  const promtoolResults: Promise<CheckResult>[] = promtool
    ? [
      // --syntax-only: the scrape jobs read credentials from files that exist only inside the cluster
      // (the pod's service-account token); everything else is checked as Prometheus would.
      run(promtool.path, ['check', 'config', '--syntax-only', 'prometheus/prometheus.yml'], dir, timeoutMs).then((r) => result(promtoolChecks[0]!, promtool,
        toolProblems('promtool/check-config', 'prometheus/prometheus.yml', r, promtool, timeoutMs, () => []), 'prometheus.yml is valid')),
      run(promtool.path, ['check', 'rules', ...model.ruleFiles.map((f) => `prometheus/rules/${f.name}`)], dir, timeoutMs).then((r) => result(promtoolChecks[1]!, promtool,
        toolProblems('promtool/check-rules', 'prometheus/rules', r, promtool, timeoutMs, (out) => ruleProblems(model, out, 'promtool/check-rules', 'prometheus/rules/')),
        `${model.ruleFiles.reduce((n, f) => n + f.groups.reduce((m, g) => m + g.rules.length, 0), 0)} rules`)),
      runRuleTests(promtool, dir, ruleTestFiles, [...model.userRuleTestFiles], testCount, timeoutMs).then((r) => ({ ...promtoolChecks[2]!, ...r })),
    ]
    : missing('promtool', promtoolChecks).map((r) => Promise.resolve(r));
  const amtoolResults: Promise<CheckResult>[] = amtool
    ? [
      run(amtool.path, ['check-config', 'alertmanager/alertmanager.yml'], dir, timeoutMs).then((r) => result(amtoolChecks[0]!, amtool,
        toolProblems('amtool/check-config', 'alertmanager/alertmanager.yml', r, amtool, timeoutMs, () => []), 'alertmanager.yml is valid')),
      runRoutingTests(amtool, dir, model.routingTests, timeoutMs).then((r) => ({ ...amtoolChecks[1]!, ...r })),
    ]
    : missing('amtool', amtoolChecks).map((r) => Promise.resolve(r));
  return Promise.all([...promtoolResults, ...amtoolResults]);
}

function result(check: { id: string; title: string; artifact: string }, tool: ResolvedTool, problems: Problem[], detail: string): CheckResult {
  return { ...check, status: problems.length ? 'failed' : 'passed', detail: problems.length ? undefined : detail, tool: `${tool.name} ${tool.version}`, problems };
}

async function runRuleTests(promtool: ResolvedTool, dir: string, generated: string[], userFiles: string[], generatedCount: number, timeoutMs: number): Promise<Omit<CheckResult, 'id' | 'title' | 'artifact'>> {
  const problems: Problem[] = [];
  let failedTests = 0;
  let userTests = 0;
  const files = [...generated.map((f) => ({ file: f, cwd: dir, user: false })), ...userFiles.map((f) => ({ file: f, cwd: process.cwd(), user: true }))];
  await Promise.all(files.map(async ({ file, cwd, user }) => {
    const r = await run(promtool.path, ['test', 'rules', file], cwd, timeoutMs);
    if (user) userTests += 1;
    const failures = [...r.output.matchAll(/name:\s*(.+?),?\s*\n\s*alertname:\s*(\w+)/g)];
    if (r.timedOut || r.exitCode !== 0) {
      failedTests += Math.max(1, failures.length);
      if (failures.length === 0) problems.push(...toolProblems('promtool/test-rules', file, r, promtool, timeoutMs, () => []));
      for (const [, name, alertname] of failures) {
        problems.push({ id: 'promtool/test-rules', severity: 'error', artifact: user ? file : file, object: alertname!, message: `rule test failed: ${name!.trim()}`, hint: 'the alert no longer fires (or stays silent) where its threshold says it should; see `promtool test rules` output' });
      }
    }
  }));
  const total = generatedCount + userTests;
  return {
    status: problems.length ? 'failed' : 'passed', problems, tool: `${promtool.name} ${promtool.version}`,
    detail: `rule tests ${total - failedTests}/${total} passed${userTests ? ` (${userTests} user file${userTests === 1 ? '' : 's'})` : ''}`,
  };
}

async function runRoutingTests(amtool: ResolvedTool, dir: string, cases: readonly RoutingTestCase[], timeoutMs: number): Promise<Omit<CheckResult, 'id' | 'title' | 'artifact'>> {
  const problems: Problem[] = [];
  // A few at a time: each is a separate amtool process.
  const queue = [...cases];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const testCase = next;
      const labels = Object.entries(testCase.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      const r = await run(amtool.path, ['config', 'routes', 'test', '--config.file=alertmanager/alertmanager.yml', `--verify.receivers=${testCase.receivers.join(',')}`, ...labels], dir, timeoutMs);
      if (r.exitCode !== 0 || r.timedOut) {
        problems.push({
          id: 'amtool/routes', severity: 'error', artifact: 'alertmanager/alertmanager.yml', object: testCase.name,
          message: `${testCase.name} should reach [${testCase.receivers.join(', ')}] but Alertmanager routes it to [${r.output.split('\n')[0] ?? ''}]`,
          hint: 'check the order of alerting.routes and their `continue` flags',
        });
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { status: problems.length ? 'failed' : 'passed', problems, tool: `${amtool.name} ${amtool.version}`, detail: `routes ${cases.length - problems.length}/${cases.length} passed` };
}
