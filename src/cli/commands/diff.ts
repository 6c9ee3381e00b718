import { relative, resolve } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { generateStacks, type GeneratedStacks } from '../../pipeline.js';
import { outsideSnapshot, scopeSnapshot } from '../../output/environments.js';
import { diffOutput, type HandEdit, type OutputDiff } from '../../output/diff.js';
import { readOutputAtGitRef, readOutputDir, type OutputSnapshot } from '../../output/read-output.js';
import { CouldNotRun, ProblemsFound } from '../../problems.js';
import { mlmonVersion } from '../../version.js';
import { formatProblems } from '../report.js';
import { stderrColor, stdoutColor } from '../colors.js';
import { exitCodes } from '../exit-codes.js';

export interface DiffFlags {
  readonly config?: string | undefined;
  readonly out: string;
  readonly against?: string | undefined;
  readonly git?: string | undefined;
  readonly format: 'text' | 'json';
  readonly exitCode?: boolean | undefined;
  /** `--environment`: compare only this environment's folder of out/ (a config with environments). */
  readonly environment?: string | undefined;
}

/** Lines per summary section in the text report; `--format json` always lists every change. */
const textSummaryLimit = 100;

export async function runDiff(options: DiffFlags): Promise<number> {
  const cwd = process.cwd();
  // What to compare with first: a ref that doesn't exist fails at once, not after a generation.
  const before = await readBefore(cwd, options);
  let generated: GeneratedStacks;
  try {
    generated = await generateStacks({ cwd, config: options.config, environment: options.environment });
  } catch (error) {
    // Like `git diff --exit-code`, 1 means "there are differences" and nothing else; a config that doesn't
    // validate means there is nothing to compare, which is 2.
    if (!(error instanceof ProblemsFound)) throw error;
    const errors = error.problems.filter((p) => p.severity === 'error').length;
    process.stderr.write(`${formatProblems(error.problems, stderrColor)}\n\n${stderrColor.red(`${errors} problem${errors === 1 ? '' : 's'} in ${error.configFile}; nothing to compare.`)}\n`);
    return exitCodes.couldNotRun;
  }
  const { stacks } = generated;
  const first = stacks[0]!.generated;
  if (first.warnings.length) process.stderr.write(`${formatProblems(first.warnings, stderrColor)}\n`);

  const configName = first.model.generator.configFile;
  if (stacks.length === 1 && stacks[0]!.environment === undefined) {
    const result = diffOutput(before.snapshot, first.files, { before: before.snapshot.label, after: `generated from ${configName}` });
    const handEdits = result.handEdits.map((edit) => handEditLine(edit, before.folder, before.ref));
    if (options.format === 'json') process.stdout.write(`${JSON.stringify(jsonReport(result, before.snapshot, configName, handEdits), null, 2)}\n`);
    else process.stdout.write(textReport(result, before.snapshot, configName, handEdits, stdoutColor));
    return options.exitCode && result.different ? exitCodes.problems : exitCodes.ok;
  }

  // Environments: each folder of out/ against its environment's files, and, when all are compared, what
  // mlmon wrote outside them (an older layout, a removed environment), which the next generate removes.
  const parts: { environment: string | undefined; snapshot: OutputSnapshot; folder: string; result: OutputDiff }[] = [];
  for (const { environment, generated: stack } of stacks) {
    const snapshot = scopeSnapshot(before.snapshot, environment!);
    parts.push({ environment, snapshot, folder: `${before.folder}/${environment}`, result: diffOutput(snapshot, stack.files, { before: snapshot.label, after: `${environment} generated from ${configName}` }) });
  }
  if (options.environment === undefined) {
    const snapshot = outsideSnapshot(before.snapshot, stacks.map((s) => s.environment!));
    const result = diffOutput(snapshot, [], { before: snapshot.label, after: `generated from ${configName}` });
    if (result.different) parts.push({ environment: undefined, snapshot, folder: before.folder, result });
  }
  const different = parts.some((p) => p.result.different);
  if (options.format === 'json') {
    // Each part as the report of a config without environments, less what the whole report already says.
    const reports = parts.map(({ environment, snapshot, folder, result }) => {
      const { generator: _generator, after: _after, ...report } = jsonReport(result, snapshot, configName, result.handEdits.map((edit) => handEditLine(edit, folder, before.ref)));
      return { environment: environment ?? null, ...report };
    });
    process.stdout.write(`${JSON.stringify({ generator: { name: 'mlmon', version: mlmonVersion }, after: configName, different, environments: reports }, null, 2)}\n`);
  } else {
    const texts = parts.map(({ snapshot, folder, result }) => textReport(result, snapshot, configName, result.handEdits.map((edit) => handEditLine(edit, folder, before.ref)), stdoutColor));
    process.stdout.write(texts.join('\n'));
  }
  return options.exitCode && different ? exitCodes.problems : exitCodes.ok;
}

/** What to compare with, and how to name its files to people (`out/x`, `out/x at origin/main`). */
async function readBefore(cwd: string, options: DiffFlags): Promise<{ snapshot: OutputSnapshot; folder: string; ref?: string }> {
  if (options.against !== undefined && options.git !== undefined) throw new CouldNotRun('--against and --git both name what to compare with; give one of them');
  if (options.against !== undefined) return { snapshot: readOutputDir(resolve(cwd, options.against), options.against, { mustExist: true }), folder: options.against };
  const out = resolve(cwd, options.out);
  const folder = relative(cwd, out) || '.';
  if (options.git !== undefined) return { snapshot: await readOutputAtGitRef(cwd, out, options.git, `${folder} at ${options.git}`), folder, ref: options.git };
  return { snapshot: readOutputDir(out, folder), folder };
}

/** "out/x was edited by hand since mlmon generated it; the next generate overwrites it". */
function handEditLine(edit: HandEdit, folder: string, ref: string | undefined): string {
  return `${folder}/${edit.path}${ref !== undefined ? ` at ${ref}` : ''} was edited by hand since mlmon generated it; the next generate ${edit.nextGenerate} it`;
}

function textReport(result: OutputDiff, before: OutputSnapshot, configName: string, handEdits: readonly string[], color: ChalkInstance): string {
  const lines: string[] = [];
  if (!result.different) return `${color.green('✓')} ${before.label} is up to date with ${configName}\n`;
  const count = result.files.length;
  const files = count === 0 ? 'no file differs' : `${count} file${count === 1 ? ' differs' : 's differ'}`;
  lines.push(color.bold(`${before.label}${before.exists ? '' : ' (does not exist yet)'} → ${configName}: ${files}`));
  if (count === 0 && result.handEdits.length === 0 && result.manifest) {
    lines.push('', `${color.yellow('!')} ${before.label}'s manifest (.mlmon-manifest.json) is ${result.manifest === 'added' ? 'missing' : 'out of date'}; the next generate writes it`);
  }
  if (handEdits.length) {
    lines.push('');
    for (const line of handEdits) lines.push(`${color.yellow('!')} ${line}`);
  }
  const mark = { added: color.green('+'), removed: color.red('-'), changed: color.yellow('~') };
  for (const section of result.summary) {
    lines.push('', color.bold(section.title));
    for (const change of section.changes.slice(0, textSummaryLimit)) lines.push(`  ${mark[change.change]} ${change.text}`);
    if (section.changes.length > textSummaryLimit) lines.push(color.dim(`  … and ${section.changes.length - textSummaryLimit} more (--format json lists every change)`));
  }
  for (const file of result.files) lines.push('', colorPatch(file.patch.trimEnd(), color));
  return `${lines.join('\n')}\n`;
}

function colorPatch(patch: string, color: ChalkInstance): string {
  return patch
    .split('\n')
    .map((line) => {
      if (line.startsWith('---') || line.startsWith('+++')) return color.bold(line);
      if (line.startsWith('@@')) return color.cyan(line);
      if (line.startsWith('+')) return color.green(line);
      if (line.startsWith('-')) return color.red(line);
      if (line.startsWith('\\')) return color.dim(line);
      return line;
    })
    .join('\n');
}

/** For bots that comment on pull requests: the summary, the hand edits and one unified patch per file. */
function jsonReport(result: OutputDiff, before: OutputSnapshot, configName: string, handEdits: readonly string[]) {
  return {
    generator: { name: 'mlmon', version: mlmonVersion },
    before: before.label,
    after: configName,
    different: result.different,
    handEdits: result.handEdits.map((edit, i) => ({ ...edit, message: handEdits[i] })),
    summary: result.summary,
    files: result.files,
  };
}
