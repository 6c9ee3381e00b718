/**
 * Runs one command and turns whatever it throws into a message and an exit code. The command line's front
 * (main.ts: flags and help) imports this module only when a command actually runs; each command's own module
 * is imported from here, so a run loads the code of one command only.
 */
import { CouldNotRun, ProblemsFound } from '../problems.js';
import type { CheckMetricsFlags } from './commands/check-metrics.js';
import type { DiffFlags } from './commands/diff.js';
import type { GenerateFlags } from './commands/generate.js';
import type { ImportOpenSloFlags } from './commands/import-openslo.js';
import type { InitFlags } from './commands/init.js';
import type { InstrumentFlags } from './commands/instrument.js';
import type { ValidateFlags } from './commands/validate.js';
import { exitCodes } from './exit-codes.js';

export interface CommandFlags {
  generate: GenerateFlags;
  diff: DiffFlags;
  validate: ValidateFlags;
  importOpenSlo: ImportOpenSloFlags;
  checkMetrics: CheckMetricsFlags;
  instrument: InstrumentFlags;
  init: InitFlags;
}

const commands: { [name in keyof CommandFlags]: () => Promise<(flags: CommandFlags[name]) => Promise<number>> } = {
  generate: async () => (await import('./commands/generate.js')).runGenerate,
  diff: async () => (await import('./commands/diff.js')).runDiff,
  validate: async () => (await import('./commands/validate.js')).runValidate,
  importOpenSlo: async () => (await import('./commands/import-openslo.js')).runImportOpenSlo,
  checkMetrics: async () => (await import('./commands/check-metrics.js')).runCheckMetrics,
  instrument: async () => (await import('./commands/instrument.js')).runInstrument,
  init: async () => (await import('./commands/init.js')).runInit,
};

export async function runCommand<Name extends keyof CommandFlags>(name: Name, flags: CommandFlags[Name]): Promise<number> {
  try {
    const run = await commands[name]();
    return await run(flags);
  } catch (error) {
    return await reportError(error);
  }
}

/** The one place that turns errors into messages and exit codes. */
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
  // Anything else is a bug in mlmon, not the user's mistake: say so, and keep the stack for the report.
  return reportInternalError(error, stderrColor.red('internal error:'));
}

export function reportInternalError(error: unknown, label = 'internal error:'): number {
  process.stderr.write(`${label} ${(error as Error)?.message ?? String(error)}\nThis is a bug in mlmon; please report it with the trace below.\n${(error as Error)?.stack ?? ''}\n`);
  return exitCodes.couldNotRun;
}
