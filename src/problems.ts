/**
 * One shape for everything a user must fix, from a misspelt config key to a PromQL label that doesn't exist.
 * The `id` is stable: it names the check, is its docs anchor (docs/checks.md#<id>) and is what tests assert on.
 */
export interface Problem {
  /** Stable check id, e.g. `config/unknown-key`, `promql/unknown-label`. */
  id: string;
  severity: 'error' | 'warning';
  /** What is wrong, naming the option and echoing the bad value. */
  message: string;
  /** Config path that produced the problem, e.g. `models.fraud-detector.thresholds.minAccuracy`. */
  path?: string;
  /** The offending value, when there is one. */
  value?: unknown;
  /** What would be accepted. */
  allowed?: string;
  /** How to fix it, including a did-you-mean. */
  hint?: string;
  /** Output file the problem is in, relative to out/ (e.g. `prometheus/rules/alerts.yml`). */
  artifact?: string;
  /** The rule, receiver or object within the artifact. */
  object?: string;
}

/** The user's input has problems: exit 1, nothing written, no stack trace. */
export class ProblemsFound extends Error {
  /** `configFile`: the absolute path of the config file the problems are in, as the reports name it. */
  constructor(readonly problems: readonly Problem[], readonly configFile: string) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} found in ${configFile}`);
  }
}

/** mlmon could not run (bad flags, missing file, unwritable directory): exit 2. */
export class CouldNotRun extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

export function isError(problem: Problem): boolean {
  return problem.severity === 'error';
}

/**
 * Renders a config path from its segments: identifiers joined with dots, other keys bracketed and quoted,
 * array indexes bracketed. `['models', 'fraud-detector', 'thresholds']` → `models.fraud-detector.thresholds`.
 */
export function configPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
