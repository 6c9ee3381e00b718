import type { Problem } from '../problems.js';

/** One check of `mlmon validate`: its stable id (also its docs anchor), what it covered, and what it found. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  /** The artifact (path under out/) or `config`. */
  readonly artifact: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly detail?: string | undefined;
  /** The external tool and its version, for checks that ran one. */
  readonly tool?: string | undefined;
  readonly problems: readonly Problem[];
}

export interface ValidationReport {
  readonly configFile: string;
  readonly checks: readonly CheckResult[];
}

export function problemsOf(report: ValidationReport): Problem[] {
  return report.checks.flatMap((c) => c.problems);
}

export function hasErrors(report: ValidationReport): boolean {
  return problemsOf(report).some((p) => p.severity === 'error');
}

/** A check's status from its problems: only errors fail it. */
export function statusOf(problems: readonly Problem[]): CheckResult['status'] {
  return problems.some((p) => p.severity === 'error') ? 'failed' : 'passed';
}
