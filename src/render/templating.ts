/**
 * The Handlebars environment every artifact is laid out with.
 *
 * Handlebars and Prometheus/Alertmanager templates both use `{{ }}`. So templates never interpolate a value
 * as raw text: every value goes through a helper that emits it as a YAML scalar or collection (quoted and
 * escaped as YAML needs), and Prometheus' own `{{ $labels.model }}` only ever arrives as data. A user string
 * with `{{`, quotes, `#`, `: `, newlines or unicode therefore comes out as the same string when parsed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TemplateDelegate } from 'handlebars';
import Handlebars from 'handlebars';
import { yamlBlock, yamlInline, yamlText } from './yaml-layout.js';
import { packagePath } from '../package-root.js';

export const builtinTemplatesDir = packagePath('templates');

/** A `#` comment line's text: one line, no matter what the value holds. */
function commentText(value: unknown): string {
  return String(value).replace(/[\r\n]+/g, ' ');
}

export interface Templates {
  render(name: string, context: object): string;
}

/** Templates come from the user's folder first (same file name), then mlmon's own `templates/`. */
export function createTemplates(overridesDir: string | undefined): Templates {
  const hbs = Handlebars.create();
  hbs.registerHelper('yaml', (value: unknown) => yamlInline(value));
  hbs.registerHelper('block', (value: unknown, indent: unknown) => yamlBlock(value, Number(indent)));
  hbs.registerHelper('text', (value: unknown, indent: unknown) => yamlText(String(value), Number(indent)));
  hbs.registerHelper('comment', (value: unknown) => commentText(value));
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value));
  hbs.registerHelper('nonEmpty', (value: unknown) => (Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null && (typeof value !== 'object' || Object.keys(value).length > 0)));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);

  const source = (name: string): string => {
    const candidates = [overridesDir ? join(overridesDir, name) : undefined, join(builtinTemplatesDir, name)];
    for (const file of candidates) if (file && existsSync(file)) return readFileSync(file, 'utf8');
    throw new Error(`template ${name} not found in ${candidates.filter(Boolean).join(' or ')}`);
  };
  const compiled = new Map<string, TemplateDelegate>();
  const compile = (name: string): TemplateDelegate => {
    let template = compiled.get(name);
    if (!template) {
      // noEscape: output is YAML/JSON/Logstash, never HTML; escaping is done by the helpers above.
      template = hbs.compile(source(name), { noEscape: true, strict: true });
      compiled.set(name, template);
    }
    return template;
  };
  return { render: (name, context) => compile(name)(context) };
}
