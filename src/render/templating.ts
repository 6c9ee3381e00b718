/**
 * The Handlebars environment every artifact is laid out with.
 *
 * Handlebars and Prometheus/Alertmanager templates both use `{{ }}`. So templates never interpolate a value
 * as raw text: every value goes through a helper that emits it as a YAML scalar or collection (quoted and
 * escaped as YAML needs), and Prometheus' own `{{ $labels.model }}` only ever arrives as data. A user string
 * with `{{`, quotes, `#`, `: `, newlines or unicode therefore comes out as the same string when parsed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type HandlebarsModule from 'handlebars';
import type { TemplateDelegate } from 'handlebars';
// The runtime alone runs precompiled templates; the compiler is loaded only for a template that has none.
import HandlebarsRuntime from 'handlebars/runtime.js';
import { RenderError } from './artifact.js';
import { describeTemplateError, makeEveryLookupStrict } from './handlebars-strict.js';
import { yamlBlock, yamlInline, yamlText } from '../formats/yaml/layout.js';
import { packagePath } from '../package-root.js';
import type { Rule } from '../normalize/model.js';
import { ruleListYaml } from './rule-list.js';
import type { RuleTest } from '../normalize/rule-proofs.js';
import { commentText, ruleTestListYaml } from './rule-test-list.js';

type HandlebarsEnvironment = typeof HandlebarsModule;
type TemplateSpec = Parameters<HandlebarsEnvironment['template']>[0];

export const builtinTemplatesDir = packagePath('templates');

interface LoadedTemplate {
  /** Where the template was read from: the user's override or mlmon's own. */
  readonly file: string;
  readonly source: string;
  readonly render: TemplateDelegate;
}

export interface Templates {
  render(name: string, context: object): string;
}

/**
 * mlmon's own templates, compiled by `npm run build` (scripts/precompile-templates.mjs), each with the hash of
 * the source it was compiled from. Absent when mlmon runs unbuilt; then every template is compiled here.
 */
let precompiled: Readonly<Record<string, { sha256: string; spec: TemplateSpec }>> | undefined | null;
function precompiledTemplates(): Readonly<Record<string, { sha256: string; spec: TemplateSpec }>> | undefined {
  if (precompiled === undefined) {
    const file = packagePath('dist/templates.precompiled.cjs');
    precompiled = existsSync(file) ? (createRequire(import.meta.url)(file) as Record<string, { sha256: string; spec: TemplateSpec }>) : null;
  }
  return precompiled ?? undefined;
}

// noEscape: output is YAML/JSON/Logstash, never HTML; escaping is done by the helpers. strict: a template
// that reads a key the context lacks is an error, not an empty string. (The build precompiles with the same.)
const compileOptions = { noEscape: true, strict: true } as const;

function registerHelpers(hbs: HandlebarsEnvironment): void {
  hbs.registerHelper('yaml', (value: unknown) => yamlInline(value));
  hbs.registerHelper('block', (value: unknown, indent: unknown) => yamlBlock(value, Number(indent)));
  hbs.registerHelper('text', (value: unknown, indent: unknown) => yamlText(String(value), Number(indent)));
  hbs.registerHelper('comment', (value: unknown) => commentText(value));
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value));
  hbs.registerHelper('nonEmpty', (value: unknown) => (Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null && (typeof value !== 'object' || Object.keys(value).length > 0)));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('ruleList', (rules: unknown, indent: unknown) => ruleListYaml(rules as readonly Rule[], Number(indent)));
  hbs.registerHelper('ruleTestList', (tests: unknown) => ruleTestListYaml(tests as readonly RuleTest[]));
}

/** Templates come from the user's folder first (same file name), then mlmon's own `templates/`. */
export function createTemplates(overridesDir: string | undefined): Templates {
  const runtime = (HandlebarsRuntime as unknown as HandlebarsEnvironment).create();
  registerHelpers(runtime);
  let compiler: HandlebarsEnvironment | undefined;
  const compileSource = (source: string): TemplateDelegate => {
    if (!compiler) {
      compiler = (createRequire(import.meta.url)('handlebars') as HandlebarsEnvironment).create();
      makeEveryLookupStrict(compiler);
      registerHelpers(compiler);
    }
    return compiler.compile(source, compileOptions);
  };

  const load = (name: string): LoadedTemplate => {
    const override = overridesDir ? join(overridesDir, name) : undefined;
    if (override && existsSync(override)) {
      const source = readFileSync(override, 'utf8');
      return { file: override, source, render: compileSource(source) };
    }
    const builtin = join(builtinTemplatesDir, name);
    if (!existsSync(builtin)) throw new Error(`template ${name} not found in ${[override, builtin].filter(Boolean).join(' or ')}`);
    const source = readFileSync(builtin, 'utf8');
    const entry = precompiledTemplates()?.[name];
    if (entry && entry.sha256 === createHash('sha256').update(source).digest('hex')) return { file: builtin, source, render: runtime.template(entry.spec) };
    return { file: builtin, source, render: compileSource(source) };
  };
  const loaded = new Map<string, LoadedTemplate>();
  return {
    render: (name, context) => {
      let template = loaded.get(name);
      if (!template) loaded.set(name, (template = load(name)));
      try {
        return template.render(context);
      } catch (error) {
        // A field the template reads and the data lacks (strict mode, helper arguments included): a problem
        // naming the template file and the field, not a stack trace.
        const message = describeTemplateError(error, template.file, template.source);
        if (message === undefined) throw error;
        throw new RenderError(name.replace(/\.hbs$/, ''), message);
      }
    },
  };
}
