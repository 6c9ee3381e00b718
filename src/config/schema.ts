import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Problem } from '../problems.js';
import { configPath } from '../problems.js';
import { didYouMean } from './did-you-mean.js';
import { packagePath } from '../package-root.js';
import { createRequire } from 'node:module';

// The schema compiled ahead of time by `npm run schema` (ajv standalone code; a test keeps it in step with
// the schema). Compiling at run time took most of mlmon's start-up. Two modules: the config, which accepts
// any value under `environments.<name>`, and one environment's overlay, half the code, which only a config
// with environments loads (scripts/generate-schema.mjs).
const validatorFiles = {
  config: packagePath('schemas/monitoring-config.validate.cjs'),
  overlay: packagePath('schemas/monitoring-config-overlay.validate.cjs'),
} as const;

const compiled: Partial<Record<keyof typeof validatorFiles, ValidateFunction>> = {};

/** Loaded only when a command actually checks a config, so `mlmon --help` stays light. */
function compiledValidator(which: keyof typeof validatorFiles): ValidateFunction {
  // require, not import: an ES module importing CommonJS makes Node lex the whole file for its exports first.
  return (compiled[which] ??= (createRequire(import.meta.url)(validatorFiles[which]) as { default: ValidateFunction }).default);
}

/**
 * Checks the config's shape against the JSON Schema (schemas/monitoring-config.schema.json), returning every
 * problem at once; each overlay under `environments` is checked as the schema's `ConfigOverlay`, its problems
 * at their `environments.<name>.…` paths.
 */
export async function checkConfigShape(config: unknown): Promise<Problem[]> {
  const validate = compiledValidator('config');
  const errors = validate(config) ? [] : [...(validate.errors ?? [])];
  const environments = isRecord(config) ? config['environments'] : undefined;
  if (isRecord(environments)) {
    for (const [name, overlay] of Object.entries(environments)) {
      const validateOverlay = compiledValidator('overlay');
      if (validateOverlay(overlay)) continue;
      const at = `/environments/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      errors.push(...(validateOverlay.errors ?? []).map((error) => ({ ...error, instancePath: `${at}${error.instancePath}` })));
    }
  }
  return errors.length ? problemsFromAjv(errors, config) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Words that mean a literal secret was put in the config. Those keys are reported by the secret check with a
// pointer to the `*File` field, so we don't also report them as unknown keys.
export const secretKeyPattern = /(password|passwd|secret|token|api_?key|service_?key|routing_?key|api_?url)$/i;

function problemsFromAjv(errors: ErrorObject[], config: unknown): Problem[] {
  // ajv reports every failed branch of `Ratio | false`: keep the most telling error per location.
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const key = error.keyword === 'additionalProperties' || error.keyword === 'required' || error.keyword === 'propertyNames'
      ? `${error.instancePath}#${JSON.stringify(error.params)}`
      : error.instancePath;
    byPath.set(key, [...(byPath.get(key) ?? []), error]);
  }
  const problems: Problem[] = [];
  for (const group of byPath.values()) {
    const problem = problemFromErrors(group, config);
    if (problem) problems.push(problem);
  }
  return problems;
}

function segmentsOf(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function pathSegments(instancePath: string, config: unknown): (string | number)[] {
  let node: unknown = config;
  return segmentsOf(instancePath).map((segment) => {
    const isIndex = Array.isArray(node);
    node = (node as Record<string, unknown> | undefined)?.[segment];
    return isIndex ? Number(segment) : segment;
  });
}

function valueAt(instancePath: string, config: unknown): unknown {
  let node: unknown = config;
  for (const segment of segmentsOf(instancePath)) node = (node as Record<string, unknown> | undefined)?.[segment];
  return node;
}

const specificity = ['additionalProperties', 'required', 'propertyNames', 'minimum', 'maximum', 'exclusiveMinimum', 'pattern', 'format', 'minItems', 'enum', 'const', 'type', 'anyOf'];

function problemFromErrors(group: ErrorObject[], config: unknown): Problem | undefined {
  const sorted = [...group].sort((a, b) => rank(a) - rank(b));
  const error = sorted[0];
  if (!error) return undefined;
  const segments = pathSegments(error.instancePath, config);
  const value = valueAt(error.instancePath, config);
  const where = configPath(segments) || '(config root)';
  const description = typeof error.parentSchema?.description === 'string' ? firstSentence(error.parentSchema.description) : undefined;

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      if (secretKeyPattern.test(key)) return undefined;
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const suggestion = didYouMean(key, known);
      return {
        id: 'config/unknown-key',
        severity: 'error',
        path: configPath([...segments, key]),
        value: key,
        message: `unknown key "${key}" in ${where}`,
        allowed: known.length ? `one of: ${known.join(', ')}` : 'no keys',
        ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : {}),
      };
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      return { id: 'config/missing-key', severity: 'error', path: configPath([...segments, key]), message: `${where} needs "${key}"` };
    }
    case 'propertyNames': {
      const key = String(error.params.propertyName);
      return {
        id: 'config/invalid-name', severity: 'error', path: configPath([...segments, key]), value: key,
        message: `name ${JSON.stringify(key)} in ${where} is not a valid label value`,
        allowed: 'non-empty text without control characters (newlines, tabs…)',
      };
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      const suggestion = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
      return {
        id: 'config/invalid-value', severity: 'error', path: where, value,
        message: `${where} is ${JSON.stringify(value)}`,
        allowed: `one of: ${allowed.join(', ')}`,
        ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : {}),
      };
    }
    default: {
      const allowed = describeAllowed(sorted);
      return {
        id: 'config/invalid-value', severity: 'error', path: where, value,
        message: `${where} is ${JSON.stringify(value)}, which is not allowed`,
        allowed: description ? `${allowed} (${description})` : allowed,
      };
    }
  }
}

function rank(error: ErrorObject): number {
  const i = specificity.indexOf(error.keyword);
  return i === -1 ? specificity.length : i;
}

function describeAllowed(errors: ErrorObject[]): string {
  const parts = new Set<string>();
  // `Ratio | false` fails as "must be boolean" and "must be false": only the second says what is meant.
  const hasConst = errors.some((e) => e.keyword === 'const');
  for (const error of errors) {
    if (hasConst && error.keyword === 'type' && (error.params as { type?: string }).type === 'boolean') continue;
    const p = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'minimum': parts.add(`at least ${p.limit}`); break;
      case 'maximum': parts.add(`at most ${p.limit}`); break;
      case 'exclusiveMinimum': parts.add(`greater than ${p.limit}`); break;
      case 'pattern': parts.add(`text matching ${p.pattern}`); break;
      case 'format': parts.add(`a valid ${p.format}`); break;
      case 'minItems': parts.add(`at least ${p.limit} item(s)`); break;
      case 'maxLength': parts.add(`at most ${p.limit} characters`); break;
      case 'uniqueItems': parts.add(`each item once (items ${p.j} and ${p.i} are the same)`); break;
      case 'type': parts.add(`a ${p.type}`); break;
      case 'const': parts.add(JSON.stringify(p.allowedValue)); break;
      default: break;
    }
  }
  return [...parts].join(', or ');
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end === -1 ? text : text.slice(0, end);
}
