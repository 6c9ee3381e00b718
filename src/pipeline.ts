/**
 * The whole of mlmon, as one recipe: load → validate → normalize → render → check. `generate` writes the
 * rendered files, `validate` runs the check step on them (the checks registry, src/check/registry.ts) and `diff`
 * compares them; none of them has a second path of its own.
 */
import { performance } from 'node:perf_hooks';
import type { CheckOptions } from './check/run-checks.js';
import type { CheckResult, ValidationReport } from './check/report.js';
import { findConfigFile, loadConfig } from './config/load.js';
import { checkConfigShape } from './config/schema.js';
import { environmentNames, mergeEnvironment, mergeEnvironmentProblems, problemsOfEnvironment, selectEnvironments, unmergeableKeyProblems } from './config/environments.js';
import { checkConfigMeaning, findLiteralSecrets } from './config/semantics.js';
import { customRuleProblems } from './config/rule-semantics.js';
import { sloProblems } from './config/slo-semantics.js';
import type { MonitoringConfig } from './config/types.js';
import type { MonitoringModel } from './normalize/model.js';
import { normalize } from './normalize/normalize.js';
import { scaleOutProblems } from './normalize/sharding.js';
import { CouldNotRun, isError, ProblemsFound, type Problem } from './problems.js';
import { MisreadOutput, RenderError, type RenderedFile } from './render/artifact.js';
import { renderAndCheck } from './render/render.js';

export interface GenerateOptions {
  readonly cwd: string;
  /** `--config`; otherwise monitoring.config.* in `cwd`. */
  readonly config?: string | undefined;
}

export interface Generated {
  readonly configFile: string;
  readonly model: MonitoringModel;
  readonly files: readonly RenderedFile[];
  /** Problems that don't stop generation (severity warning). */
  readonly warnings: readonly Problem[];
  /** Milliseconds spent in each stage, for the benchmarks. */
  readonly timings: Readonly<Record<'load' | 'validate' | 'normalize' | 'render', number>>;
}

/**
 * The recipe for a config that renders one stack (no `environments`), or the one environment
 * `options.environment` names. A config with environments and no `environment` option is CouldNotRun: use
 * `generateStacks`, which renders each environment.
 */
export async function generateInMemory(options: GenerateOptions & { readonly environment?: string | undefined }): Promise<Generated> {
  const { stacks } = await generateStacks(options);
  if (stacks.length !== 1) throw new CouldNotRun(`the config has environments (${stacks.map((s) => s.environment).join(', ')}); name one`);
  return stacks[0]!.generated;
}

/** One rendered stack: the whole config's, or one environment's (rendered into `out/<environment>/`). */
export interface GeneratedStack {
  /** The environment's name; undefined for a config without `environments`. */
  readonly environment: string | undefined;
  readonly generated: Generated;
}

export interface GeneratedStacks {
  readonly configFile: string;
  /** One stack without environments; else one per environment (or the one asked for), sorted by name. */
  readonly stacks: readonly GeneratedStack[];
}

/**
 * load → validate → normalize → render, for each stack the config describes: itself, or each of its
 * environments (src/config/environments.ts). `environment` picks one (CouldNotRun if there is no such one).
 * Every environment is validated before any is rendered, and all their problems are reported together.
 */
export async function generateStacks(options: GenerateOptions & { readonly environment?: string | undefined }): Promise<GeneratedStacks> {
  const timings = { load: 0, validate: 0, normalize: 0, render: 0 };
  const time = async <T>(stage: keyof typeof timings, step: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await step();
    } finally {
      timings[stage] += performance.now() - start;
    }
  };

  // Load: find the config file and evaluate it.
  const configFile = findConfigFile(options.cwd, options.config);
  const loaded = await time('load', () => loadConfig(configFile));
  const names = selectEnvironments(environmentNames(loaded.raw), options.environment);
  if (!names) {
    // Validate: shape (JSON Schema), literal secrets, then meaning (references between parts).
    const problems = await time('validate', () => checkConfig(loaded.raw));
    if (problems.some(isError)) throw new ProblemsFound(problems, configFile);
    // Normalize: one read-only, fully defaulted model.
    const model = await time('normalize', () => normalize(loaded.raw as MonitoringConfig, { configFile }));
    // Render: every artifact, parsed again before it is accepted.
    const files = await time('render', () => renderOrReport(model, problems, configFile));
    return { configFile, stacks: [{ environment: undefined, generated: { configFile, model, files, warnings: problems, timings } }] };
  }
  // Environments: each overlay merged on the base and validated as a whole; problems said where to fix them.
  const environments = names.map((name) => mergeEnvironment(loaded.raw, name));
  const problems = await time('validate', async () => {
    const whole = [...(await checkConfigShape(loaded.raw)), ...findLiteralSecrets(loaded.raw)];
    const perEnvironment = new Map<string, Problem[]>();
    for (const environment of environments) {
      perEnvironment.set(environment.name, [...unmergeableKeyProblems(environment), ...problemsOfEnvironment(environment, loaded.raw, await checkConfig(environment.config))]);
    }
    return mergeEnvironmentProblems(whole, perEnvironment);
  });
  if (problems.some(isError)) throw new ProblemsFound(problems, configFile);
  const stacks: GeneratedStack[] = [];
  for (const environment of environments) {
    const model = await time('normalize', () => normalize(environment.config, { configFile, environment: environment.name }));
    const files = await time('render', () => renderOrReport(model, problems, configFile).catch((error: unknown) => {
      if (error instanceof ProblemsFound) throw new ProblemsFound([...problems, ...problemsOfEnvironment(environment, loaded.raw, error.problems.slice(problems.length))], configFile);
      throw error;
    }));
    stacks.push({ environment: environment.name, generated: { configFile, model, files: sortByPath(files), warnings: problems, timings } });
  }
  return { configFile, stacks };
}

/** Shape (JSON Schema), literal secrets, then meaning (references between parts): every problem at once. */
async function checkConfig(raw: unknown): Promise<Problem[]> {
  const found = [...(await checkConfigShape(raw)), ...findLiteralSecrets(raw)];
  try {
    // The scale-out settings are judged against the labels the generated rules read (normalize's metric
    // catalog), so their check lives beside the sharding code, not in config/.
    found.push(...checkConfigMeaning(raw as MonitoringConfig), ...scaleOutProblems(raw as MonitoringConfig), ...(await customRuleProblems(raw as MonitoringConfig)), ...(await sloProblems(raw as MonitoringConfig)));
  } catch (error) {
    // Meaning checks read the config as typed; when its shape is wrong they may trip over it. Those shape
    // problems are already reported, so a crash here only means fewer findings, never a stack trace.
    if (!found.some(isError)) throw error;
  }
  return found;
}

/**
 * An environment's files in code-unit order of their paths, so that its part of the one manifest of out/
 * reads the same whether all environments were generated or only this one (output/environments.ts).
 */
function sortByPath(files: readonly RenderedFile[]): RenderedFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface ValidateOptions extends GenerateOptions, CheckOptions {
  /** `--environment`: check only this environment of a config with environments. */
  readonly environment?: string | undefined;
}

/**
 * `mlmon validate`: the generate recipe into memory, then the check step on exactly what `generate` would write.
 * Problems that stop generation are reported as the checks they belong to; nothing is thrown for them.
 * A config with environments is checked once per environment (each with its own promtool and amtool proofs);
 * their results form one report, each check's artifact under `<environment>/`.
 */
export async function validate(options: ValidateOptions): Promise<ValidationReport> {
  // Loaded here, not at the top: `generate` and `diff` import this file and need none of the checks.
  const { checkDisabledIds, reportOfStoppedGeneration, runChecks } = await import('./check/run-checks.js');
  // A --disable id that nothing reports, or that names an error, is a bad flag: say so before any work.
  checkDisabledIds(options.disable ?? []);
  let generated: GeneratedStacks;
  try {
    // Load, validate, normalize, render: the same recipe as generate.
    generated = await generateStacks(options);
  } catch (error) {
    if (!(error instanceof ProblemsFound)) throw error;
    return reportOfStoppedGeneration(error, options.disable);
  }
  // Check: every check in the registry, on the rendered files and the model.
  const [only] = generated.stacks;
  if (generated.stacks.length === 1 && only!.environment === undefined) return runChecks(only!.generated, options);
  const checks: CheckResult[] = [];
  for (const [i, { environment, generated: stack }] of generated.stacks.entries()) {
    // The config's warnings are the whole file's, already said per environment: reported with the first one.
    const report = await runChecks(i === 0 ? stack : { ...stack, warnings: [] }, options);
    checks.push(...report.checks.map((check) => checkOfEnvironment(check, environment!)));
  }
  return { configFile: generated.configFile, checks };
}

/** A check of one environment: its artifact, and each problem's output file, under `<environment>/`. */
function checkOfEnvironment(check: CheckResult, environment: string): CheckResult {
  const underEnvironment = (artifact: string) => (artifact === 'config' || artifact === 'out' || artifact.startsWith(`${environment}/`) ? artifact : `${environment}/${artifact}`);
  return {
    ...check,
    // Grouped by artifact in the text report: the config's checks of each environment under a heading of their own.
    artifact: check.artifact === 'config' ? `config (environment ${environment})` : check.artifact === 'out' ? `${environment}/` : underEnvironment(check.artifact),
    problems: check.problems.map((p) => (p.artifact ? { ...p, artifact: underEnvironment(p.artifact) } : p)),
  };
}

/**
 * A file that doesn't parse in its own format is the user's to fix when a template override of theirs wrote
 * it, and mlmon's bug otherwise; either way it is reported as a problem naming the artifact, not a crash.
 */
async function renderOrReport(model: MonitoringModel, warnings: readonly Problem[], configFile: string): Promise<RenderedFile[]> {
  try {
    return await renderAndCheck(model);
  } catch (error) {
    if (error instanceof MisreadOutput) throw new ProblemsFound([...warnings, ...error.problems], configFile);
    if (!(error instanceof RenderError)) throw error;
    throw new ProblemsFound([...warnings, {
      id: 'render/invalid-output', severity: 'error', artifact: error.artifact, message: error.message,
      hint: model.templatesDir
        ? `check the template overrides in ${model.templatesDir} against the built-in templates`
        : 'this is a bug in mlmon: please report it with your config',
    }], configFile);
  }
}
