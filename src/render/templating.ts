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
import { stringify } from 'yaml';

export const builtinTemplatesDir = new URL('../../templates/', import.meta.url).pathname;

/**
 * Most strings mlmon writes are identifiers: names, label values, durations, paths. Their YAML is the string
 * itself, so they skip the yaml library's stringify, which is most of the render time of a 1,000-model fleet
 * (its threshold rules and proofs are thousands of such labels). Deliberately narrow: a letter or `_` first
 * (no number, no indicator), then letters, digits and `_ . / -` only (no space, `:` or `#`), and none of the
 * YAML 1.2 core schema's words. Anything else goes through `yaml`, and a test proves this agrees with it.
 */
const identifier = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const coreSchemaWords = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL']);
export function isPlainIdentifier(value: string): boolean {
  return identifier.test(value) && !coreSchemaWords.has(value);
}

// The same values recur across a fleet (a threshold, a team, a series' values), so the quoted ones are kept.
// Bounded, so a long-lived process (a test run, an editor integration) can't grow it without end.
const quotedStrings = new Map<string, string>();
function quotedString(value: string): string {
  let text = quotedStrings.get(value);
  if (text === undefined) {
    // A multi-line string on one line must be double-quoted with \n escapes; JSON's escapes are YAML's.
    text = value.includes('\n') ? JSON.stringify(value) : stringify(value, { lineWidth: 0 }).trimEnd();
    if (quotedStrings.size >= 100_000) quotedStrings.clear();
    quotedStrings.set(value, text);
  }
  return text;
}

/** One line of YAML: a scalar quoted as needed, or a collection in flow (JSON) style. */
export function yamlInline(value: unknown): string {
  if (typeof value === 'string') return isPlainIdentifier(value) ? value : quotedString(value);
  if (value === undefined) return 'null';
  return JSON.stringify(value);
}

/** A block collection starting on the next line, each line indented by `indent` spaces. */
export function yamlBlock(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  // The common case, a label set of identifiers: one `key: value` line each, with no stringify at all.
  if (isIdentifierRecord(value)) return Object.entries(value).map(([key, text]) => `\n${pad}${key}: ${text}`).join('');
  const text = stringify(value, { lineWidth: 0 }).trimEnd();
  return `\n${text.split('\n').map((line) => pad + line).join('\n')}`;
}

/**
 * A non-empty plain object of identifiers. (Only identifiers: a quoted key or value in a mapping is not always
 * quoted as it would be alone, e.g. `...` or a string with a backtick; the helpers' test found those.)
 */
function isIdentifierRecord(value: unknown): value is Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const entries = Object.entries(value);
  return entries.length > 0 && entries.every(([key, text]) => typeof text === 'string' && isPlainIdentifier(key) && isPlainIdentifier(text));
}

/**
 * A string as a literal block (`|-`) when it spans lines, so PromQL stays readable, its content indented by
 * `indent` spaces; anything a plain literal block can't carry exactly (leading spaces, odd line ends) falls
 * back to a double-quoted scalar.
 */
export function yamlText(value: string, indent: number): string {
  if (!value.includes('\n')) return yamlInline(value);
  const text = stringify(value, { lineWidth: 0, blockQuote: 'literal' }).replace(/\n$/, '');
  if (!/^\|[-+]?\n/.test(text) || /\r/.test(value)) return JSON.stringify(value);
  const [header, ...lines] = text.split('\n');
  const pad = ' '.repeat(indent);
  return [header, ...lines.map((line) => (line === '' ? '' : pad + line))].join('\n');
}

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
