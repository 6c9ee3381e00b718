/** mlmon's exit codes: 0 ok, 1 problems found (in the config or the output), 2 could not run. */
export const exitCodes = { ok: 0, problems: 1, couldNotRun: 2 } as const;
