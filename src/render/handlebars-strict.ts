/**
 * Handlebars' `strict` option makes a template that reads a missing field throw, but only for the field a
 * mustache prints: a helper's arguments (`{{yaml pipeline.typo}}`), its hash values, sub-expressions and the
 * fields of a block parameter (`{{#each jobs as |job|}}{{job.typo}}`) are still looked up leniently and
 * arrive as `undefined`, which a helper then renders as `null` or nothing, silently. Handlebars has no option
 * for this (handlebars-lang/handlebars.js#1408), so the environment mlmon compiles with marks every path as
 * strict: the compiler emits the same `container.strict` lookup Handlebars uses for printed fields.
 * `scripts/precompile-templates.mjs` compiles mlmon's own templates through the same environment.
 */
import type HandlebarsModule from 'handlebars';

type HandlebarsEnvironment = typeof HandlebarsModule;

interface PathNode {
  readonly parts: readonly string[];
  readonly data?: boolean;
  strict?: boolean;
}

/**
 * Makes every named path in templates compiled by `env` strict: a missing field or block-parameter field is a
 * Handlebars exception naming the field, wherever it is read. `this`, `.` and `..` are untouched.
 */
export function makeEveryLookupStrict(env: HandlebarsEnvironment): void {
  const internals = env as unknown as {
    Compiler: { prototype: { PathExpression(path: PathNode): void } };
    JavaScriptCompiler: { prototype: { lookupBlockParam(id: unknown, parts: readonly string[]): void; resolvePath(...args: unknown[]): void; useBlockParams: boolean; push(value: unknown): void } };
  };
  const BaseCompiler = internals.Compiler;
  const BaseJavaScriptCompiler = internals.JavaScriptCompiler;
  const basePathExpression = BaseCompiler.prototype.PathExpression;
  function StrictCompiler(this: unknown): void {}
  StrictCompiler.prototype = Object.create(BaseCompiler.prototype);
  StrictCompiler.prototype.PathExpression = function (this: unknown, path: PathNode): void {
    if (path.parts.length > 0) path.strict = true;
    basePathExpression.call(this, path);
  };
  function StrictJavaScriptCompiler(this: unknown): void {}
  StrictJavaScriptCompiler.prototype = Object.create(BaseJavaScriptCompiler.prototype);
  // Handlebars' own lookupBlockParam, with the field after the block parameter looked up strictly.
  StrictJavaScriptCompiler.prototype.lookupBlockParam = function (this: typeof BaseJavaScriptCompiler.prototype, blockParamId: readonly [number, number], parts: readonly string[]): void {
    this.useBlockParams = true;
    this.push(['blockParams[', blockParamId[0], '][', blockParamId[1], ']']);
    this.resolvePath('context', parts, 1, false, parts.length > 1);
  };
  // Nested programs (block bodies) are compiled by `new this.compiler()`: keep them strict too.
  (StrictCompiler.prototype as { compiler?: unknown }).compiler = StrictCompiler;
  (StrictJavaScriptCompiler.prototype as { compiler?: unknown }).compiler = StrictJavaScriptCompiler;
  internals.Compiler = StrictCompiler as unknown as typeof BaseCompiler;
  internals.JavaScriptCompiler = StrictJavaScriptCompiler as unknown as typeof BaseJavaScriptCompiler;
}

/**
 * The message for a Handlebars exception thrown while rendering `templateFile`: where, and which field, with
 * the template line that reads it. Handlebars' own message (`"typo" not defined in [object Object]`) names
 * neither the file nor the expression.
 */
export function describeTemplateError(error: unknown, templateFile: string, source: string): string | undefined {
  if (!(error instanceof Error) || !(/not defined in/.test(error.message) || 'lineNumber' in error)) return undefined;
  const field = /^"([^"]*)" not defined in/.exec(error.message)?.[1];
  const line = (error as { lineNumber?: number }).lineNumber;
  const column = (error as { column?: number }).column;
  const lineText = line === undefined ? undefined : source.split('\n')[line - 1];
  const text = lineText?.trim();
  const where = line === undefined ? templateFile : `${templateFile}:${line}${column === undefined ? '' : `:${column + 1}`}`;
  // The exception's location is the path expression's own: its whole text (`pipeline.typo`, `job.nam`) says
  // more than Handlebars' last segment, which for a missing parent is not even the missing part.
  const expression = column === undefined ? undefined : /^[@\w$.\/-]+/.exec(lineText?.slice(column) ?? '')?.[0];
  const named = expression && field !== undefined && expression.split(/[./]/).includes(field) ? expression : field;
  return field !== undefined
    ? `${where} reads the field "${named}", which the data given to this template does not have${text ? ` (in: ${text})` : ''}`
    : `${where}: ${error.message.replace(/ - \d+:\d+$/, '')}`;
}
