import { relative, resolve } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { hasErrors, problemsOf, type CheckResult, type ValidationReport } from '../../check/report.js';
import { validate } from '../../pipeline.js';
import type { Problem } from '../../problems.js';
import { stderrColor, stdoutColor } from '../colors.js';
import { exitCodes } from '../exit-codes.js';
import { formatProblem } from '../report.js';

export interface ValidateFlags {
  config?: string | undefined;
  out: string;
  format: 'text' | 'json' | 'github';
  skipExternal?: boolean | undefined;
  promtool?: string | undefined;
  amtool?: string | undefined;
  kubeconform?: string | undefined;
  toolTimeout: string;
  /** `--disable <id>`, repeatable: warning-only problem ids to leave out of the report. */
  disable?: string[] | undefined;
  /** `--environment`: check only this environment (a config with environments); all of them otherwise. */
  environment?: string | undefined;
}

export async function runValidate(flags: ValidateFlags): Promise<number> {
  const progress = flags.format === 'text' && process.stderr.isTTY ? startSpinner() : undefined;
  let report: ValidationReport;
  try {
    report = await validate({
      cwd: process.cwd(),
      config: flags.config,
      environment: flags.environment,
      skipExternal: Boolean(flags.skipExternal),
      disable: flags.disable ?? [],
      tools: { promtool: flags.promtool, amtool: flags.amtool, kubeconform: flags.kubeconform, timeoutMs: Number(flags.toolTimeout) * 1000 },
    });
  } finally {
    progress?.stop();
  }
  const output = flags.format === 'json' ? formatJson(report) : flags.format === 'github' ? formatGithub(report, flags.out) : formatText(report, stdoutColor);
  process.stdout.write(output);
  return hasErrors(report) ? exitCodes.problems : exitCodes.ok;
}

function startSpinner(): { stop: () => void } {
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  const timer = setInterval(() => process.stderr.write(`\r${stderrColor.cyan(frames[i++ % frames.length])} validating: promtool and amtool running…`), 80);
  return { stop: () => { clearInterval(timer); process.stderr.write('\r\x1b[2K'); } };
}

/** A report grouped by artifact, a ✓ or ✗ per check, then the problems. */
export function formatText(report: ValidationReport, color: ChalkInstance): string {
  const lines: string[] = [`mlmon validate ${color.dim(report.configFile)}`, ''];
  const byArtifact = new Map<string, CheckResult[]>();
  for (const check of report.checks) byArtifact.set(check.artifact, [...(byArtifact.get(check.artifact) ?? []), check]);
  for (const [artifact, checks] of byArtifact) {
    lines.push(color.bold(artifact));
    for (const check of checks) {
      const mark = check.status === 'passed' ? color.green('✓') : check.status === 'skipped' ? color.yellow('-') : color.red('✗');
      const extra = [check.detail, check.tool].filter(Boolean).join(', ');
      const warnings = check.problems.filter((p) => p.severity === 'warning').length;
      lines.push(`  ${mark} ${check.title}${extra ? color.dim(` (${extra})`) : ''}${check.status === 'skipped' ? color.yellow(' skipped') : ''}${warnings ? color.yellow(` ${warnings} warning${warnings === 1 ? '' : 's'}`) : ''}`);
    }
  }
  const problems = problemsOf(report);
  if (problems.length) lines.push('', ...problems.map((p) => formatProblem(p, color)));
  const errors = problems.filter((p) => p.severity === 'error').length;
  const failed = report.checks.filter((c) => c.status === 'failed').length;
  const skipped = report.checks.filter((c) => c.status === 'skipped').length;
  lines.push('', errors
    ? color.red(`✗ ${failed} of ${report.checks.length} checks failed, ${errors} problem${errors === 1 ? '' : 's'}`)
    : color.green(`✓ ${report.checks.length - skipped} checks passed${skipped ? `, ${skipped} skipped` : ''}${problems.length ? `, ${problems.length} warning${problems.length === 1 ? '' : 's'}` : ''}`));
  return `${lines.join('\n')}\n`;
}

export function formatJson(report: ValidationReport): string {
  return `${JSON.stringify({ ok: !hasErrors(report), config: report.configFile, checks: report.checks, problems: problemsOf(report) }, null, 2)}\n`;
}

/** GitHub Actions workflow commands: each problem becomes an annotation on the file it is in. */
export function formatGithub(report: ValidationReport, outDir: string): string {
  const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const fileOf = (p: Problem): string => {
    if (!p.artifact || p.artifact === 'config' || p.artifact === 'out') return relative(process.cwd(), report.configFile) || report.configFile;
    return relative(process.cwd(), resolve(outDir, p.artifact));
  };
  const lines = problemsOf(report).map((p) => {
    const text = [p.message, p.path ? `at ${p.path}` : '', p.allowed ? `allowed: ${p.allowed}` : '', p.hint ? `hint: ${p.hint}` : ''].filter(Boolean).join('\n');
    return `::${p.severity === 'error' ? 'error' : 'warning'} file=${escapeProperty(fileOf(p))},title=${escapeProperty(`mlmon ${p.id}`)}::${escapeData(text)}`;
  });
  const failed = report.checks.filter((c) => c.status === 'failed').length;
  lines.push(failed ? `mlmon validate: ${failed} checks failed` : `mlmon validate: ${report.checks.length} checks passed`);
  return `${lines.join('\n')}\n`;
}
