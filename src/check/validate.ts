/**
 * `mlmon validate`: the generate pipeline into memory, then every check on what it produced. There is no
 * second path: what is checked is exactly what `generate` would write.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { durationSeconds } from '../normalize/duration.js';
import { generateInMemory, type GenerateOptions, type Generated } from '../pipeline.js';
import { ProblemsFound, type Problem } from '../problems.js';
import { RenderError, type RenderedFile } from '../render/artifact.js';
import { checkTemplatedYaml, isTemplatedYaml, readerMismatchProblems } from '../render/yaml-check.js';
import { checkDashboards } from './dashboards.js';
import { checkInhibitRules } from './inhibit-rules.js';
import { runExternalChecks, type ToolOptions } from './external-tools.js';
import { checkKubernetesObjects } from './kubernetes-objects.js';
import { checkLogstashPipelines } from './logstash-pipelines.js';
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
    // The config passed when what failed is a rendered file (a template override that writes broken YAML, or
    // YAML that Kubernetes' YAML 1.1 decoder reads differently).
    const isRendering = (p: Problem) => p.id === 'render/invalid-output' || p.id === 'yaml/reader-mismatch';
    const rendering = error.problems.filter(isRendering);
    const config = error.problems.filter((p) => !isRendering(p));
    const checks: CheckResult[] = [{ id: 'config', title: 'config shape and meaning', artifact: 'config', status: rendering.length ? statusOf(config) : 'failed', problems: config }];
    for (const problem of rendering.filter((p) => p.id === 'render/invalid-output')) {
      checks.push({ id: 'render/invalid-output', title: 'the rendered file parses in its own format', artifact: problem.artifact ?? 'out', status: 'failed', problems: [problem] });
    }
    const misread = rendering.filter((p) => p.id === 'yaml/reader-mismatch');
    if (misread.length) checks.push({ id: 'yaml/reader-mismatch', title: 'YAML files read the same under YAML 1.1 (Kubernetes) and 1.2', artifact: 'out', status: 'failed', problems: misread });
    return { configFile: error.configFile, checks };
  }
  const { model, files } = generated;
  const checks: CheckResult[] = [
    { id: 'config', title: 'config shape and meaning', artifact: 'config', status: statusOf(generated.warnings), problems: generated.warnings, detail: generated.configFile },
  ];

  // Every templated YAML file parses (generate checks this itself when template overrides are in play, and
  // would have stopped above); the same parse notes the files with a value YAML 1.1 reads differently.
  const { problems: yaml, misread } = templatedYamlProblems(files);
  checks.push({ id: 'render/invalid-output', title: 'the rendered files parse in their own format', artifact: 'out', status: statusOf(yaml), problems: yaml, detail: count(files.filter(isTemplatedYaml).length, 'YAML file') });

  // PromQL of every rule against the metric catalog.
  const sources = promqlSources(generated);
  const promqlOptions = { catalog: model.metricCatalog, scrapeIntervalSeconds: durationSeconds(model.prometheus.scrapeInterval) };
  const promqlProblems = (await Promise.all(sources.map((s) => checkPromql(s, promqlOptions)))).flat();
  checks.push({ id: 'promql', title: 'PromQL parses and matches the metric catalog', artifact: 'prometheus/rules', status: statusOf(promqlProblems), problems: promqlProblems, detail: `${sources.length} expressions` });

  const hygiene = checkRuleHygiene(model, model.builtinAlerts.some((a) => 'runbook_url' in a.rule.annotations));
  checks.push({ id: 'rules/hygiene', title: 'rule hygiene', artifact: 'prometheus/rules', status: statusOf(hygiene), problems: hygiene });

  const inhibit = await checkInhibitRules(model);
  checks.push({ id: 'inhibit/rules', title: 'inhibit rules mute only alerts about the same thing', artifact: 'alertmanager/alertmanager.yml', status: statusOf(inhibit), problems: inhibit });

  const secrets = checkOutputForSecrets(files);
  checks.push({ id: 'secrets', title: 'no secret in the output', artifact: 'out', status: statusOf(secrets), problems: secrets, detail: `${files.length} files scanned` });

  // Kubernetes objects against the API's schemas; dashboards against Grafana's model, their PromQL against the
  // catalog; the Logstash pipeline against Logstash's grammar.
  const kubernetes = await checkKubernetesObjects(files);
  checks.push({ id: 'kubernetes/objects', title: 'objects match the Kubernetes API schemas', artifact: 'k8s', status: statusOf(kubernetes.problems), problems: kubernetes.problems, detail: count(kubernetes.objects, 'object') });
  // Values Kubernetes (YAML 1.1 rules) or another reader takes for something else than YAML 1.2 does.
  const readers = [...misread, ...kubernetes.misread].flatMap(readerMismatchProblems);
  checks.push({ id: 'yaml/reader-mismatch', title: 'YAML files read the same under YAML 1.1 (Kubernetes) and 1.2', artifact: 'out', status: statusOf(readers), problems: readers, detail: count(files.filter((f) => /\.ya?ml$/.test(f.path)).length, 'YAML file') });
  const dashboards = await checkDashboards(files, promqlOptions);
  checks.push({ id: 'grafana/dashboards', title: 'dashboards match Grafana\'s model, their queries the metric catalog', artifact: 'grafana/dashboards', status: statusOf(dashboards.problems), problems: dashboards.problems, detail: `${count(dashboards.dashboards, 'dashboard')}, ${count(dashboards.queries, 'query', 'queries')}` });
  const logstash = checkLogstashPipelines(files);
  checks.push({ id: 'logstash/syntax', title: 'pipelines parse with Logstash\'s grammar', artifact: 'logstash/pipeline', status: statusOf(logstash.problems), problems: logstash.problems, detail: count(logstash.pipelines, 'pipeline') });

  // External tools read the files from disk: write the in-memory output to a scratch folder (unless they are
  // skipped, when they read nothing).
  const dir = options.skipExternal ? undefined : mkdtempSync(join(tmpdir(), 'mlmon-validate-'));
  try {
    if (dir) writeFiles(dir, files);
    checks.push(...(await runExternalChecks(model, dir ?? '', options.tools, options.skipExternal)));
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  return { configFile: generated.configFile, checks };
}

function templatedYamlProblems(files: readonly RenderedFile[]): { problems: Problem[]; misread: RenderedFile[] } {
  try {
    return { problems: [], misread: checkTemplatedYaml(files) };
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    return { problems: [{ id: 'render/invalid-output', severity: 'error', artifact: error.artifact, message: error.message, hint: 'this is a bug in mlmon: please report it with your config' }], misread: [] };
  }
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
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
