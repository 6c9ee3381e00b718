/**
 * The tools that will read the files in production are the judges of their format: promtool and amtool (and
 * kubeconform for the operator target's objects), found here and run through execa, each with a timeout. The
 * checks that run them are in external-checks.ts and operator-checks.ts.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Problem } from '../problems.js';

export interface ToolOptions {
  /** Explicit paths (flags), else MLMON_PROMTOOL / MLMON_AMTOOL, else PATH, else the pinned tools cache. */
  readonly promtool?: string | undefined;
  readonly amtool?: string | undefined;
  /** Explicit kubeconform (flag), else MLMON_KUBECONFORM, else PATH, else the tools cache. */
  readonly kubeconform?: string | undefined;
  readonly timeoutMs: number;
}

export interface ResolvedTool {
  readonly name: 'promtool' | 'amtool' | 'kubeconform';
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

/** What a tool run left behind: its exit code, its stdout and stderr interleaved, and whether it was stopped. */
export interface RunResult {
  readonly exitCode: number;
  readonly output: string;
  readonly timedOut: boolean;
}

/** Runs a tool in `cwd` with a timeout (then SIGKILL a second later), never throwing on its exit code. */
export async function run(tool: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  const execa = await loadExeca();
  const result = await execa(tool, args, { cwd, reject: false, all: true, timeout: timeoutMs, forceKillAfterDelay: 1000, stdin: 'ignore', env: { NO_COLOR: '1' } });
  return { exitCode: result.exitCode ?? -1, output: (result.all ?? '').trim(), timedOut: Boolean(result.timedOut) };
}

/** Finds a tool and asks its version; `undefined` when it is nowhere to be found. */
export async function resolveTool(name: ResolvedTool['name'], explicit: string | undefined, timeoutMs: number): Promise<ResolvedTool | undefined> {
  const envPath = process.env[`MLMON_${name.toUpperCase()}`];
  const path = explicit ?? envPath ?? findOnPath(name) ?? findInToolsCache(name);
  if (!path || !existsSync(path)) return undefined;
  if (name === 'kubeconform') return { name, path, version: await kubeconformVersion(path, timeoutMs) };
  const result = await run(path, ['--version'], process.cwd(), timeoutMs);
  const version = /version\s+([^\s(]+)/.exec(result.output)?.[1] ?? 'unknown version';
  return { name, path, version };
}

/**
 * `kubeconform -v` prints the version its release build stamps in, and `development` for a `go install` build
 * such as the tools cache's; that one is named `kubeconform-<version>` there (scripts/install-tools.sh), behind
 * the `kubeconform` link.
 */
async function kubeconformVersion(path: string, timeoutMs: number): Promise<string> {
  const printed = (await run(path, ['-v'], process.cwd(), timeoutMs)).output.trim().replace(/^v/, '');
  if (/^\d+\.\d+/.test(printed)) return printed;
  return /kubeconform-(\d+\.\d+\.\d+)$/.exec(realpathSync(path))?.[1] ?? (printed || 'unknown version');
}

/** A tool's verdict as problems: a timeout, `describe`'s reading of its output, else its last lines. */
export function toolProblems(id: string, artifact: string, result: RunResult, tool: ResolvedTool, timeoutMs: number, describe: (output: string) => Problem[]): Problem[] {
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
