/**
 * One config judged the way the fuzz test judges it: problems reported properly, or an output that the real
 * tools and decoders accept. Used by the regression replay, and to shrink a failure the batched run found.
 */
import { checkOutputs, type ToolFailure } from './tool-checks.js';
import { runCase, type CaseOutcome } from './run-case.js';
import type { ConfigFormat } from './config-arbitrary.js';

export interface CaseVerdict {
  readonly outcome: CaseOutcome['kind'];
  /** Empty when mlmon behaved: problems reported well, or an output every tool accepts. */
  readonly failures: readonly ToolFailure[];
  readonly problemIds: readonly string[];
}

export async function checkCase(dir: string, config: unknown, format: ConfigFormat): Promise<CaseVerdict> {
  const outcome = await runCase(dir, config, format);
  if (outcome.kind === 'failure') return { outcome: outcome.kind, failures: [{ check: outcome.check, message: outcome.message }], problemIds: [] };
  if (outcome.kind === 'problems') return { outcome: outcome.kind, failures: [], problemIds: [...new Set(outcome.problems.filter((p) => p.severity === 'error').map((p) => p.id))].sort() };
  const failures = (await checkOutputs([outcome.outDir], { routeBudget: 1, testRulesBudget: 1 })).get(0) ?? [];
  return { outcome: outcome.kind, failures, problemIds: [] };
}
