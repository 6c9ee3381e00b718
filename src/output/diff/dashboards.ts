/**
 * Grafana dashboards (JSON under grafana/): dashboards by uid (or title), panels by title, and for a
 * changed panel its threshold steps, its queries by refId, and any other field. Layout (`gridPos`) is left
 * to the text diff: adding one panel moves every panel below it, and that is not news.
 */
import { asField, byText, type Change, unionKeys } from './change.js';
import type { OutputSide } from './side.js';
import { describeFieldChanges, fieldChanges, isRecord, sameValue, shortValue } from './structure.js';

interface Dashboard {
  readonly key: string;
  readonly title: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** A dashboard file is the dashboard itself or, in the HTTP API's shape, `{ "dashboard": {…} }`. */
function dashboardOf(value: unknown): Record<string, unknown> | undefined {
  if (!isRecord(value)) return undefined;
  if (Array.isArray(value.panels) || Array.isArray(value.rows)) return value;
  return isRecord(value.dashboard) ? dashboardOf(value.dashboard) : undefined;
}

export function diffDashboards(before: OutputSide, after: OutputSide, paths: readonly string[]): Change[] {
  const changes: Change[] = [];
  const read = (side: OutputSide) => {
    const dashboards = new Map<string, Dashboard>();
    const others = new Map<string, unknown>();
    for (const path of paths) {
      if (!side.files.has(path)) continue;
      const parsed = side.json(path);
      if (!parsed.ok) {
        changes.push({ change: 'changed', subject: `file ${path}`, text: `${path} (${side.name === 'before' ? 'the current output' : 'the new output'}) is not valid JSON: ${parsed.error}; see the text diff` });
        continue;
      }
      const body = dashboardOf(parsed.value);
      if (!body) {
        others.set(path, parsed.value);
        continue;
      }
      const title = typeof body.title === 'string' ? body.title : path;
      const key = typeof body.uid === 'string' && body.uid ? `uid ${body.uid}` : `title ${title}`;
      dashboards.set(key, { key, title, path, body });
    }
    return { dashboards, others };
  };
  const old = read(before);
  const now = read(after);

  for (const key of [...new Set([...old.dashboards.keys(), ...now.dashboards.keys()])].sort(byText)) {
    const a = old.dashboards.get(key);
    const b = now.dashboards.get(key);
    const name = `dashboard ${JSON.stringify((b ?? a)!.title)}`;
    if (!a) {
      const panels = panelsOf(b!.body).length;
      changes.push({ change: 'added', subject: key, text: `${name} added (${panels} panel${panels === 1 ? '' : 's'})` });
    }
    else if (!b) changes.push({ change: 'removed', subject: key, text: `${name} removed` });
    else changes.push(...diffDashboard(name, key, a, b));
  }
  for (const path of [...new Set([...old.others.keys(), ...now.others.keys()])].sort(byText)) {
    const fields = fieldChanges(old.others.get(path), now.others.get(path));
    if (fields.length) changes.push({ change: 'changed', subject: `file ${path}`, text: `${path}: ${describeFieldChanges(fields)}`, fields: fields.map(asField) });
  }
  return changes;
}

function diffDashboard(name: string, key: string, before: Dashboard, after: Dashboard): Change[] {
  const changes: Change[] = [];
  const ignored = new Set(['panels', 'rows', 'version', 'id', 'iteration']);
  const settings = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([k]) => !ignored.has(k)));
  const fields = fieldChanges(settings(before.body), settings(after.body));
  if (fields.length) changes.push({ change: 'changed', subject: key, text: `${name}: ${describeFieldChanges(fields)}`, fields: fields.map(asField) });

  const old = panelsByTitle(before.body);
  const now = panelsByTitle(after.body);
  for (const title of unionKeys(old, now)) {
    const a = old.get(title);
    const b = now.get(title);
    const subject = `${key} panel ${title}`;
    const panel = `panel ${JSON.stringify(title)}`;
    if (!a) changes.push({ change: 'added', subject, text: `${name}: ${panel} added` });
    else if (!b) changes.push({ change: 'removed', subject, text: `${name}: ${panel} removed` });
    else {
      const lines = diffPanel(a, b);
      if (lines.parts.length) changes.push({ change: 'changed', subject, text: `${name}: ${panel}: ${lines.parts.join('; ')}`, fields: lines.fields });
    }
  }
  return changes;
}

/** Every panel, rows' collapsed panels and the old `rows[].panels` layout included, by title. */
function panelsOf(body: Record<string, unknown>): Record<string, unknown>[] {
  const panels: Record<string, unknown>[] = [];
  const add = (list: unknown) => {
    for (const panel of Array.isArray(list) ? list.filter(isRecord) : []) {
      panels.push(panel);
      add(panel.panels);
    }
  };
  add(body.panels);
  for (const row of Array.isArray(body.rows) ? body.rows.filter(isRecord) : []) add(row.panels);
  return panels;
}

function panelsByTitle(body: Record<string, unknown>): Map<string, Record<string, unknown>> {
  const panels = new Map<string, Record<string, unknown>>();
  panelsOf(body).forEach((panel, index) => {
    const base = typeof panel.title === 'string' && panel.title ? panel.title : panel.id !== undefined ? `#${String(panel.id)}` : `${String(panel.type ?? 'panel')} ${index + 1}`;
    let title = base;
    for (let n = 2; panels.has(title); n++) title = `${base} (${n})`;
    panels.set(title, panel);
  });
  return panels;
}

function diffPanel(before: Record<string, unknown>, after: Record<string, unknown>): { parts: string[]; fields: { field: string; before?: unknown; after?: unknown }[] } {
  const parts: string[] = [];
  const fields: { field: string; before?: unknown; after?: unknown }[] = [];

  const thresholdsBefore = thresholdsOf(before);
  const thresholdsAfter = thresholdsOf(after);
  for (const scope of [...new Set([...thresholdsBefore.keys(), ...thresholdsAfter.keys()])].sort(byText)) {
    const stepsBefore = thresholdsBefore.get(scope) ?? [];
    const stepsAfter = thresholdsAfter.get(scope) ?? [];
    if (sameValue(stepsBefore, stepsAfter)) continue;
    const withColours = stepsBefore.length > 0 && stepsAfter.length > 0 && !sameValue(stepsBefore.map((s) => s.color), stepsAfter.map((s) => s.color));
    const format = (steps: readonly ThresholdStep[]) => steps.filter((s) => withColours || s.value !== null).map((s) => (withColours ? `${s.value ?? 'base'} ${s.color}` : String(s.value))).join(', ') || 'none';
    const what = `threshold${scope ? ` for ${scope}` : ''}`;
    if (!thresholdsBefore.has(scope)) parts.push(`${what} added: ${format(stepsAfter)}`);
    else if (!thresholdsAfter.has(scope)) parts.push(`${what} removed (was ${format(stepsBefore)})`);
    else parts.push(`${what} ${format(stepsBefore)} → ${format(stepsAfter)}`);
    fields.push({ field: scope ? `thresholds[${scope}]` : 'thresholds', before: stepsBefore, after: stepsAfter });
  }

  const queries = (panel: Record<string, unknown>) => new Map((Array.isArray(panel.targets) ? panel.targets.filter(isRecord) : []).map((t, i) => [typeof t.refId === 'string' ? t.refId : `#${i + 1}`, t]));
  const old = queries(before);
  const now = queries(after);
  for (const ref of unionKeys(old, now)) {
    const a = old.get(ref);
    const b = now.get(ref);
    if (sameValue(a, b)) continue;
    fields.push({ field: `targets[${ref}]`, ...(a ? { before: a } : {}), ...(b ? { after: b } : {}) });
    if (!a) parts.push(`query ${ref} added`);
    else if (!b) parts.push(`query ${ref} removed`);
    else {
      const exprA = shortValue(a.expr);
      const exprB = shortValue(b.expr);
      parts.push(a.expr !== b.expr && exprA !== undefined && exprB !== undefined && sameValue({ ...a, expr: 0 }, { ...b, expr: 0 }) ? `query ${ref}: ${exprA} → ${exprB}` : `query ${ref} changed`);
    }
  }

  const rest = (panel: Record<string, unknown>) => {
    const { gridPos: _g, id: _i, targets: _t, panels: _p, thresholds: _legacy, ...others } = panel;
    if (!isRecord(others.fieldConfig)) return others;
    const { thresholds: _defaults, ...defaults } = isRecord(others.fieldConfig.defaults) ? others.fieldConfig.defaults : {};
    // Overrides by what they match (a model's series, say), so one model more doesn't shift every override after it.
    const overrides: Record<string, unknown> = {};
    (Array.isArray(others.fieldConfig.overrides) ? others.fieldConfig.overrides : []).forEach((o: unknown, index: number) => {
      const matcher = isRecord(o) && isRecord(o.matcher) ? o.matcher : {};
      let key = typeof matcher.options === 'string' ? matcher.options : `#${index + 1}`;
      for (let n = 2; key in overrides; n++) key = `${key} (${n})`;
      overrides[key] = isRecord(o) && Array.isArray(o.properties) ? { ...o, properties: o.properties.filter((p: unknown) => !(isRecord(p) && p.id === 'thresholds')) } : o;
    });
    return { ...others, fieldConfig: { ...others.fieldConfig, defaults, overrides } };
  };
  const other = fieldChanges(rest(before), rest(after));
  if (other.length) {
    parts.push(describeFieldChanges(other));
    fields.push(...other.map(asField));
  }
  return { parts, fields };
}

interface ThresholdStep {
  readonly value: number | null;
  readonly color: string;
}

/**
 * A panel's threshold steps by scope: `''` for the panel's own (`fieldConfig.defaults.thresholds`, or the old
 * graph panel's `thresholds` list), and one per field override that sets thresholds, named by what it matches
 * (mlmon draws each model's own threshold as an override for that model's series).
 */
function thresholdsOf(panel: Record<string, unknown>): Map<string, ThresholdStep[]> {
  const scopes = new Map<string, ThresholdStep[]>();
  const stepsOf = (value: unknown): ThresholdStep[] | undefined => {
    const steps = isRecord(value) && Array.isArray(value.steps) ? value.steps : Array.isArray(value) ? value : undefined;
    return steps?.filter(isRecord).map((s) => ({ value: typeof s.value === 'number' ? s.value : null, color: String(s.color ?? s.colorMode ?? '') }));
  };
  const fieldConfig = isRecord(panel.fieldConfig) ? panel.fieldConfig : {};
  const own = stepsOf(isRecord(fieldConfig.defaults) ? fieldConfig.defaults.thresholds : undefined) ?? stepsOf(panel.thresholds);
  if (own) scopes.set('', own);
  for (const override of Array.isArray(fieldConfig.overrides) ? fieldConfig.overrides.filter(isRecord) : []) {
    const property = (Array.isArray(override.properties) ? override.properties.filter(isRecord) : []).find((p) => p.id === 'thresholds');
    const steps = property ? stepsOf(property.value) : undefined;
    if (!steps) continue;
    const matcher = isRecord(override.matcher) ? override.matcher : {};
    let scope = typeof matcher.options === 'string' ? matcher.options : JSON.stringify(matcher.options ?? matcher.id ?? '?');
    for (let n = 2; scopes.has(scope); n++) scope = `${scope} (${n})`;
    scopes.set(scope, steps);
  }
  return scopes;
}
