import { exitCodes } from './exit-codes.js';

/**
 * Reports an error that is a bug in mlmon, not the user's mistake: says so, and keeps the stack for the report.
 * Exit code 2. Free of imports beyond the exit codes, so the command line's front can hold it.
 */
export function reportInternalError(error: unknown, label = 'internal error:'): number {
  process.stderr.write(`${label} ${(error as Error)?.message ?? String(error)}\nThis is a bug in mlmon; please report it with the trace below.\n${(error as Error)?.stack ?? ''}\n`);
  return exitCodes.couldNotRun;
}
