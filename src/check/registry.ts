/**
 * The checks registry: every check `mlmon validate` runs, as one typed value each, in report order.
 *
 * A check's `id` is its docs anchor (`### <id>` in docs/checks.md) and names its line in the report; each problem
 * id a check `emits` is an anchor too, and a warning-only one is what `--disable <id>` silences. Adding a check is
 * one entry in model-checks.ts (or external-checks.ts for one that runs a tool) plus its docs; the runner
 * (run-checks.ts), the report, the docs test and suppression all read this list.
 */
import type { MonitoringModel } from '../normalize/model.js';
import type { Problem } from '../problems.js';
import type { RenderedFile } from '../render/artifact.js';
import { externalChecks } from './external-checks.js';
import type { ResolvedTool } from './external-tools.js';
import type { KubernetesObjectsResult } from './kubernetes-objects.js';
import { modelChecks } from './model-checks.js';
import { operatorChecks } from './operator-checks.js';
import { scaleOutChecks } from './scale-out-checks.js';
import type { PromqlCheckOptions } from './promql-semantics.js';

/** What the pipeline generated, as the checks read it (the pipeline's `Generated` is one). */
export interface CheckedOutput {
  /** Absolute path of the config file. */
  readonly configFile: string;
  readonly model: MonitoringModel;
  /** Every rendered file, path relative to out/. */
  readonly files: readonly RenderedFile[];
  /** Problems of severity warning the config stage found (generation stops on errors). */
  readonly warnings: readonly Problem[];
}

/**
 * Severity a problem id is reported with. Only a `warning`-only id can be disabled: an `error` is something a
 * tool would reject (or a page that would never come), and `error or warning` ids can be either.
 */
export type EmittedSeverity = Problem['severity'] | 'error or warning';

interface CheckBase {
  /** Stable id: the line in the report, the docs anchor in docs/checks.md. */
  readonly id: string;
  /** One line saying what passing means, as the text report prints it. */
  readonly title: string;
  /** The artifact it looks at: a path under out/ (file or folder), `out` for all of it, or `config`. */
  readonly artifact: string;
  /** Every problem id the check can report, with its severity. Each has a heading in docs/checks.md. */
  readonly emits: Readonly<Record<string, EmittedSeverity>>;
}

/** What a check found: its problems, and a detail line for the report (`12 objects`). */
export interface Finding {
  readonly problems: readonly Problem[];
  readonly detail?: string | undefined;
}

/**
 * What model checks share: the output, the PromQL options, and work two checks need (computed once, on first
 * use: the templated-YAML parse feeds `render/invalid-output` and `yaml/reader-mismatch`; so does the
 * Kubernetes schema check feed `kubernetes/objects` and `yaml/reader-mismatch`).
 */
export interface CheckContext {
  readonly output: CheckedOutput;
  readonly promql: PromqlCheckOptions;
  readonly templatedYaml: () => { readonly problems: readonly Problem[]; readonly misread: readonly RenderedFile[] };
  readonly kubernetes: () => Promise<KubernetesObjectsResult>;
}

/** A check mlmon does itself, on the in-memory model and files. */
export interface ModelCheck extends CheckBase {
  readonly kind: 'model';
  readonly run: (context: CheckContext) => Finding | Promise<Finding>;
}

/** What a tool check reads: the model, the output written to `dir` (out/ layout), and its resolved tool. */
export interface ToolCheckContext {
  readonly model: MonitoringModel;
  readonly dir: string;
  readonly tool: ResolvedTool;
  readonly timeoutMs: number;
}

/**
 * A check that runs promtool or amtool on the files written to a scratch folder. Tool checks run in parallel;
 * when their tool is missing they fail with `tools/missing`, and under `--skip-external` they are skipped.
 */
export interface ToolCheck extends CheckBase {
  readonly kind: 'tool';
  readonly tool: ResolvedTool['name'];
  /**
   * Why the output gives this check nothing to look at (`not the operator target`), or undefined when it does.
   * Such a check passes with the reason as its detail and its tool is not looked for, so a stack that doesn't
   * need a tool (kubeconform for a standalone one) never fails for want of it.
   */
  readonly notApplicable?: (model: MonitoringModel) => string | undefined;
  readonly run: (context: ToolCheckContext) => Promise<Finding>;
}

export type Check = ModelCheck | ToolCheck;

/** Every check, in the order the report lists them: mlmon's own first, then the external tools. */
export const checkRegistry: readonly Check[] = [...modelChecks, ...externalChecks, ...scaleOutChecks, ...operatorChecks];

/** Every id `--disable` accepts: the problem ids reported only as warnings (none of them a tool would reject). */
export function disableableIds(registry: readonly Check[] = checkRegistry): string[] {
  const emitted = registry.flatMap((check) => Object.entries(check.emits));
  const ids = new Set(emitted.filter(([, severity]) => severity === 'warning').map(([id]) => id));
  // An id some check reports as an error is an error wherever it comes from.
  for (const [id, severity] of emitted) if (severity !== 'warning') ids.delete(id);
  return [...ids].sort();
}

/**
 * The problems in `report` whose id the check that reported them does not declare in `emits`, as
 * `<check id>: <problem id>`. Empty for a correct registry; the validate fixtures' test holds it so, which keeps
 * the docs (a heading per declared id) complete.
 */
export function undeclaredProblemIds(report: { readonly checks: readonly { readonly id: string; readonly problems: readonly Problem[] }[] }, registry: readonly Check[] = checkRegistry): string[] {
  return report.checks.flatMap((result) => {
    const emits = registry.find((c) => c.id === result.id)?.emits ?? {};
    return result.problems.filter((p) => !(p.id in emits)).map((p) => `${result.id}: ${p.id}`);
  });
}
