/**
 * One fuzz case through the `generate` command's own code path (runGenerate: load → check → normalize →
 * render → writeOutput), in process, into a scratch folder. The outcome is what a user would see: problems
 * (exit 1, nothing written) or a written output folder; anything else is a failure of mlmon.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { runGenerate } from '../../src/cli/commands/generate.js';
import { CouldNotRun, ProblemsFound, type Problem } from '../../src/problems.js';
import type { ConfigFormat } from './config-arbitrary.js';

export type CaseOutcome =
  | { readonly kind: 'problems'; readonly problems: readonly Problem[] }
  | { readonly kind: 'generated'; readonly outDir: string }
  | { readonly kind: 'failure'; readonly check: string; readonly message: string };

/** Writes the config as the file a user would have: JSON, or YAML (which can carry NaN and Infinity). */
export function writeConfigFile(dir: string, config: unknown, format: ConfigFormat): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `monitoring.config.${format}`);
  writeFileSync(file, format === 'json' ? JSON.stringify(config, null, 2) : stringifyYaml(config));
  return file;
}

/** What is wrong with a problem as reported: it must name its check, where it is, and what is wrong. */
export function problemDefects(problem: Problem): string[] {
  const defects: string[] = [];
  if (typeof problem.id !== 'string' || !/^[a-z]+\/[a-z0-9-]+$/.test(problem.id)) defects.push(`id ${JSON.stringify(problem.id)} is not a check id`);
  if (problem.severity !== 'error' && problem.severity !== 'warning') defects.push(`severity ${JSON.stringify(problem.severity)}`);
  if (!problem.path && !problem.artifact) defects.push('neither a config path nor an artifact');
  if (typeof problem.message !== 'string' || !problem.message.trim()) defects.push('no message');
  return defects;
}

/** Files under `dir`, relative, sorted (empty when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

// The command's terminal output is held back while any case runs (cases may run concurrently).
let muted = 0;
let saved: { out: typeof process.stdout.write; err: typeof process.stderr.write } | undefined;
function mute(): void {
  if (muted++ === 0) {
    saved = { out: process.stdout.write, err: process.stderr.write };
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
  }
}
function unmute(): void {
  if (--muted === 0 && saved) {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
  }
}

/**
 * Runs `mlmon generate --config <file> --out <dir>/out` in process, with its terminal output held back. The
 * command's thrown error is what the top-level handler (src/cli/run-command.ts) turns into the exit code:
 * ProblemsFound is exit 1, CouldNotRun exit 2, anything else an internal error with a stack trace.
 */
export async function runCase(dir: string, config: unknown, format: ConfigFormat): Promise<CaseOutcome> {
  const configFile = writeConfigFile(dir, config, format);
  const outDir = join(dir, 'out');
  let thrown: unknown;
  let exitCode: number | undefined;
  mute();
  try {
    exitCode = await runGenerate({ config: configFile, out: outDir });
  } catch (error) {
    thrown = error;
  } finally {
    unmute();
  }
  if (thrown === undefined) {
    if (exitCode !== 0) return { kind: 'failure', check: 'exit-code', message: `generate returned ${exitCode} without reporting problems` };
    return { kind: 'generated', outDir };
  }
  if (thrown instanceof ProblemsFound) {
    const written = filesUnder(outDir);
    if (written.length) return { kind: 'failure', check: 'nothing-written', message: `problems were found but ${written.length} files were written: ${written.slice(0, 3).join(', ')}` };
    if (!thrown.problems.some((p) => p.severity === 'error')) return { kind: 'failure', check: 'problems', message: 'ProblemsFound without an error among its problems' };
    const defects = thrown.problems.flatMap((p) => problemDefects(p).map((d) => `${p.id}: ${d}`));
    if (defects.length) return { kind: 'failure', check: 'problems', message: `badly formed problems: ${defects.join('; ')}` };
    // Without template overrides (the fuzz configs have none), a rendered file that doesn't parse is mlmon's bug,
    // as the problem's own hint says, not a problem in the config.
    const rendering = thrown.problems.find((p) => p.id === 'render/invalid-output');
    if (rendering) return { kind: 'failure', check: 'render/invalid-output', message: rendering.message };
    return { kind: 'problems', problems: thrown.problems };
  }
  if (thrown instanceof CouldNotRun) return { kind: 'failure', check: 'exit-code', message: `exit 2 (could not run) for a config: ${thrown.message}` };
  const error = thrown as Error;
  return { kind: 'failure', check: 'internal-error', message: `${error?.name ?? 'Error'}: ${error?.message ?? String(thrown)}\n${(error?.stack ?? '').split('\n').slice(1, 6).join('\n')}` };
}
