/**
 * Runs one command and turns whatever it throws into a message and an exit code (report-errors.ts). The
 * command line's front (main.ts: flags and help) imports this module only when a command actually runs; each
 * command's own module is imported from here, so a run loads the code of one command only. In the CLI bundle
 * the front runs each command's own CommonJS bundle instead (command-bundles.ts, scripts/bundle-cli.mjs).
 */
import type { CheckMetricsFlags } from './commands/check-metrics.js';
import type { DiffFlags } from './commands/diff.js';
import type { GenerateFlags } from './commands/generate.js';
import type { ImportOpenSloFlags } from './commands/import-openslo.js';
import type { InitFlags } from './commands/init.js';
import type { InstrumentFlags } from './commands/instrument.js';
import type { ValidateFlags } from './commands/validate.js';
import { runReportingErrors } from './report-errors.js';

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
  return runReportingErrors(commands[name], flags);
}

export { reportInternalError } from './internal-error.js';
