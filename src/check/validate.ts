/**
 * `mlmon validate`: the generate pipeline into memory, then every check on what it produced. There is no
 * second path: what is checked is exactly what `generate` would write.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { durationSeconds } from '../normalize/duration.js';
import { generateInMemory, type GenerateOptions, type Generated } from '../pipeline.js';
import { ProblemsFound } from '../problems.js';
import type { RenderedFile } from '../render/artifact.js';
import { runExternalChecks, type ToolOptions } from './external-tools.js';
import { checkPromql, type PromqlSource } from './promql-semantics.js';
import { statusOf, type CheckResult, type ValidationReport } from './report.js';
import { checkRuleHygiene } from './rule-hygiene.js';
import { checkOutputForSecrets } from './secrets.js';

export interface ValidateOptions extends GenerateOptions {
  readonly skipExternal: boolean;
  readonly tools: ToolOptions;
  /** Called as each external check finishes (progress on a TTY). */
  readonly onProgress?: (done: number, total: number) => void;
}

export async function validate(options: ValidateOptions): Promise<ValidationReport> {
  let generated: Generated;
  try {
    // Load, check the config, normalize and render: exactly what `generate` does, into memory.
    generated = await generateInMemory(options);
  } catch (error) {
    if (!(error instanceof ProblemsFound)) throw error;
    return { configFile: error.stage, checks: [{ id: 'config', title: 'config shape and meaning', artifact: 'config', status: 'failed', problems: error.problems }] };
  }
  const { model, files } = generated;
  const checks: CheckResult[] = [
    { id: 'config', title: 'config shape and meaning', artifact: 'config', status: statusOf(generated.warnings), problems: generated.warnings, detail: generated.configFile },
  ];

  // PromQL of every rule against the metric catalog.
  const sources = promqlSources(generated);
  const promqlProblems = (await Promise.all(sources.map((s) => checkPromql(s, { catalog: model.metricCatalog, scrapeIntervalSeconds: durationSeconds(model.prometheus.scrapeInterval) })))).flat();
  checks.push({ id: 'promql', title: 'PromQL parses and matches the metric catalog', artifact: 'prometheus/rules', status: statusOf(promqlProblems), problems: promqlProblems, detail: `${sources.length} expressions` });

  const hygiene = checkRuleHygiene(model, model.builtinAlerts.some((a) => 'runbook_url' in a.rule.annotations));
  checks.push({ id: 'rules/hygiene', title: 'rule hygiene', artifact: 'prometheus/rules', status: statusOf(hygiene), problems: hygiene });

  const secrets = checkOutputForSecrets(files);
  checks.push({ id: 'secrets', title: 'no secret in the output', artifact: 'out', status: statusOf(secrets), problems: secrets, detail: `${files.length} files scanned` });

  // External tools read the files from disk: write the in-memory output to a scratch folder.
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-validate-'));
  try {
    writeFiles(dir, files);
    checks.push(...(await runExternalChecks(model, dir, options.tools, options.skipExternal)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { configFile: generated.configFile, checks };
}

function writeFiles(dir: string, files: readonly RenderedFile[]): void {
  for (const file of files) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}

function promqlSources(generated: Generated): PromqlSource[] {
  const sources: PromqlSource[] = [];
  for (const file of generated.model.ruleFiles) {
    for (const group of file.groups) {
      for (const rule of group.rules) {
        const annotationLabels = rule.kind === 'alert'
          ? [...new Set([...Object.values(rule.annotations).join('\n').matchAll(/\$labels\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))]
          : undefined;
        sources.push({
          expr: rule.expr, artifact: `prometheus/rules/${file.name}`, object: rule.kind === 'alert' ? rule.alert : rule.record, path: rule.source,
          ...(annotationLabels ? { annotationLabels } : {}),
        });
      }
    }
  }
  return sources;
}
