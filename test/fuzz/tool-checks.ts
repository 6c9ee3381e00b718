/**
 * The real tools on many generated outputs at once. Each tool is started once per chunk of outputs with all
 * their files as arguments (promtool check config/rules and test rules, amtool check-config all take several),
 * because a fuzz run has hundreds of outputs and 2 cores. Only when a chunk fails are its outputs checked one by
 * one, to say which config the failure belongs to. The checks are those `mlmon validate` runs
 * (src/check/external-tools.ts), plus the YAML decoding of the manifests.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { tool } from '../support/tools.js';
import { filesUnder } from './run-case.js';
import { checkKubernetesDecoding, checkOtherYamlDecoding, checkRawLineBreaks } from './yaml-decoding.js';

/** One thing a real tool (or decoder) refused in one output. */
export interface ToolFailure {
  /** `promtool/check-config`, `promtool/check-rules`, `promtool/test-rules`, `amtool/check-config`, `amtool/routes`, `kubernetes/decoding`, `yaml/decoding`. */
  readonly check: string;
  readonly message: string;
}

interface RunResult {
  readonly code: number | null;
  readonly output: string;
  readonly timedOut: boolean;
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const failed = error as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      resolve({
        code: failed ? (typeof failed.code === 'number' ? failed.code : -1) : 0,
        output: `${stdout}${stderr}`,
        timedOut: Boolean(failed?.killed),
      });
    });
  });
}

/** Runs `tasks` with at most `width` at a time. */
async function pool<T>(tasks: readonly (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  }));
  return results;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}


/** What a tool said about a failure: from its first FAILED (or error) line on, on one line. */
function complaint(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const first = lines.findIndex((l) => /FAILED|error|parse error|unexpected/i.test(l));
  return (first < 0 ? lines.slice(-4) : lines.slice(first, first + 5)).join(' | ');
}

/** A tool check over files of one or more outputs: argv per output, one process per chunk. */
interface FileCheck {
  readonly check: string;
  readonly tool: 'promtool' | 'amtool';
  readonly args: readonly string[];
  /** This output's files for the check (absolute), or none when it has nothing to check. */
  readonly files: (outDir: string) => string[];
  readonly chunk: number;
  readonly timeoutMs: number;
}

const fileChecks: readonly FileCheck[] = [
  // --syntax-only, as `mlmon validate` runs it: the scrape jobs read credentials that exist only in the cluster.
  { check: 'promtool/check-config', tool: 'promtool', args: ['check', 'config', '--syntax-only'], files: (out) => [join(out, 'prometheus/prometheus.yml')], chunk: 200, timeoutMs: 60_000 },
  { check: 'promtool/check-rules', tool: 'promtool', args: ['check', 'rules'], files: (out) => filesUnder(join(out, 'prometheus/rules')).map((f) => join(out, 'prometheus/rules', f)), chunk: 200, timeoutMs: 60_000 },
  { check: 'amtool/check-config', tool: 'amtool', args: ['check-config'], files: (out) => [join(out, 'alertmanager/alertmanager.yml')], chunk: 200, timeoutMs: 60_000 },
];

/**
 * Rule tests simulate hours of series per alert: ~4 s of promtool for a config with two models, whether the
 * files come one per process or many, so a fuzz run can afford them for a sample of its outputs only. An edge
 * duration (a `for` of centuries, a 1ms rule interval) makes them run for minutes: past this, it is a failure.
 */
const testRulesTimeoutMs = 20_000;

async function runFileCheck(check: FileCheck, outDirs: readonly string[], timeoutMs: number): Promise<RunResult> {
  return run(tool(check.tool), [...check.args, ...outDirs.flatMap((out) => check.files(out))], '/', timeoutMs);
}

/**
 * Checks every output in `outDirs` with the real tools and decoders; returns the failures of each output (by
 * index into `outDirs`; outputs that pass have no entry). The rule tests (`testRulesBudget`) and the routing
 * tests (`routeBudget`, one alert per amtool process) run for the first outputs only.
 */
export async function checkOutputs(outDirs: readonly string[], options: { routeBudget: number; testRulesBudget: number; width?: number; timings?: Record<string, number> }): Promise<Map<number, ToolFailure[]>> {
  let clock = performance.now();
  const lap = (stage: string) => {
    if (options.timings) options.timings[stage] = Math.round(performance.now() - clock);
    clock = performance.now();
  };
  const failures = new Map<number, ToolFailure[]>();
  const fail = (index: number, failure: ToolFailure) => failures.set(index, [...(failures.get(index) ?? []), failure]);
  const width = options.width ?? 2;
  const indexes = outDirs.map((_, i) => i);

  // Decoding, in process.
  for (const i of indexes) {
    for (const p of checkKubernetesDecoding(outDirs[i]!)) fail(i, { check: 'kubernetes/decoding', message: `${p.file}: ${p.message}` });
    for (const p of checkOtherYamlDecoding(outDirs[i]!)) fail(i, { check: 'yaml/decoding', message: `${p.file}: ${p.message}` });
    for (const p of checkRawLineBreaks(outDirs[i]!)) fail(i, { check: 'yaml/line-breaks', message: `${p.file}: ${p.message}` });
  }

  lap('decoding');

  // The file checks: a chunk at a time; a chunk that fails is halved until each failure has its output.
  const bisect = async (check: FileCheck, part: readonly number[], known?: RunResult): Promise<void> => {
    const result = known ?? await runFileCheck(check, part.map((i) => outDirs[i]!), check.timeoutMs);
    if (result.code === 0) return;
    if (part.length === 1) {
      const i = part[0]!;
      fail(i, { check: check.check, message: result.timedOut ? `${check.tool} ${check.args.join(' ')} did not finish within ${check.timeoutMs / 1000}s` : complaint(result.output.replaceAll(`${outDirs[i]!}/`, 'out/')) });
      return;
    }
    // The tools name the file in each complaint (promtool on stderr, apart from its `Checking` lines on stdout):
    // an output failed when a line other than those and the SUCCESS lines names one of its files.
    let attributed = false;
    const complaints = result.output.split('\n').filter((l) => l.trim() && !/SUCCESS/.test(l) && (!/^\s*Checking /.test(l) || /FAILED/.test(l)));
    for (const i of part) {
      const own = complaints.filter((l) => l.includes(`${outDirs[i]!}/`));
      if (!own.length) continue;
      fail(i, { check: check.check, message: complaint(own.join('\n').replaceAll(`${outDirs[i]!}/`, 'out/')) });
      attributed = true;
    }
    if (attributed && !result.timedOut) return;
    const half = Math.ceil(part.length / 2);
    await bisect(check, part.slice(0, half));
    await bisect(check, part.slice(half));
  };
  const tasks = fileChecks.flatMap((check) => chunks(indexes.filter((i) => check.files(outDirs[i]!).length > 0), check.chunk).map((chunk) => () => bisect(check, chunk)));
  await pool(tasks, width);
  lap('files');

  // Rule tests: the first outputs, each alone (its own timeout), until the budget is spent.
  const testTasks = indexes.slice(0, options.testRulesBudget).map((i) => async () => {
    const dir = join(outDirs[i]!, 'prometheus/tests');
    const files = filesUnder(dir);
    if (!files.length) return;
    const r = await run(tool('promtool'), ['test', 'rules', ...files], dir, testRulesTimeoutMs);
    if (r.timedOut) fail(i, { check: 'promtool/test-rules', message: `promtool test rules did not finish within ${testRulesTimeoutMs / 1000}s` });
    else if (r.code !== 0) fail(i, { check: 'promtool/test-rules', message: complaint(r.output) });
  });
  await pool(testTasks, width);
  lap('test-rules');

  // Routing: one case per output, the one whose labels are the most unusual, until the budget is spent.
  const routeTasks = indexes.slice(0, options.routeBudget).flatMap((i) => {
    const testsFile = join(outDirs[i]!, 'alertmanager/routing-tests.yml');
    if (!existsSync(testsFile)) return [];
    const cases = (parseYaml(readFileSync(testsFile, 'utf8')) as { cases?: { name: string; labels: Record<string, string>; receivers: string[] }[] }).cases ?? [];
    const oddness = (c: { labels: Record<string, string> }) => Object.values(c.labels).join('').replace(/[A-Za-z0-9_-]/g, '').length;
    const picked = [...cases].sort((a, b) => oddness(b) - oddness(a))[0];
    if (!picked) return [];
    return [async () => {
      const labels = Object.entries(picked.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      const r = await run(tool('amtool'), ['config', 'routes', 'test', `--config.file=${join(outDirs[i]!, 'alertmanager/alertmanager.yml')}`, `--verify.receivers=${picked.receivers.join(',')}`, ...labels], '/', 30_000);
      if (r.code !== 0) fail(i, { check: 'amtool/routes', message: `${picked.name} should reach [${picked.receivers.join(', ')}]: ${complaint(r.output)}` });
    }];
  });
  await pool(routeTasks, width);
  lap('routes');
  return failures;
}
