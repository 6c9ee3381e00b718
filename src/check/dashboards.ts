/**
 * The Grafana dashboards (out/grafana/dashboards/*.json): their structure against Grafana's own dashboard
 * model, and the PromQL of every query against the metric catalog, as the rules' PromQL is checked.
 *
 * Structure: schemas/grafana-dashboard.schema.json holds Grafana's dashboard model and the options and custom
 * field config of the panel plugins mlmon draws, derived from @grafana/schema (the types Grafana generates from
 * its CUE schema, pinned to the Grafana image's minor version) by scripts/generate-grafana-schema.mjs. Grafana
 * itself accepts nearly anything and drops what it doesn't know, so a misspelt option silently does nothing;
 * the schema refuses unknown keys and values outside Grafana's enums. The dashboard model leaves panel options
 * and custom field config open (`Record<string, unknown>`), so those are checked against the plugin's types.
 *
 * Queries: Grafana fills in its own variables before a query reaches Prometheus; the check does the same with
 * the values the query will see at least (the shortest `$__rate_interval` is four scrape intervals). The
 * dashboard's variables appear only inside label matcher strings, where they stay as they are.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { packagePath } from '../package-root.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { RenderedFile } from '../render/artifact.js';
import type { Problem } from '../problems.js';
import { checkPromql, type PromqlCheckOptions, type PromqlSource } from './promql-semantics.js';

export const grafanaSchemaFile = pathToFileURL(packagePath('schemas/grafana-dashboard.schema.json'));

export interface DashboardsResult {
  readonly problems: Problem[];
  readonly dashboards: number;
  /** Panel queries and variable queries checked. */
  readonly queries: number;
}

/** A structure problem of one dashboard: the message names the place (`panels/3/options/legend …`). */
export interface StructureError {
  readonly message: string;
  /** The title of the panel it is in, if any. */
  readonly panel?: string | undefined;
  /** The offending value, when it is a plain value. */
  readonly value?: unknown;
}

export type DashboardStructureCheck = (dashboard: unknown) => StructureError[];

/** One PromQL expression of a dashboard, as written in the JSON. */
export interface DashboardQuery {
  readonly expr: string;
  /** `<panel title>` or `$<variable>`. */
  readonly where: string;
}

type Json = Record<string, unknown>;

export async function checkDashboards(files: readonly RenderedFile[], options: PromqlCheckOptions): Promise<DashboardsResult> {
  const dashboards = files.filter((f) => /^grafana\/dashboards\/[^/]+\.json$/.test(f.path));
  const problems: Problem[] = [];
  let queries = 0;
  const checkStructure = dashboards.length ? await loadDashboardStructureCheck() : () => [];
  for (const file of dashboards) {
    let dashboard: unknown;
    try {
      dashboard = JSON.parse(file.content);
    } catch (error) {
      problems.push({ id: 'grafana/invalid-dashboard', severity: 'error', artifact: file.path, message: `the file is not valid JSON: ${(error as Error).message}` });
      continue;
    }
    const uid = isObject(dashboard) && typeof dashboard.uid === 'string' ? dashboard.uid : file.path;
    for (const error of checkStructure(dashboard)) {
      problems.push({
        id: 'grafana/invalid-dashboard', severity: 'error', artifact: file.path, object: error.panel === undefined ? uid : `${uid}: ${error.panel}`,
        message: error.message,
        ...(error.value === undefined ? {} : { value: error.value }),
        hint: 'Grafana ignores what its dashboard model does not have, so this setting would silently do nothing or fall back to a default',
      });
    }
    if (!isObject(dashboard)) continue;
    const defined = new Set(variablesOf(dashboard).map((v) => v.name).filter((n): n is string => typeof n === 'string'));
    const sent = grafanaValues(dashboard, options.scrapeIntervalSeconds);
    for (const query of dashboardQueries(dashboard)) {
      queries++;
      const object = `${uid}: ${query.where}`;
      for (const name of unknownVariables(query.expr, defined)) {
        problems.push({
          id: 'grafana/unknown-variable', severity: 'error', artifact: file.path, object, value: query.expr,
          message: `the query uses $${name}, which the dashboard does not define: Grafana sends it as written, so it matches nothing`,
          allowed: [...defined, ...Object.keys(sent)].map((n) => `$${n}`).join(', '),
        });
      }
      const source: PromqlSource = { expr: substituteGrafanaValues(query.expr, sent), artifact: file.path, object };
      problems.push(...(await checkPromql(source, options)));
    }
  }
  return { problems, dashboards: dashboards.length, queries };
}

// ---- structure ---------------------------------------------------------------------------------

let structureCheck: Promise<DashboardStructureCheck> | undefined;

/** The structure check, loaded once per process from the precompiled validators (lazily). */
export function loadDashboardStructureCheck(): Promise<DashboardStructureCheck> {
  structureCheck ??= compileStructureCheck();
  return structureCheck;
}

interface SchemaBundle {
  readonly definitions: Record<string, { definitions: Record<string, { properties?: Record<string, unknown> }> }>;
}

// Every ref below, compiled ahead of time by `npm run schema` (ajv standalone code; drift-tested): compiling
// the bundle at run time was most of `mlmon validate`'s own time.
const grafanaValidatorsFile = packagePath('schemas/grafana-dashboard.validate.cjs');

async function compileStructureCheck(): Promise<DashboardStructureCheck> {
  const bundle = JSON.parse(readFileSync(grafanaSchemaFile, 'utf8')) as SchemaBundle;
  // require, not import: an ES module importing CommonJS makes Node lex the whole file for its exports first.
  const validators = createRequire(import.meta.url)(grafanaValidatorsFile) as Record<string, ValidateFunction> & { refs: Record<string, string> };
  const check = (ref: string, value: unknown, where: string, panel?: string): StructureError[] => {
    const name = validators.refs[ref];
    const validate = name === undefined ? undefined : validators[name];
    if (!validate) throw new Error(`no precompiled validator for ${ref}: run \`npm run schema\``);
    if (validate(value)) return [];
    return mostTelling(validate.errors ?? []).map((e) => {
      const at = [where, e.instancePath.slice(1)].filter(Boolean).join('/');
      const detail = e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}`
        : e.keyword === 'enum' ? `: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` : '';
      const found = valueAt(value, e.instancePath);
      return { message: `${at || 'the dashboard'} ${e.message ?? `fails ${e.keyword}`}${detail}`, panel, ...(isPlain(found) ? { value: found } : {}) };
    });
  };
  const propertiesOf = (schema: string, definition: string): Record<string, unknown> => bundle.definitions[schema]?.definitions[definition]?.properties ?? {};
  const standardFieldProperties = propertiesOf('dashboard', 'FieldConfig');

  const checkPanel = (panel: Json, where: string): StructureError[] => {
    const title = typeof panel.title === 'string' ? panel.title : where;
    if (panel.type === 'row') {
      const nested = Array.isArray(panel.panels) ? (panel.panels as unknown[]) : [];
      return [
        ...check('dashboard#/definitions/RowPanel', Array.isArray(panel.panels) ? { ...panel, panels: [] } : panel, where, title),
        ...nested.flatMap((p, i) => (isObject(p) ? checkPanel(p, `${where}/panels/${i}`) : check('dashboard#/definitions/Panel', p, `${where}/panels/${i}`))),
      ];
    }
    const errors = check('dashboard#/definitions/Panel', panel, where, title);
    if (typeof panel.type !== 'string') return errors;
    const type = panel.type;
    // The bundle describes the plugins mlmon draws; a panel of any other type can't be checked.
    if (!Object.hasOwn(bundle.definitions, `${type}-options`)) {
      return [...errors, { message: `${where} has type ${JSON.stringify(type)}, which this check has no schema for`, panel: title, value: type }];
    }
    errors.push(...check(`${type}-options#/definitions/Options`, panel.options, `${where}/options`, title));
    const customProperties = propertiesOf(`${type}-field-config`, 'FieldConfig');
    const hasCustom = Object.hasOwn(bundle.definitions, `${type}-field-config`);
    const fieldConfig = isObject(panel.fieldConfig) ? panel.fieldConfig : {};
    const defaults = isObject(fieldConfig.defaults) ? fieldConfig.defaults : {};
    if (hasCustom) errors.push(...check(`${type}-field-config#/definitions/FieldConfig`, defaults.custom ?? {}, `${where}/fieldConfig/defaults/custom`, title));
    const overrides = Array.isArray(fieldConfig.overrides) ? (fieldConfig.overrides as unknown[]) : [];
    overrides.forEach((override, j) => {
      const properties = isObject(override) && Array.isArray(override.properties) ? (override.properties as unknown[]) : [];
      properties.forEach((property, k) => {
        const at = `${where}/fieldConfig/overrides/${j}/properties/${k}`;
        const id = isObject(property) && typeof property.id === 'string' ? property.id : undefined;
        const value = isObject(property) ? property.value : undefined;
        const custom = id?.startsWith('custom.') ? id.slice('custom.'.length) : undefined;
        if (custom !== undefined && hasCustom && Object.hasOwn(customProperties, custom)) {
          errors.push(...check(`${type}-field-config#/definitions/FieldConfig/properties/${custom}`, value, at, title));
        } else if (id !== undefined && custom === undefined && id !== 'custom' && Object.hasOwn(standardFieldProperties, id)) {
          errors.push(...check(`dashboard#/definitions/FieldConfig/properties/${id}`, value, at, title));
        } else {
          errors.push({ message: `${at} sets ${JSON.stringify(id ?? null)}, which a ${type} panel's field config doesn't have`, panel: title, value: id ?? null });
        }
      });
    });
    return errors;
  };

  return (dashboard) => {
    if (!isObject(dashboard) || !Array.isArray(dashboard.panels)) return check('dashboard#/definitions/Dashboard', dashboard, '');
    // The panels one by one, each against its own kind (panel or row): against the dashboard's `anyOf` of
    // both, one mistake would be reported once per kind it is not.
    const errors = check('dashboard#/definitions/Dashboard', { ...dashboard, panels: [] }, '');
    (dashboard.panels as unknown[]).forEach((panel, i) => {
      errors.push(...(isObject(panel) ? checkPanel(panel, `panels/${i}`) : check('dashboard#/definitions/Panel', panel, `panels/${i}`)));
    });
    const seen = new Set<string>();
    return errors.filter((e) => !seen.has(e.message) && seen.add(e.message));
  };
}

/**
 * One mistake, one message: a value outside an enum also fails the enum's type (`graphTooltip: "shared"` is
 * neither 0, 1 nor 2, nor a number), and a value that fails every branch of an `anyOf` gets a summary line
 * besides each branch's complaint. The enum's list, or the branches' complaints, say it all.
 */
function mostTelling(errors: readonly ErrorObject[]): ErrorObject[] {
  const at = (path: string) => errors.filter((e) => e.instancePath === path);
  return errors.filter((e) => {
    const here = at(e.instancePath);
    if (e.keyword === 'type' && here.some((o) => o.keyword === 'enum' || o.keyword === 'const')) return false;
    if ((e.keyword === 'anyOf' || e.keyword === 'oneOf') && here.some((o) => o !== e && o.keyword !== 'anyOf' && o.keyword !== 'oneOf')) return false;
    return true;
  });
}

// ---- queries -----------------------------------------------------------------------------------

/**
 * Every PromQL expression of a dashboard: the `expr` of each panel query (also in collapsed rows), and the
 * series of each query variable — `label_values(<series>, <label>)` reads the label from those series, so it is
 * checked as `group by (<label>) (<series>)`, which asks the same of the catalog.
 */
export function dashboardQueries(dashboard: Json): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  const visit = (panels: unknown): void => {
    for (const panel of Array.isArray(panels) ? panels : []) {
      if (!isObject(panel)) continue;
      visit(panel.panels);
      for (const target of Array.isArray(panel.targets) ? panel.targets : []) {
        if (isObject(target) && typeof target.expr === 'string' && target.expr.trim()) queries.push({ expr: target.expr, where: String(panel.title ?? `panel ${String(panel.id)}`) });
      }
    }
  };
  visit(dashboard.panels);
  for (const variable of variablesOf(dashboard)) {
    if (variable.type !== 'query') continue;
    const text = typeof variable.query === 'string' ? variable.query : isObject(variable.query) && typeof variable.query.query === 'string' ? variable.query.query : '';
    const where = `$${String(variable.name)}`;
    const labelValues = /^\s*label_values\(\s*(.+)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/s.exec(text);
    const queryResult = /^\s*query_result\(\s*(.+)\s*\)\s*$/s.exec(text);
    if (labelValues) queries.push({ expr: labelValuesQuery(labelValues[1]!.trim(), labelValues[2]!), where });
    else if (queryResult) queries.push({ expr: queryResult[1]!.trim(), where });
  }
  return queries;
}

/**
 * `label_values(<series>, <label>)` as `group by (<label>) (<series>)`. A selector naming its metrics by a
 * `__name__` alternation of plain names (`{__name__=~"a|b", service=~"$service"}`, the ML-models variables with
 * model servers) becomes one `group by` per metric joined by `or`, so each metric is checked against the catalog
 * with the other matchers; as one nameless selector it would be checked against nothing.
 */
function labelValuesQuery(series: string, label: string): string {
  const names = /^\{\s*__name__\s*=~\s*"([A-Za-z_:][\w:]*(?:\|[A-Za-z_:][\w:]*)+)"\s*(?:,([^{}]*))?\}$/.exec(series);
  if (!names) return `group by (${label}) (${series})`;
  const rest = names[2]?.trim();
  return names[1]!.split('|').map((metric) => `group by (${label}) (${metric}${rest ? `{${rest}}` : ''})`).join(' or ');
}

function variablesOf(dashboard: Json): Json[] {
  const list = isObject(dashboard.templating) ? dashboard.templating.list : undefined;
  return Array.isArray(list) ? list.filter(isObject) : [];
}

/**
 * What Grafana puts in for its own variables, at their smallest: `$__rate_interval` is never shorter than four
 * scrape intervals (the data source's scrape interval is the provisioned one), `$__interval` never shorter than
 * one, and `$__range` is the dashboard's default time range.
 */
function grafanaValues(dashboard: Json, scrapeIntervalSeconds: number): Record<string, string> {
  const from = isObject(dashboard.time) && typeof dashboard.time.from === 'string' ? dashboard.time.from : '';
  const range = /^now-(\d+)([smhdwy])$/.exec(from);
  const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  const rangeSeconds = range ? Number(range[1]) * unitSeconds[range[2]!]! : 3600;
  return {
    __rate_interval: `${4 * scrapeIntervalSeconds}s`,
    __interval: `${scrapeIntervalSeconds}s`,
    __interval_ms: String(scrapeIntervalSeconds * 1000),
    __range: `${rangeSeconds}s`,
    __range_s: String(rangeSeconds),
    __range_ms: String(rangeSeconds * 1000),
  };
}

// `$name`, `${name}`, `${name:format}` and the old `[[name]]`.
const variableReference = /\$([A-Za-z_]\w*)|\$\{([A-Za-z_]\w*)(?::[^}]*)?\}|\[\[([A-Za-z_]\w*)(?::[^\]]*)?\]\]/g;

function substituteGrafanaValues(expr: string, values: Record<string, string>): string {
  return expr.replace(variableReference, (whole, a?: string, b?: string, c?: string) => values[(a ?? b ?? c)!] ?? whole);
}

function unknownVariables(expr: string, defined: ReadonlySet<string>): string[] {
  const names = [...expr.matchAll(variableReference)].map((m) => (m[1] ?? m[2] ?? m[3])!);
  // Grafana's global variables all start with `__`.
  return [...new Set(names.filter((n) => !defined.has(n) && !n.startsWith('__')))];
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const segment of pointer.split('/').slice(1)) value = isObject(value) || Array.isArray(value) ? (value as Json)[segment.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
  return value;
}

function isPlain(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
