import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { formatFragment } from '../../config/openslo/fragment.js';
import { importOpenSlo, type OpenSloFile } from '../../config/openslo/import.js';
import { CouldNotRun, ProblemsFound } from '../../problems.js';
import { stderrColor, stdoutColor } from '../colors.js';
import { exitCodes } from '../exit-codes.js';
import { formatProblems } from '../report.js';

export interface ImportOpenSloFlags {
  readonly files: readonly string[];
  /** Unset: JSON for an `--out` file ending in `.json`, else TypeScript. */
  readonly format?: 'ts' | 'json' | undefined;
  readonly out?: string | undefined;
}

/**
 * `mlmon import openslo <files...>`: prints (or writes to --out) the config fragment of the files' SLOs.
 * Warnings name each dropped field and go to stderr; any error writes nothing and exits 1.
 */
export async function runImportOpenSlo(flags: ImportOpenSloFlags): Promise<number> {
  const cwd = process.cwd();
  const files: OpenSloFile[] = flags.files.map((file) => {
    try {
      return { file, content: readFileSync(resolve(cwd, file), 'utf8') };
    } catch (error) {
      throw new CouldNotRun(`could not read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  });
  const { fragment, problems } = await importOpenSlo(files);
  if (problems.some((p) => p.severity === 'error')) throw new ProblemsFound(problems, flags.files.join(', '));
  if (problems.length) process.stderr.write(`${formatProblems(problems, stderrColor)}\n`);
  const format = flags.format ?? (flags.out?.endsWith('.json') ? 'json' : 'ts');
  const text = formatFragment(fragment, format, flags.files);
  if (flags.out === undefined) {
    process.stdout.write(text);
    return exitCodes.ok;
  }
  writeAtomically(resolve(cwd, flags.out), text);
  const count = [fragment.services, fragment.models].flatMap((targets) => Object.values(targets ?? {})).reduce((n, target) => n + Object.keys(target.slos).length, 0);
  process.stdout.write(`${stdoutColor.green('✓')} wrote ${count} SLO${count === 1 ? '' : 's'} to ${flags.out}\n`);
  return exitCodes.ok;
}

/** Beside the target, then renamed over it: a reader never sees half a file (a rename within a folder is atomic). */
function writeAtomically(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new CouldNotRun(`could not write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
