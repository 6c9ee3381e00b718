/**
 * The one place that turns what a command throws into a message and an exit code: ProblemsFound is exit 1 with
 * every problem listed, CouldNotRun exit 2 with its hint, anything else an internal error (a bug in mlmon)
 * with its stack. Each command runs through it, unbundled (run-command.ts) and in its CLI bundle
 * (scripts/bundle-cli.mjs), so both report alike.
 */
import { CouldNotRun, ProblemsFound } from '../problems.js';
import { exitCodes } from './exit-codes.js';
import { reportInternalError } from './internal-error.js';

/** Runs the command `load` gives with `flags`; its exit code, or the one of what it threw (reported). */
export async function runReportingErrors<Flags>(load: () => Promise<(flags: Flags) => Promise<number>>, flags: Flags): Promise<number> {
  try {
    const run = await load();
    return await run(flags);
  } catch (error) {
    return await reportError(error);
  }
}

async function reportError(error: unknown): Promise<number> {
  const [{ stderrColor }, { formatProblems }] = await Promise.all([import('./colors.js'), import('./report.js')]);
  if (error instanceof ProblemsFound) {
    const errors = error.problems.filter((p) => p.severity === 'error').length;
    process.stderr.write(`${formatProblems(error.problems, stderrColor)}\n\n${stderrColor.red(`${errors} problem${errors === 1 ? '' : 's'} in ${error.configFile}; nothing was written.`)}\n`);
    return exitCodes.problems;
  }
  if (error instanceof CouldNotRun) {
    process.stderr.write(`${stderrColor.red('error:')} ${error.message}\n${error.hint ? `${stderrColor.dim('hint:')} ${error.hint}\n` : ''}`);
    return exitCodes.couldNotRun;
  }
  return reportInternalError(error, stderrColor.red('internal error:'));
}
