/**
 * The check step of the pipeline: every check in the registry on what was generated, one result each, in
 * registry order. The external tools start first, in parallel, on the output written to a scratch folder; mlmon's
 * own checks run while they do. `--disable` silences warning-only problem ids; an error is never silenced.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { didYouMean } from '../config/did-you-mean.js';
import { durationSeconds } from '../formats/prometheus-duration.js';
import { CouldNotRun, type Problem, type ProblemsFound } from '../problems.js';
import { RenderError, type RenderedFile } from '../render/artifact.js';
import { checkTemplatedYaml, checkYamlStreams, isTemplatedYaml, isYamlArtifact } from '../render/yaml-check.js';
import { resolveTool, toolsCacheRoot, type ResolvedTool, type ToolOptions } from './external-tools.js';
import { checkKubernetesObjects, isKubernetesManifest, type KubernetesObjectsResult } from './kubernetes-objects.js';
import { checkRegistry, disableableIds, type Check, type CheckContext, type CheckedOutput, type Finding, type ToolCheck } from './registry.js';
import { statusOf, type CheckResult, type ValidationReport } from './report.js';

export interface CheckOptions {
  /** `--skip-external`: the tool checks are reported as skipped, and no tool is looked for. */
  readonly skipExternal: boolean;
  readonly tools: ToolOptions;
  /** `--disable <id>`: warning-only problem ids to leave out of the report (see `disableableIds`). */
  readonly disable?: readonly string[] | undefined;
  /** Called as each external check finishes (progress on a TTY), with its id and wall time in ms (the bench). */
  readonly onProgress?: (done: number, total: number, finished: { readonly id: string; readonly ms: number }) => void;
}

/**
 * Throws CouldNotRun (exit 2) for a `--disable` id that no check reports, or that a check reports as an error:
 * an error is what a tool would reject or an alert that would never page, so it cannot be silenced.
 */
export function checkDisabledIds(ids: readonly string[], registry: readonly Check[] = checkRegistry): void {
  const allowed = disableableIds(registry);
  const known = new Set(registry.flatMap((c) => [c.id, ...Object.keys(c.emits)]));
  for (const id of ids) {
    if (allowed.includes(id)) continue;
    if (known.has(id)) {
      throw new CouldNotRun(`--disable ${id}: ${id} reports errors (output a tool would reject, or an alert that would not fire), which cannot be disabled`,
        `only warnings can be disabled: ${allowed.join(', ')}`);
    }
    const suggestion = didYouMean(id, known);
    throw new CouldNotRun(`--disable ${id}: no check reports ${id}`, `${suggestion ? `did you mean ${suggestion}? ` : ''}ids that can be disabled: ${allowed.join(', ')} (docs/checks.md)`);
  }
}

/** Runs every check of `registry` on `output`. Throws only for a bug in mlmon (a check that crashed). */
export async function runChecks(output: CheckedOutput, options: CheckOptions, registry: readonly Check[] = checkRegistry): Promise<ValidationReport> {
  const disabled = new Set(options.disable ?? []);
  checkDisabledIds([...disabled], registry);
  const context = checkContext(output);
  const results = new Map<Check, CheckResult>();
  // The tools first: they run in processes of their own, so mlmon's own checks run meanwhile instead of before
  // them, and validate ends about when its slowest tool check does.
  const toolChecks = registry.filter((c): c is ToolCheck => c.kind === 'tool');
  const tools = await startToolChecks(toolChecks, output, options, disabled);
  try {
    for (const check of registry) {
      if (check.kind === 'model') results.set(check, resultOf(check, await check.run(context), disabled));
    }
  } catch (error) {
    await tools.done.catch(() => undefined);
    throw error;
  }
  const toolResults = await tools.done;
  toolChecks.forEach((check, i) => results.set(check, toolResults[i]!));
  return { configFile: output.configFile, checks: registry.map((c) => results.get(c)!) };
}

/**
 * The report when generation stopped (ProblemsFound): the config check, failed unless what failed is a
 * rendered file (a template override that writes broken YAML, or YAML that Kubernetes' YAML 1.1 decoder reads
 * differently), then those files' checks. No other check has output to look at.
 */
export function reportOfStoppedGeneration(error: ProblemsFound, disable: readonly string[] = [], registry: readonly Check[] = checkRegistry): ValidationReport {
  const disabled = new Set(disable);
  const entry = (id: string) => registry.find((c) => c.id === id)!;
  const isRendering = (p: Problem) => p.id === 'render/invalid-output' || p.id === 'yaml/reader-mismatch';
  const rendering = error.problems.filter(isRendering);
  const config = error.problems.filter((p) => !isRendering(p) && !disabled.has(p.id));
  const checks: CheckResult[] = [{ ...header(entry('config')), status: rendering.length ? statusOf(config) : 'failed', problems: config }];
  for (const problem of rendering.filter((p) => p.id === 'render/invalid-output')) {
    // One line per broken file, on that file (singular title: it is about this one file).
    checks.push({ ...header(entry('render/invalid-output')), title: 'the rendered file parses in its own format', artifact: problem.artifact ?? 'out', status: 'failed', problems: [problem] });
  }
  const misread = rendering.filter((p) => p.id === 'yaml/reader-mismatch');
  if (misread.length) checks.push({ ...header(entry('yaml/reader-mismatch')), status: 'failed', problems: misread });
  return { configFile: error.configFile, checks };
}

function header(check: Check): Pick<CheckResult, 'id' | 'title' | 'artifact'> {
  return { id: check.id, title: check.title, artifact: check.artifact };
}

function resultOf(check: Check, finding: Finding, disabled: ReadonlySet<string>, tool?: ResolvedTool): CheckResult {
  const problems = finding.problems.filter((p) => !disabled.has(p.id));
  const silenced = finding.problems.length - problems.length;
  const detail = [finding.detail, silenced ? `${silenced} disabled by --disable` : undefined].filter(Boolean).join(', ') || undefined;
  // Key order as the report had it before the registry, so the JSON output keeps its bytes: a model check's
  // problems before its detail, a tool check's detail and tool before its problems.
  return tool
    ? { ...header(check), status: statusOf(problems), ...(detail ? { detail } : {}), tool: `${tool.name} ${tool.version}`, problems }
    : { ...header(check), status: statusOf(problems), problems, ...(detail ? { detail } : {}) };
}

/** Work two checks share, done once on first use. */
function checkContext(output: CheckedOutput): CheckContext {
  let yaml: ReturnType<CheckContext['templatedYaml']> | undefined;
  let kubernetes: Promise<KubernetesObjectsResult> | undefined;
  return {
    output,
    promql: { catalog: output.model.metricCatalog, scrapeIntervalSeconds: durationSeconds(output.model.prometheus.scrapeInterval) },
    templatedYaml: () => (yaml ??= templatedYamlProblems(output.files)),
    kubernetes: () => (kubernetes ??= checkKubernetesObjects(output.files)),
  };
}

/**
 * Every templated YAML file parses, and so does every other YAML file of the registry's that the Kubernetes
 * schema check doesn't read (openslo/, the operator objects); the same parse notes the files with a value
 * YAML 1.1 reads differently. Between them and the Kubernetes check, yaml/reader-mismatch reads every YAML file.
 */
function templatedYamlProblems(files: readonly RenderedFile[]): { problems: Problem[]; misread: RenderedFile[] } {
  try {
    return { problems: [], misread: [...checkTemplatedYaml(files), ...checkYamlStreams(yamlStreams(files))] };
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    return { problems: [{ id: 'render/invalid-output', severity: 'error', artifact: error.artifact, message: error.message, hint: 'this is a bug in mlmon: please report it with your config' }], misread: [] };
  }
}

/** The YAML files neither the templated parse nor the Kubernetes schema check reads. */
export const yamlStreams = (files: readonly RenderedFile[]): RenderedFile[] =>
  files.filter((f) => isYamlArtifact(f) && !isTemplatedYaml(f) && !isKubernetesManifest(f.path));

/**
 * Starts the tool checks, in parallel, and returns once their first tool processes are running; `done` holds
 * their results. Skipped under --skip-external (no tool is looked for, nothing is written); failed with
 * tools/missing when their tool is not found. Tools read files, so the output is written to a scratch folder,
 * removed when they are done.
 */
async function startToolChecks(checks: readonly ToolCheck[], output: CheckedOutput, options: CheckOptions, disabled: ReadonlySet<string>): Promise<{ done: Promise<CheckResult[]> }> {
  // A check with nothing to look at says why, rather than that it was skipped: no flag would make it run.
  const idle = new Map(checks.map((check) => [check, check.notApplicable?.(output.model)]));
  const notApplicable = (check: ToolCheck, reason: string): CheckResult => ({ ...header(check), status: 'passed', detail: reason, problems: [] });
  if (options.skipExternal) return { done: Promise.resolve(checks.map((check) => (idle.get(check) ? notApplicable(check, idle.get(check)!) : { ...header(check), status: 'skipped', detail: '--skip-external', problems: [] }))) };
  const names = [...new Set(checks.filter((c) => !idle.get(c)).map((c) => c.tool))];
  const found = new Map(await Promise.all(names.map(async (name) => [name, await resolveTool(name, options.tools[name], options.tools.timeoutMs)] as const)));
  const dir = mkdtempSync(join(tmpdir(), 'mlmon-validate-'));
  try {
    writeFiles(dir, output.files);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let finished = 0;
  const done = (async () => {
    try {
      return await Promise.all(checks.map(async (check) => {
        const tool = found.get(check.tool);
        const start = performance.now();
        const reason = idle.get(check);
        const result = reason ? notApplicable(check, reason) : tool
          ? resultOf(check, await check.run({ model: output.model, dir, tool, timeoutMs: options.tools.timeoutMs }), disabled, tool)
          : { ...header(check), status: 'failed' as const, problems: [missingTool(check)] };
        options.onProgress?.(++finished, checks.length, { id: check.id, ms: performance.now() - start });
        return result;
      }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  // The checks reach their first tool process within promise jobs (the tools were run once, for their version);
  // let those run before mlmon's own checks take the thread.
  await new Promise((resolve) => setImmediate(resolve));
  return { done };
}

function missingTool(check: ToolCheck): Problem {
  const tool = check.tool;
  return {
    id: 'tools/missing', severity: 'error', artifact: check.artifact,
    message: `${tool} was not found, so ${check.title} could not run`,
    hint: `run \`npm run tools\` in mlmon's folder (builds the pinned ${tool} into ${toolsCacheRoot()}), put ${tool} on PATH, set MLMON_${tool.toUpperCase()} or pass --${tool} <path>; or run with --skip-external to skip these checks`,
  };
}

function writeFiles(dir: string, files: readonly RenderedFile[]): void {
  for (const file of files) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}
