import { relative, resolve } from 'node:path';
import type { ChalkInstance } from 'chalk';
import type { Problem } from '../../problems.js';
import { stdoutColor } from '../colors.js';
import { exitCodes } from '../exit-codes.js';
import { formatProblem } from '../report.js';

export interface CheckMetricsFlags {
  /** URLs (`http://host:port/metrics`) or files holding a saved scrape. */
  readonly inputs: readonly string[];
  readonly config?: string | undefined;
  readonly format: 'text' | 'json' | 'github';
  readonly expositionJson?: string | undefined;
}

/** What one input gave: its problems, sorted errors first. */
interface SourceResult {
  readonly source: string;
  readonly families: number;
  readonly problems: readonly Problem[];
}

/**
 * `mlmon check-metrics <url|file>…`: scrapes each endpoint (or reads each saved scrape) and holds it to the
 * config's metric contract. Exit 0 when no input has an error, 1 when one has (as `validate`), 2 when mlmon could
 * not run (no config, no exposition parser).
 */
export async function runCheckMetrics(flags: CheckMetricsFlags): Promise<number> {
  const cwd = process.cwd();
  // Loaded here: the parser, the contract and the catalog are only needed once the command runs.
  const [{ loadMetricContract }, { findExpositionParser, readExpositions }, { checkExposition }, { integrations }] = await Promise.all([
    import('../../metrics/load.js'), import('../../metrics/exposition.js'), import('../../metrics/check.js'), import('../../catalog/integrations/index.js'),
  ]);
  const parser = findExpositionParser(flags.expositionJson);
  const { configFile, contract } = await loadMetricContract(cwd, flags.config);
  const expositions = await readExpositions(flags.inputs, parser, cwd);
  const results: SourceResult[] = expositions.map((e) => ('problem' in e
    ? { source: e.source, families: 0, problems: [e.problem] }
    : { source: e.source, families: e.families.length, problems: checkExposition(e.source, e.families, contract, integrations) }));
  const output = flags.format === 'json' ? formatJson(configFile, results) : flags.format === 'github' ? formatGithub(results, cwd) : formatText(configFile, results, stdoutColor);
  process.stdout.write(output);
  return results.some((r) => r.problems.some((p) => p.severity === 'error')) ? exitCodes.problems : exitCodes.ok;
}

function formatText(configFile: string, results: readonly SourceResult[], color: ChalkInstance): string {
  const lines = [`mlmon check-metrics ${color.dim(configFile)}`, ''];
  for (const r of results) {
    const errors = r.problems.filter((p) => p.severity === 'error').length;
    const warnings = r.problems.length - errors;
    lines.push(`${errors ? color.red('✗') : color.green('✓')} ${color.bold(r.source)} ${color.dim(`(${r.families} metric families)`)}${errors ? color.red(` ${errors} error${errors === 1 ? '' : 's'}`) : ''}${warnings ? color.yellow(` ${warnings} warning${warnings === 1 ? '' : 's'}`) : ''}`);
  }
  const problems = results.flatMap((r) => r.problems);
  if (problems.length) lines.push('', ...[...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1)).map((p) => formatProblem(p, color)));
  const failed = results.filter((r) => r.problems.some((p) => p.severity === 'error')).length;
  lines.push('', failed ? color.red(`✗ ${failed} of ${results.length} endpoints break the metric contract`) : color.green(`✓ ${results.length} endpoint${results.length === 1 ? '' : 's'} match the metric contract`));
  return `${lines.join('\n')}\n`;
}

function formatJson(configFile: string, results: readonly SourceResult[]): string {
  const problems = results.flatMap((r) => r.problems);
  return `${JSON.stringify({ ok: !problems.some((p) => p.severity === 'error'), config: configFile, sources: results, problems }, null, 2)}\n`;
}

/** GitHub Actions workflow commands, as `validate --format github`; a saved scrape is the annotation's file. */
function formatGithub(results: readonly SourceResult[], cwd: string): string {
  const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const lines = results.flatMap((r) => r.problems.map((p) => {
    const text = [p.message, p.path ? `at ${p.path}` : '', p.allowed ? `allowed: ${p.allowed}` : '', p.hint ? `hint: ${p.hint}` : ''].filter(Boolean).join('\n');
    const file = /^https?:\/\//.test(r.source) ? '' : `file=${escapeProperty(relative(cwd, resolve(cwd, r.source)))},`;
    return `::${p.severity === 'error' ? 'error' : 'warning'} ${file}title=${escapeProperty(`mlmon ${p.id}`)}::${escapeData(text)}`;
  }));
  const failed = results.filter((r) => r.problems.some((p) => p.severity === 'error')).length;
  lines.push(failed ? `mlmon check-metrics: ${failed} of ${results.length} endpoints break the metric contract` : `mlmon check-metrics: ${results.length} endpoints match the metric contract`);
  return `${lines.join('\n')}\n`;
}
