/**
 * The whole of mlmon, as one recipe: load → validate → normalize → render → check. `generate` writes the
 * rendered files, `validate` runs the check step on them (the checks registry, src/check/registry.ts) and `diff`
 * compares them; none of them has a second path of its own.
 */
import { performance } from 'node:perf_hooks';
import type { CheckOptions } from './check/run-checks.js';
import type { ValidationReport } from './check/report.js';
import { findConfigFile, loadConfig } from './config/load.js';
import { checkConfigShape } from './config/schema.js';
import { checkConfigMeaning, findLiteralSecrets } from './config/semantics.js';
import { customRuleProblems } from './config/rule-semantics.js';
import { sloProblems } from './config/slo-semantics.js';
import type { MonitoringConfig } from './config/types.js';
import type { MonitoringModel } from './normalize/model.js';
import { normalize } from './normalize/normalize.js';
import { isError, ProblemsFound, type Problem } from './problems.js';
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

export async function generateInMemory(options: GenerateOptions): Promise<Generated> {
  const timings = { load: 0, validate: 0, normalize: 0, render: 0 };
  const time = async <T>(stage: keyof typeof timings, step: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await step();
    } finally {
      timings[stage] = performance.now() - start;
    }
  };

  // Load: find the config file and evaluate it.
  const configFile = findConfigFile(options.cwd, options.config);
  const loaded = await time('load', () => loadConfig(configFile));
  // Validate: shape (JSON Schema), literal secrets, then meaning (references between parts).
  const problems = await time('validate', async () => {
    const found = [...(await checkConfigShape(loaded.raw)), ...findLiteralSecrets(loaded.raw)];
    try {
      found.push(...checkConfigMeaning(loaded.raw as MonitoringConfig), ...(await customRuleProblems(loaded.raw as MonitoringConfig)), ...(await sloProblems(loaded.raw as MonitoringConfig)));
    } catch (error) {
      // Meaning checks read the config as typed; when its shape is wrong they may trip over it. Those shape
      // problems are already reported, so a crash here only means fewer findings, never a stack trace.
      if (!found.some(isError)) throw error;
    }
    return found;
  });
  if (problems.some(isError)) throw new ProblemsFound(problems, configFile);
  // Normalize: one read-only, fully defaulted model.
  const model = await time('normalize', () => normalize(loaded.raw as MonitoringConfig, { configFile }));
  // Render: every artifact, parsed again before it is accepted.
  const files = await time('render', () => renderOrReport(model, problems, configFile));
  return { configFile, model, files, warnings: problems, timings };
}

export interface ValidateOptions extends GenerateOptions, CheckOptions {}

/**
 * `mlmon validate`: the generate recipe into memory, then the check step on exactly what `generate` would write.
 * Problems that stop generation are reported as the checks they belong to; nothing is thrown for them.
 */
export async function validate(options: ValidateOptions): Promise<ValidationReport> {
  // Loaded here, not at the top: `generate` and `diff` import this file and need none of the checks.
  const { checkDisabledIds, reportOfStoppedGeneration, runChecks } = await import('./check/run-checks.js');
  // A --disable id that nothing reports, or that names an error, is a bad flag: say so before any work.
  checkDisabledIds(options.disable ?? []);
  let generated: Generated;
  try {
    // Load, validate, normalize, render: the same recipe as generate.
    generated = await generateInMemory(options);
  } catch (error) {
    if (!(error instanceof ProblemsFound)) throw error;
    return reportOfStoppedGeneration(error, options.disable);
  }
  // Check: every check in the registry, on the rendered files and the model.
  return runChecks(generated, options);
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
