import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SyntaxNode } from '@lezer/common';
import { defaultDashboard } from '@grafana/schema';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { checkDashboards, dashboardQueries, loadDashboardStructureCheck } from '../../src/check/dashboards.js';
import { parsePromql } from '../../src/formats/promql/parse.js';
import { findConfigFile, loadConfig } from '../../src/config/load.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import { targetLabels } from '../../src/normalize/metric-catalog.js';
import type { MonitoringModel } from '../../src/normalize/model.js';
import { defaultImages } from '../../src/normalize/normalize.js';
import { banner, type RenderedFile } from '../../src/render/artifact.js';
import { renderGrafana } from '../../src/render/grafana.js';
import { stableId } from '../../src/render/grafana/dashboard.js';
import { realFilesystems } from '../../src/catalog/alerts/disk-space-low.js';
import { createTemplates } from '../../src/render/templating.js';
import { generateExample, modelOf } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { generateGrafanaSchemaText, generateGrafanaValidatorText } from '../../scripts/generate-grafana-schema.mjs';

// ---- reading the output back ---------------------------------------------------------------------

type Json = Record<string, any>;

function render(model: MonitoringModel): RenderedFile[] {
  return renderGrafana(model, createTemplates(model.templatesDir));
}

function dashboardsOf(files: readonly RenderedFile[]): Record<string, Json> {
  return Object.fromEntries(files.filter((f) => f.path.startsWith('grafana/dashboards/')).map((f) => [f.path.replace(/^grafana\/dashboards\/|\.json$/g, ''), JSON.parse(f.content) as Json]));
}

function dashboardsFor(config: MonitoringConfig): Record<string, Json> {
  return dashboardsOf(render(modelOf(config)));
}

function dashboard(dashboards: Record<string, Json>, name: string): Json {
  const found = dashboards[name];
  if (!found) throw new Error(`no dashboard ${name} among ${Object.keys(dashboards).join(', ')}`);
  return found;
}

/** Panels that show data (not row headers). */
function dataPanels(d: Json): Json[] {
  return (d.panels as Json[]).filter((p) => p.type !== 'row');
}

function panel(d: Json, title: string): Json {
  const found = dataPanels(d).filter((p) => p.title === title);
  if (found.length !== 1) throw new Error(`expected one panel "${title}" in ${d.uid}, found ${found.length}`);
  return found[0]!;
}

function variable(d: Json, name: string): Json | undefined {
  return (d.templating.list as Json[]).find((v) => v.name === name);
}

function yamlFile(files: readonly RenderedFile[], path: string): { content: string; parsed: Json } {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} rendered`);
  return { content: file.content, parsed: parseYaml(file.content) as Json };
}

/** Every PromQL expression of a dashboard: panel targets, and the series selectors of its variables. */
function expressionsOf(d: Json): { where: string; expr: string }[] {
  const exprs = dataPanels(d).flatMap((p) => (p.targets as Json[]).map((t) => ({ where: `${d.uid} / ${p.title} / ${t.refId}`, expr: t.expr as string })));
  for (const v of d.templating.list as Json[]) {
    if (v.type !== 'query') continue;
    if (!/^label_values\((.+),\s*([a-zA-Z_]\w*)\)$/.test(v.query as string)) throw new Error(`variable ${v.name} of ${d.uid} is not a label_values() query: ${v.query}`);
  }
  // As the dashboard check reads them: `group by (<label>) (<series>)`, one per metric of a `__name__` alternation.
  for (const q of dashboardQueries(d)) if (q.where.startsWith('$')) exprs.push({ where: `${d.uid} / ${q.where}`, expr: q.expr });
  return exprs;
}

/** Grafana fills these in before the query reaches Prometheus. */
const grafanaGlobals = ['__rate_interval', '__interval', '__range'];

/** Replaces Grafana's range variables with a duration, as Grafana does before sending the query. */
function asSent(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m');
}

interface SelectorUse { metric: string; labels: string[] }

/** The metric selectors and the `by`/`on` labels of an expression, from Prometheus' own grammar. */
async function selectorsOf(expr: string): Promise<{ selectors: SelectorUse[]; groupingLabels: string[] }> {
  const { tree, errors } = await parsePromql(asSent(expr));
  if (errors.length) throw new Error(`${expr}: ${errors[0]!.message}`);
  const text = (n: SyntaxNode) => asSent(expr).slice(n.from, n.to);
  const selectors: SelectorUse[] = [];
  const groupingLabels: string[] = [];
  tree.iterate({
    enter(ref) {
      const node = ref.node;
      if (node.name === 'VectorSelector') {
        const name = node.getChild('Identifier');
        if (!name) throw new Error(`a selector without a metric name in ${expr}`);
        const matchers = node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
        selectors.push({ metric: text(name), labels: matchers.map((m) => text(m.getChild('LabelName')!)) });
      }
      if (node.name === 'GroupingLabels') groupingLabels.push(...node.getChildren('LabelName').map(text));
    },
  });
  return { selectors, groupingLabels };
}

/**
 * What Grafana draws as the threshold line for one series: it applies the overrides whose matcher fits the
 * series (by display name, or by the query it came from) over the panel defaults, in order. Returns the
 * line's value and the side the panel colours red, or `undefined` when the series draws no line.
 */
function lineFor(p: Json, refId: string, labels: Record<string, string>): { value: number; redWhen: 'above' | 'below' } | undefined {
  const target = (p.targets as Json[]).find((t) => t.refId === refId);
  if (!target) throw new Error(`panel ${p.title} has no query ${refId}`);
  const seriesName = (target.legendFormat as string).replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label: string) => {
    if (labels[label] === undefined) throw new Error(`legend of ${p.title} needs label ${label}`);
    return labels[label]!;
  });
  let thresholds = p.fieldConfig.defaults.thresholds as Json;
  let mode = (p.fieldConfig.defaults.custom?.thresholdsStyle?.mode ?? 'off') as string;
  for (const override of p.fieldConfig.overrides as Json[]) {
    const { id, options } = override.matcher as Json;
    if (id !== 'byName' && id !== 'byRegexp' && id !== 'byFrameRefID') throw new Error(`unexpected matcher ${id} in ${p.title}`);
    const matches = id === 'byName' ? options === seriesName : id === 'byRegexp' ? new RegExp(options as string).test(seriesName) : options === refId;
    if (matches) {
      for (const property of override.properties as Json[]) {
        if (property.id === 'thresholds') thresholds = property.value;
        else if (property.id === 'custom.thresholdsStyle') mode = property.value.mode;
        else throw new Error(`unexpected override property ${property.id} in ${p.title}`);
      }
    }
  }
  if (mode === 'off') return undefined;
  const steps = thresholds.steps as Json[];
  expect(steps, `${p.title}: one line at one boundary`).toHaveLength(2);
  expect(steps[0]!.value).toBeNull();
  expect(new Set([steps[0]!.color, steps[1]!.color])).toEqual(new Set(['green', 'red']));
  return { value: steps[1]!.value as number, redWhen: steps[1]!.color === 'red' ? 'above' : 'below' };
}

// ---- the Grafana dashboard structure check -------------------------------------------------------

/**
 * Grafana's dashboard model, checked the way `mlmon validate` checks it (src/check/dashboards.ts): against the
 * JSON Schemas that scripts/generate-grafana-schema.mjs derives from `@grafana/schema` (the TypeScript types
 * Grafana generates from its CUE schema; the package version is pinned to the Grafana image's minor version),
 * committed as schemas/grafana-dashboard.schema.json. The drift test below regenerates that file. Panel
 * options and custom field config are checked against the plugin's own types (timeseries, heatmap, stat).
 */
type StructureCheck = (dashboard: unknown) => string[];

// ---- fixtures ----------------------------------------------------------------------------------

let exampleFiles: readonly RenderedFile[];
let exampleModel: MonitoringModel;
let exampleConfig: MonitoringConfig;
let example: Record<string, Json>;
let structureProblems: StructureCheck;

/** The example config, fresh and changeable (the model freezes what it keeps). */
function exampleWith(change: (config: MonitoringConfig) => void): MonitoringConfig {
  const config = structuredClone(exampleConfig);
  change(config);
  return config;
}

beforeAll(async () => {
  const generated = await generateExample();
  exampleModel = generated.model;
  exampleFiles = generated.files.filter((f) => f.path.startsWith('grafana/'));
  example = dashboardsOf(exampleFiles);
  exampleConfig = (await loadConfig(findConfigFile(repoRoot))).raw as MonitoringConfig;
  const check = await loadDashboardStructureCheck();
  structureProblems = (d) => check(d).map((e) => e.message);
});

// ---- the tests ---------------------------------------------------------------------------------

describe('Grafana files for the example config', () => {
  it('renders one dashboard per purpose and the two provisioning files', () => {
    expect(exampleFiles.map((f) => f.path).sort()).toEqual([
      'grafana/dashboards/application.json',
      'grafana/dashboards/infrastructure.json',
      'grafana/dashboards/ml-models.json',
      'grafana/dashboards/slos.json',
      'grafana/provisioning/dashboards/dashboards.yml',
      'grafana/provisioning/datasources/datasources.yml',
    ]);
  });

  it('gives every dashboard a stable uid that is valid in Grafana and matches its file name', () => {
    for (const [name, d] of Object.entries(example)) {
      expect(d.uid).toBe(`mlmon-${name}`);
      expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{8,40}$/);
      expect(d.id, 'Grafana assigns ids').toBeUndefined();
      expect(d.version, 'Grafana assigns versions').toBeUndefined();
    }
    expect(Object.values(example).map((d) => d.uid).sort()).toEqual(['mlmon-application', 'mlmon-infrastructure', 'mlmon-ml-models', 'mlmon-slos']);
  });

  it('renders byte-identical files twice in a row', () => {
    const again = render(exampleModel);
    expect(again).toEqual(render(exampleModel));
    const byPath = (files: readonly RenderedFile[]) => files.map((f) => [f.path, f.content]).sort(([a], [b]) => (a! < b! ? -1 : 1));
    expect(byPath(again)).toEqual(byPath(exampleFiles));
  });

  it('writes each dashboard as two-space JSON with a final newline and nothing that changes between runs', () => {
    for (const file of exampleFiles.filter((f) => f.path.endsWith('.json'))) {
      expect(file.content).toBe(`${JSON.stringify(JSON.parse(file.content), null, 2)}\n`);
      expect(file.content).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    }
  });

  it('pins the schema version of @grafana/schema, whose minor version is the Grafana image\'s', () => {
    const imageVersion = /:(\d+)\.(\d+)\./.exec(defaultImages.grafana);
    const schemaVersion = /^(\d+)\.(\d+)\./.exec(JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@grafana/schema/package.json'), 'utf8')).version as string);
    expect(schemaVersion?.slice(1)).toEqual(imageVersion?.slice(1));
    for (const d of Object.values(example)) expect(d.schemaVersion).toBe(defaultDashboard.schemaVersion);
  });

  it('lays panels out on the 24-column grid with no two panels overlapping', () => {
    for (const d of Object.values(example)) {
      const boxes = (d.panels as Json[]).map((p) => ({ title: p.title as string, ...(p.gridPos as { x: number; y: number; w: number; h: number }) }));
      for (const b of boxes) {
        expect([b.x, b.y, b.w, b.h].every(Number.isInteger), `${d.uid} / ${b.title}`).toBe(true);
        expect(b.x >= 0 && b.y >= 0 && b.w > 0 && b.h > 0 && b.x + b.w <= 24, `${d.uid} / ${b.title} fits the grid`).toBe(true);
      }
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap, `${d.uid}: "${a.title}" and "${b.title}" overlap`).toBe(false);
        }
      }
      const ids = (d.panels as Json[]).map((p) => p.id);
      expect(new Set(ids).size, `${d.uid}: panel ids are unique`).toBe(ids.length);
    }
  });

  it('reads every panel and every query through the $datasource variable', () => {
    const viaVariable = { type: 'prometheus', uid: '${datasource}' };
    for (const d of Object.values(example)) {
      const ds = variable(d, 'datasource');
      expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus', current: { value: exampleModel.grafana.prometheus.uid } });
      for (const p of dataPanels(d)) {
        expect(p.datasource, `${d.uid} / ${p.title}`).toEqual(viaVariable);
        expect(p.targets.length, `${d.uid} / ${p.title} has queries`).toBeGreaterThan(0);
        for (const t of p.targets as Json[]) expect(t.datasource, `${d.uid} / ${p.title} / ${t.refId}`).toEqual(viaVariable);
      }
      for (const v of (d.templating.list as Json[]).filter((v) => v.type === 'query')) expect(v.datasource).toEqual(viaVariable);
    }
  });

  it('chooses models, services and namespaces with variables rather than one dashboard per model', () => {
    const ml = dashboard(example, 'ml-models');
    expect(variable(ml, 'model')).toMatchObject({ type: 'query', multi: false, includeAll: false });
    expect(variable(ml, 'service')).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
    expect(variable(ml, 'namespace')).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
    for (const p of dataPanels(ml)) for (const t of p.targets as Json[]) expect(t.expr).toContain('model="$model"');
    const app = dashboard(example, 'application');
    expect(variable(app, 'service')).toMatchObject({ type: 'query', multi: false, includeAll: false });
    for (const p of dataPanels(app)) for (const t of p.targets as Json[]) expect(t.expr).toContain('service="$service"');
    for (const name of exampleModel.models.map((m) => m.name)) {
      expect(JSON.stringify(dataPanels(ml).map((p) => p.targets))).not.toContain(`model=\\"${name}\\"`);
    }
  });

  it('gives every panel a description and a unit, and each kind of value its own unit', () => {
    for (const d of Object.values(example)) {
      for (const p of dataPanels(d)) {
        expect(p.description, `${d.uid} / ${p.title}`).toMatch(/\w{3,}/);
        expect(p.fieldConfig.defaults.unit, `${d.uid} / ${p.title}`).toMatch(/^(s|percent|percentunit|reqps|ops|Bps|short|none|celsius)$/);
      }
    }
    const cases: [string, string, string][] = [
      ['application', 'Request rate', 'reqps'],
      ['application', 'Error ratio', 'percentunit'],
      ['application', 'Latency P50 / P95 / P99', 's'],
      ['ml-models', 'Predictions per second', 'ops'],
      ['ml-models', 'Inference latency P50 / P95 / P99', 's'],
      ['ml-models', 'Accuracy', 'percentunit'],
      ['ml-models', 'Mean prediction confidence', 'percentunit'],
      ['infrastructure', 'CPU usage per node', 'percent'],
      ['infrastructure', 'Memory usage per node', 'percent'],
      ['infrastructure', 'Disk space free per filesystem', 'percent'],
      ['infrastructure', 'Network I/O per node', 'Bps'],
      // Grafana's unit id for °C (DCGM_FI_DEV_GPU_TEMP is in degrees Celsius).
      ['infrastructure', 'GPU temperature', 'celsius'],
    ];
    for (const [name, title, unit] of cases) expect(panel(dashboard(example, name), title).fieldConfig.defaults.unit, title).toBe(unit);
    expect(panel(dashboard(example, 'application'), 'Request duration distribution').options.yAxis.unit).toBe('s');
  });

  it('shows everything the issue asks for on each dashboard', () => {
    const expected: Record<string, string[]> = {
      infrastructure: ['CPU usage per node', 'Memory usage per node', 'Disk space free per filesystem', 'Network I/O per node', 'Pods running per node', 'Containers by state', 'Scrape targets down'],
      application: ['Request rate', 'Latency P50 / P95 / P99', 'Error ratio', 'Active connections', 'Request duration distribution'],
      'ml-models': ['Predictions per second', 'Inference latency P50 / P95 / P99', 'Accuracy', 'Prediction confidence distribution', 'Data drift score'],
    };
    for (const [name, titles] of Object.entries(expected)) for (const title of titles) expect(panel(dashboard(example, name), title).title).toBe(title);
    const metricsOf = (d: Json, title: string) => (panel(d, title).targets as Json[]).map((t) => t.expr as string).join('\n');
    expect(metricsOf(dashboard(example, 'infrastructure'), 'Pods running per node')).toContain('kubelet_running_pods');
    expect(metricsOf(dashboard(example, 'infrastructure'), 'Containers by state')).toContain('kubelet_running_containers');
    expect(metricsOf(dashboard(example, 'application'), 'Active connections')).toContain('http_active_connections');
  });
});

describe('Grafana queries', () => {
  it('are all valid PromQL once Grafana has filled in $__rate_interval', async () => {
    const all = Object.values(example).flatMap(expressionsOf);
    expect(all.length).toBeGreaterThan(20);
    for (const { where, expr } of all) {
      const { errors } = await parsePromql(asSent(expr));
      expect(errors, `${where}: ${expr}`).toEqual([]);
    }
  });

  it('reject a broken expression, so the check above can fail', async () => {
    expect((await parsePromql(asSent('sum by (model) (rate(predictions_total[$__rate_interval])'))).errors).not.toEqual([]);
  });

  it('take rates over $__rate_interval (SLO budgets over an SLO window) and refer only to variables the dashboard defines', () => {
    const sloWindows = new Set(exampleModel.slos.slos.map((s) => s.window));
    for (const d of Object.values(example)) {
      const defined = new Set([...(d.templating.list as Json[]).map((v) => v.name as string), ...grafanaGlobals]);
      for (const { where, expr } of expressionsOf(d)) {
        for (const [, name] of expr.matchAll(/\$\{?(\w+)/g)) expect(defined.has(name!), `${where} uses $${name}`).toBe(true);
        // The error budget is over the SLO's own window, averaged from the 5m recordings as the long-window rules do.
        const allowed = (range: string, at: number) => range === '$__rate_interval'
          || (d.uid === 'mlmon-slos' && sloWindows.has(range) && /avg_over_time\(mlmon:slo_(errors|events):rate5m\{[^}]*\}$/.test(expr.slice(0, at)));
        for (const m of expr.matchAll(/\[([^\]]+)\]/g)) expect(allowed(m[1]!, m.index), `${where}: ${expr}`).toBe(true);
      }
    }
  });

  it('only use metrics of the catalog, with labels those metrics carry', async () => {
    const catalog = new Map(exampleModel.metricCatalog.map((m) => [m.name, m]));
    for (const d of Object.values(example)) {
      for (const { where, expr } of expressionsOf(d)) {
        const { selectors, groupingLabels } = await selectorsOf(expr);
        const known = new Set<string>(targetLabels);
        for (const { metric, labels } of selectors) {
          const histogram = /^(.+)_(bucket|sum|count)$/.exec(metric);
          const definition = catalog.get(metric) ?? (histogram && ['histogram', 'summary'].includes(catalog.get(histogram[1]!)?.type ?? '') ? catalog.get(histogram[1]!) : undefined);
          expect(definition, `${where}: ${metric} is not in the metric catalog`).toBeDefined();
          const allowed = new Set([...definition!.labels, ...targetLabels, ...(metric.endsWith('_bucket') ? ['le'] : [])]);
          for (const label of labels) expect(allowed.has(label), `${where}: ${metric} has no label ${label}`).toBe(true);
          allowed.forEach((l) => known.add(l));
        }
        for (const label of groupingLabels) expect(known.has(label), `${where}: nothing in it has label ${label}`).toBe(true);
      }
    }
  });

  it('sum histogram buckets by le before taking a quantile, unlike the seed', async () => {
    let quantiles = 0;
    for (const d of Object.values(example)) {
      for (const { where, expr } of expressionsOf(d)) {
        const { tree } = await parsePromql(asSent(expr));
        const sent = asSent(expr);
        tree.iterate({
          enter(ref) {
            const call = ref.node;
            if (call.name !== 'FunctionCall' || !call.getChild('FunctionIdentifier')?.getChild('HistogramQuantile')) return;
            quantiles++;
            const argument = call.getChild('FunctionCallBody')?.getChild('AggregateExpr');
            expect(argument, `${where}: histogram_quantile over an aggregation`).toBeDefined();
            const by = argument!.getChild('AggregateModifier');
            expect(by?.getChild('By'), `${where}: aggregated with by`).not.toBeNull();
            const labels = by!.getChild('GroupingLabels')!.getChildren('LabelName').map((n) => sent.slice(n.from, n.to));
            expect(labels, where).toContain('le');
          },
        });
      }
    }
    // Inference and request latency, and the example's vLLM time to first token: three quantiles each.
    expect(quantiles).toBe(9);
  });

  it('show the confidence distribution as a heatmap of its buckets and predictions per second summed by model', () => {
    const ml = dashboard(example, 'ml-models');
    const heatmap = panel(ml, 'Prediction confidence distribution');
    expect(heatmap.type).toBe('heatmap');
    expect(heatmap.options.calculate).toBe(false);
    expect(heatmap.targets).toHaveLength(1);
    expect(heatmap.targets[0]).toMatchObject({ format: 'heatmap', legendFormat: '{{le}}' });
    expect(heatmap.targets[0].expr).toMatch(/^sum by \(le\) \(rate\(prediction_confidence_bucket\{/);
    const requests = panel(dashboard(example, 'application'), 'Request duration distribution');
    expect(requests.type).toBe('heatmap');
    expect(requests.targets[0].expr).toMatch(/^sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{/);
    expect(panel(ml, 'Predictions per second').targets[0].expr).toMatch(/^sum by \(model\) \(rate\(predictions_total\{/);
  });

  it('filter disk space the way the DiskSpaceLow alert does', () => {
    const alert = exampleModel.builtinAlerts.find((a) => a.name === 'DiskSpaceLow');
    expect(alert?.rule.expr).toContain(realFilesystems);
    expect(panel(dashboard(example, 'infrastructure'), 'Disk space free per filesystem').targets[0].expr).toContain(realFilesystems);
  });
});

describe('Grafana threshold lines', () => {
  it('equal the thresholds in the example config, series by series', () => {
    const c = exampleConfig;
    const ml = dashboard(example, 'ml-models');
    const app = dashboard(example, 'application');
    const infra = dashboard(example, 'infrastructure');
    const d = c.defaults!.modelThresholds!;
    const fraud = c.models!['fraud-detector']!.thresholds!;
    const api = c.services!['model-api']!.thresholds!;
    const node = c.infrastructure!.thresholds!;
    const cases: [string, Json, string, string, Record<string, string>, { value: number; redWhen: 'above' | 'below' } | undefined][] = [
      ['fraud-detector has its own accuracy threshold', ml, 'Accuracy', 'A', { model: 'fraud-detector' }, { value: fraud.minAccuracy as number, redWhen: 'below' }],
      ['image-classifier has the default accuracy threshold', ml, 'Accuracy', 'A', { model: 'image-classifier' }, { value: d.minAccuracy as number, redWhen: 'below' }],
      ['a model the config does not list has the default accuracy threshold', ml, 'Accuracy', 'A', { model: 'unlisted-model' }, { value: d.minAccuracy as number, redWhen: 'below' }],
      ['fraud-detector has its own P95 inference latency threshold', ml, 'Inference latency P50 / P95 / P99', 'B', { model: 'fraud-detector' }, { value: fraud.maxInferenceLatencyP95Seconds as number, redWhen: 'above' }],
      ['an unlisted model has the default P95 inference latency threshold', ml, 'Inference latency P50 / P95 / P99', 'B', { model: 'unlisted-model' }, { value: d.maxInferenceLatencyP95Seconds as number, redWhen: 'above' }],
      ['P50 inference latency has no line', ml, 'Inference latency P50 / P95 / P99', 'A', { model: 'fraud-detector' }, undefined],
      ['P99 inference latency has no line', ml, 'Inference latency P50 / P95 / P99', 'C', { model: 'unlisted-model' }, undefined],
      ['recommendation-engine has drift alerts disabled, so no line', ml, 'Data drift score', 'A', { model: 'recommendation-engine' }, undefined],
      ['fraud-detector has the default drift threshold', ml, 'Data drift score', 'A', { model: 'fraud-detector' }, { value: d.maxDriftScore as number, redWhen: 'above' }],
      ['mean confidence has the default threshold', ml, 'Mean prediction confidence', 'A', { model: 'image-classifier' }, { value: d.minMeanConfidence as number, redWhen: 'below' }],
      ['predictions per second have no alert, so no line', ml, 'Predictions per second', 'A', { model: 'fraud-detector' }, undefined],
      ['model-api has its error ratio threshold', app, 'Error ratio', 'A', { service: 'model-api' }, { value: api.maxErrorRatio as number, redWhen: 'above' }],
      ['model-api has its throughput threshold', app, 'Request rate', 'A', { service: 'model-api' }, { value: api.minThroughputRps as number, redWhen: 'below' }],
      ['model-api has its P95 latency threshold', app, 'Latency P50 / P95 / P99', 'B', { service: 'model-api' }, { value: api.maxLatencyP95Seconds as number, redWhen: 'above' }],
      ['P99 latency of model-api has no line', app, 'Latency P50 / P95 / P99', 'C', { service: 'model-api' }, undefined],
      ['a service the config does not list pages no one, so no line', app, 'Error ratio', 'A', { service: 'unlisted-service' }, undefined],
      ['CPU has the infrastructure threshold', infra, 'CPU usage per node', 'A', { instance: 'node-exporter:9100' }, { value: node.maxCpuPercent!, redWhen: 'above' }],
      ['memory has the infrastructure threshold', infra, 'Memory usage per node', 'A', { instance: 'node-exporter:9100' }, { value: node.maxMemoryPercent!, redWhen: 'above' }],
      ['disk has the infrastructure threshold', infra, 'Disk space free per filesystem', 'A', { instance: 'node-exporter:9100', mountpoint: '/' }, { value: node.minDiskFreePercent!, redWhen: 'below' }],
    ];
    for (const [sentence, d2, title, refId, labels, expected] of cases) {
      const p = panel(d2, title);
      expect(lineFor(p, refId, labels), sentence).toEqual(expected);
      // Grafana sizes the axis to the data: the panel must stretch it so the line is on screen.
      if (expected) expect(p.fieldConfig.defaults.custom.axisSoftMax, `${sentence}: the axis reaches the line`).toBeGreaterThanOrEqual(expected.value);
    }
  });

  it('move when one model\'s threshold changes in the config, and only that model\'s', () => {
    const changed = dashboardsFor(exampleWith((c) => { c.models!['fraud-detector']!.thresholds!.minAccuracy = 0.77; }));
    const before = panel(dashboard(example, 'ml-models'), 'Accuracy');
    const after = panel(dashboard(changed, 'ml-models'), 'Accuracy');
    expect(lineFor(before, 'A', { model: 'fraud-detector' })?.value).toBe(0.9);
    expect(lineFor(after, 'A', { model: 'fraud-detector' })?.value).toBe(0.77);
    for (const other of ['image-classifier', 'recommendation-engine', 'unlisted-model']) {
      expect(lineFor(after, 'A', { model: other }), other).toEqual(lineFor(before, 'A', { model: other }));
    }
    expect(JSON.stringify(changed['ml-models'])).not.toBe(JSON.stringify(example['ml-models']));
    expect(changed.application).toEqual(example.application);
  });

  it('share one override per distinct threshold across a fleet, matching names with regex characters exactly', () => {
    const names = ['a.b', 'c+d', 'e(f)', 'g|h', 'plain'];
    const fleet = dashboardsFor(exampleWith((c) => {
      c.models = Object.fromEntries(names.map((n, i) => [n, { service: 'model-api', thresholds: { minAccuracy: i < 4 ? 0.8 : 0.95 } }]));
      c.models['at-default'] = { service: 'model-api' };
    }));
    const accuracy = panel(dashboard(fleet, 'ml-models'), 'Accuracy');
    // Two distinct non-default values, two overrides: not one per model, none for the model at the default.
    expect((accuracy.fieldConfig.overrides as Json[]).length).toBe(2);
    for (const [i, name] of names.entries()) expect(lineFor(accuracy, 'A', { model: name })?.value, name).toBe(i < 4 ? 0.8 : 0.95);
    expect(lineFor(accuracy, 'A', { model: 'at-default' })?.value).toBe(0.85);
    // A name that a regex would match loosely, but that is not in the group, keeps the default.
    expect(lineFor(accuracy, 'A', { model: 'aXb' })?.value).toBe(0.85);
  });

  it('move for every unlisted model when the default threshold changes', () => {
    const changed = dashboardsFor(exampleWith((c) => { c.defaults!.modelThresholds!.maxDriftScore = 0.45; }));
    const drift = panel(dashboard(changed, 'ml-models'), 'Data drift score');
    expect(lineFor(drift, 'A', { model: 'unlisted-model' })?.value).toBe(0.45);
    expect(lineFor(drift, 'A', { model: 'fraud-detector' })?.value).toBe(0.45);
    expect(lineFor(drift, 'A', { model: 'recommendation-engine' })).toBeUndefined();
  });

  it('disappear when the alert is disabled, because nothing pages on it', () => {
    const changed = dashboardsFor(exampleWith((c) => { c.alerts = { ...c.alerts, ModelAccuracyDrop: { enabled: false }, HighCPUUsage: { enabled: false } }; }));
    for (const model of ['fraud-detector', 'unlisted-model']) expect(lineFor(panel(dashboard(changed, 'ml-models'), 'Accuracy'), 'A', { model })).toBeUndefined();
    expect(lineFor(panel(dashboard(changed, 'infrastructure'), 'CPU usage per node'), 'A', { instance: 'n:9100' })).toBeUndefined();
    expect(panel(dashboard(changed, 'ml-models'), 'Accuracy').description).not.toContain('ModelAccuracyDrop');
  });

  it('follow a changed infrastructure threshold', () => {
    const changed = dashboardsFor(exampleWith((c) => { c.infrastructure!.thresholds!.maxMemoryPercent = 93; }));
    expect(lineFor(panel(dashboard(changed, 'infrastructure'), 'Memory usage per node'), 'A', { instance: 'n:9100' })?.value).toBe(93);
  });

  it('name the alert, its severity and its for duration in the panel description', () => {
    const accuracy = panel(dashboard(example, 'ml-models'), 'Accuracy');
    expect(accuracy.description).toContain('ModelAccuracyDrop alert (critical), which fires after 15m below it');
    const changed = dashboardsFor(exampleWith((c) => { c.alerts = { ...c.alerts, ModelAccuracyDrop: { severity: 'warning', for: '30m' } }; }));
    expect(panel(dashboard(changed, 'ml-models'), 'Accuracy').description).toContain('ModelAccuracyDrop alert (warning), which fires after 30m below it');
  });
});

describe('Grafana per-model dashboards', () => {
  it('are not generated unless the config asks for them', () => {
    expect(Object.keys(example).sort()).toEqual(['application', 'infrastructure', 'ml-models', 'slos']);
  });

  it('are generated, one per listed model, with the model fixed and its own thresholds', () => {
    const dashboards = dashboardsFor(exampleWith((c) => { c.grafana = { perModelDashboards: true }; }));
    expect(Object.keys(dashboards).sort()).toEqual(['application', 'infrastructure', 'ml-models', 'model-fraud-detector', 'model-image-classifier', 'model-recommendation-engine', 'model-support-assistant', 'slos']);
    const fraud = dashboard(dashboards, 'model-fraud-detector');
    expect(fraud.uid).toBe('mlmon-model-fraud-detector');
    expect(variable(fraud, 'model')).toBeUndefined();
    for (const p of dataPanels(fraud)) for (const t of p.targets as Json[]) expect(t.expr).toContain('model="fraud-detector"');
    expect(lineFor(panel(fraud, 'Accuracy'), 'A', { model: 'fraud-detector' })?.value).toBe(0.9);
    expect(lineFor(panel(fraud, 'Inference latency P50 / P95 / P99'), 'B', { model: 'fraud-detector' })?.value).toBe(0.3);
    expect(lineFor(panel(fraud, 'Inference latency P50 / P95 / P99'), 'A', { model: 'fraud-detector' })).toBeUndefined();
    expect(lineFor(panel(dashboard(dashboards, 'model-recommendation-engine'), 'Data drift score'), 'A', { model: 'recommendation-engine' })).toBeUndefined();
    expect(lineFor(panel(dashboard(dashboards, 'model-image-classifier'), 'Accuracy'), 'A', { model: 'image-classifier' })?.value).toBe(0.85);
    expect(structureProblems(fraud)).toEqual([]);
  });

  it('follow a change of their model\'s threshold', () => {
    const dashboards = dashboardsFor(exampleWith((c) => {
      c.grafana = { perModelDashboards: true };
      c.models!['image-classifier']!.thresholds = { minMeanConfidence: 0.55 };
    }));
    expect(lineFor(panel(dashboard(dashboards, 'model-image-classifier'), 'Mean prediction confidence'), 'A', { model: 'image-classifier' })?.value).toBe(0.55);
    expect(lineFor(panel(dashboard(dashboards, 'model-fraud-detector'), 'Mean prediction confidence'), 'A', { model: 'fraud-detector' })?.value).toBe(0.7);
  });

  it('get valid, distinct uids and valid PromQL for model names that are not slugs', async () => {
    const names = ['Fraud "Detector" \\ v2', 'fraud-detector', 'fraud detector', 'a-very-long-model-name-that-does-not-fit-in-a-uid', '模型'];
    const config: MonitoringConfig = {
      services: { api: { discovery: { staticTargets: ['api:8080'] } } },
      models: Object.fromEntries(names.map((name) => [name, { service: 'api' }])),
      grafana: { perModelDashboards: true },
    };
    const model = modelOf(config);
    const files = render(model);
    const dashboards = dashboardsOf(files);
    const perModel = Object.values(dashboards).filter((d) => d.uid.startsWith('mlmon-model-'));
    // What `mlmon validate` checks: structure, and every query's PromQL against the catalog.
    const checked = await checkDashboards(files, { catalog: model.metricCatalog, scrapeIntervalSeconds: 15 });
    expect(checked.problems).toEqual([]);
    expect(checked.dashboards).toBe(3 + names.length);
    expect(perModel).toHaveLength(names.length);
    expect(new Set(perModel.map((d) => d.uid)).size).toBe(names.length);
    for (const d of perModel) {
      expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{8,40}$/);
      for (const { where, expr } of expressionsOf(d)) expect((await parsePromql(asSent(expr))).errors, `${where}: ${expr}`).toEqual([]);
    }
    expect(stableId('mlmon-model-', 'fraud-detector')).toBe('mlmon-model-fraud-detector');
    expect(stableId('mlmon-model-', 'fraud detector')).toMatch(/^mlmon-model-fraud-detector-[0-9a-f]{8}$/);
    const weird = perModel.find((d) => d.title === `ML model: ${names[0]}`)!;
    expect(panel(weird, 'Accuracy').targets[0].expr).toContain('model="Fraud \\"Detector\\" \\\\ v2"');
  });
});

describe('Grafana infrastructure dashboard', () => {
  it('leaves out node panels without node-exporter targets and pod panels without kubelets', () => {
    const bare = dashboardsFor({ infrastructure: { nodeExporterTargets: [], kubernetesNodes: false } });
    expect(dataPanels(dashboard(bare, 'infrastructure')).map((p) => p.title)).toEqual(['Scrape targets down']);
    expect((dashboard(bare, 'infrastructure').panels as Json[]).filter((p) => p.type === 'row').map((p) => p.title)).toEqual(['Cluster']);
    expect(structureProblems(dashboard(bare, 'infrastructure'))).toEqual([]);
  });
});

describe('Grafana dashboard structure', () => {
  it('matches Grafana\'s dashboard model for every dashboard of the example', () => {
    for (const d of Object.values(example)) expect(structureProblems(d), d.uid).toEqual([]);
  });

  it('is checked against a schema bundle that is exactly what @grafana/schema generates (run `npm run schema` when this fails)', () => {
    const committed = readFileSync(join(repoRoot, 'schemas/grafana-dashboard.schema.json'), 'utf8');
    expect(committed).toBe((generateGrafanaSchemaText as () => string)());
    // …and the precompiled validators are what ajv makes of it.
    expect(readFileSync(join(repoRoot, 'schemas/grafana-dashboard.validate.cjs'), 'utf8')).toBe((generateGrafanaValidatorText as (bundle: string) => string)(committed));
    expect(committed).toContain(`from @grafana/schema ${JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@grafana/schema/package.json'), 'utf8')).version as string}.`);
  });

  const broken: [string, (d: Json) => void, RegExp][] = [
    ['a panel without a type', (d) => { delete dataPanels(d)[0]!.type; }, /must have required property 'type'/],
    ['a grid position given as text', (d) => { dataPanels(d)[0]!.gridPos.h = '8'; }, /gridPos\/h must be number/],
    ['a misspelled panel field', (d) => { const p = dataPanels(d)[0]!; p.fieldconfig = p.fieldConfig; }, /must NOT have additional properties.*fieldconfig/],
    ['a threshold mode Grafana does not have', (d) => { dataPanels(d)[0]!.fieldConfig.defaults.thresholds.mode = 'relative'; }, /thresholds\/mode must be equal to one of the allowed values/],
    ['a threshold style Grafana does not have, in an override', (d) => { panel(d, 'Accuracy').fieldConfig.overrides[0].properties[1].value.mode = 'dotted'; }, /overrides\/0\/properties\/1\/mode must be equal to one of the allowed values/],
    ['a timeseries legend without its display mode', (d) => { delete panel(d, 'Accuracy').options.legend.displayMode; }, /options\/legend must have required property 'displayMode'/],
    ['a heatmap without its colour options', (d) => { delete panel(d, 'Prediction confidence distribution').options.color; }, /options must have required property 'color'/],
    ['a misspelled custom field option', (d) => { panel(d, 'Accuracy').fieldConfig.defaults.custom.lineWdith = 2; }, /custom must NOT have additional properties.*lineWdith/],
    ['a variable of a type Grafana does not have', (d) => { d.templating.list[0].type = 'dropdown'; }, /templating\/list\/0\/type must be equal to one of the allowed values/],
    ['a panel type the check has no schema for', (d) => { dataPanels(d)[0]!.type = 'graph'; }, /has type "graph", which this check has no schema for/],
  ];
  for (const [what, breakIt, reported] of broken) {
    it(`reports ${what}`, () => {
      const d = structuredClone(dashboard(example, 'ml-models'));
      breakIt(d);
      expect(structureProblems(d).join('\n')).toMatch(reported);
    });
  }
});

describe('Grafana provisioning', () => {
  it('provisions Prometheus and Elasticsearch from the model, each file starting with the banner', () => {
    const { content, parsed } = yamlFile(exampleFiles, 'grafana/provisioning/datasources/datasources.yml');
    expect(content.split('\n')[0]).toBe(banner(exampleModel));
    expect(parsed.apiVersion).toBe(1);
    const [prometheus, elasticsearch] = parsed.datasources as Json[];
    expect(prometheus).toMatchObject({ type: 'prometheus', uid: 'mlmon-prometheus', url: 'http://prometheus:9090', isDefault: true, jsonData: { timeInterval: exampleConfig.prometheus!.scrapeInterval } });
    expect(elasticsearch).toMatchObject({
      type: 'elasticsearch', uid: 'mlmon-elasticsearch', url: exampleConfig.logging!.elasticsearchHosts![0],
      jsonData: { index: `${exampleConfig.logging!.indexPrefix}*`, timeField: '@timestamp' },
    });
    // A data stream has no dated index names: Grafana must not compute daily ones (`interval: Daily`).
    expect(elasticsearch!.jsonData).not.toHaveProperty('interval');
    expect(exampleModel.grafana.elasticsearch.url).toBe(exampleModel.logging.elasticsearchHosts[0]);
    const provider = yamlFile(exampleFiles, 'grafana/provisioning/dashboards/dashboards.yml');
    expect(provider.content.split('\n')[0]).toBe(banner(exampleModel));
    expect(provider.parsed.providers).toEqual([{
      name: 'mlmon', orgId: 1, folder: 'mlmon', type: 'file', disableDeletion: true, allowUiUpdates: false, updateIntervalSeconds: 30,
      options: { path: exampleModel.grafana.dashboardsPath, foldersFromFilesStructure: false },
    }]);
  });

  it('takes the Prometheus URL, the folder, the Elasticsearch host and index from the config', () => {
    const files = render(modelOf({
      grafana: { prometheusUrl: 'https://prom.example.com:9443', folder: 'ML "monitoring": prod #1' },
      prometheus: { scrapeInterval: '30s' },
      logging: { elasticsearchHosts: ['https://es-1.example.com:9200', 'https://es-2.example.com:9200'], indexPrefix: 'fraud-logs' },
    }));
    const [prometheus, elasticsearch] = yamlFile(files, 'grafana/provisioning/datasources/datasources.yml').parsed.datasources as Json[];
    expect(prometheus).toMatchObject({ url: 'https://prom.example.com:9443', jsonData: { timeInterval: '30s' } });
    expect(elasticsearch).toMatchObject({ url: 'https://es-1.example.com:9200', jsonData: { index: 'fraud-logs*' } });
    expect(yamlFile(files, 'grafana/provisioning/dashboards/dashboards.yml').parsed.providers[0].folder).toBe('ML "monitoring": prod #1');
  });

  it('doubles every $ in config values, which Grafana would otherwise expand from its environment', () => {
    const files = render(modelOf({ grafana: { prometheusUrl: 'http://prometheus:9090/$HOME', folder: 'cost ${USD}' } }));
    const [prometheus] = yamlFile(files, 'grafana/provisioning/datasources/datasources.yml').parsed.datasources as Json[];
    expect(prometheus!.url).toBe('http://prometheus:9090/$$HOME');
    expect(yamlFile(files, 'grafana/provisioning/dashboards/dashboards.yml').parsed.providers[0].folder).toBe('cost $${USD}');
  });
});

describe('Grafana SLO dashboard', () => {
  /** Rows in order, each with the titles of the panels under it (the panel list is row, panels, row, …). */
  function rowsOf(d: Json): { title: string; panels: Json[] }[] {
    const rows: { title: string; panels: Json[] }[] = [];
    for (const p of d.panels as Json[]) {
      if (p.type === 'row') rows.push({ title: p.title as string, panels: [] });
      else rows.at(-1)!.panels.push(p);
    }
    return rows;
  }
  const withoutSlos = (c: MonitoringConfig) => {
    delete c.defaults!.modelSlos;
    for (const m of Object.values(c.models ?? {})) delete m.slos;
    for (const s of Object.values(c.services ?? {})) delete s.slos;
  };
  const burnTitles = (prefix: string) => ['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'].map((t) => `${prefix}: burn rate ${t}`);

  it('exists exactly when the config has SLOs, on models or on services alone', () => {
    expect(dashboard(example, 'slos').uid).toBe('mlmon-slos');
    expect(Object.keys(dashboardsFor(exampleWith(withoutSlos)))).not.toContain('slos');
    const servicesOnly = dashboard(dashboardsFor(exampleWith((c) => {
      withoutSlos(c);
      c.services!['model-api']!.slos = { availability: { indicator: { kind: 'availability' }, objective: 99.9 } };
    })), 'slos');
    expect(rowsOf(servicesOnly).map((r) => r.title)).toEqual(['Service availability']);
    expect(variable(servicesOnly, 'model')).toBeUndefined();
    expect(variable(servicesOnly, 'service')).toMatchObject({ type: 'query', multi: false, query: 'label_values(mlmon:slo_burn_rate:rate5m, service)' });
    expect(structureProblems(servicesOnly)).toEqual([]);
  });

  it('has one row per SLO name and scope, each with the SLI, the budget and one burn-rate panel per tier', () => {
    const d = dashboard(example, 'slos');
    expect(rowsOf(d).map((r) => r.title)).toEqual(['Model availability', 'Model latency', 'Service availability']);
    for (const row of rowsOf(d)) {
      expect(row.panels.map((p) => p.title)).toEqual([`${row.title}: SLI and objective`, `${row.title}: error budget remaining`, ...burnTitles(row.title)]);
      const scope = row.title.startsWith('Model') ? 'model' : 'service';
      for (const p of row.panels) for (const t of p.targets as Json[]) expect(t.expr, `${p.title} / ${t.refId}`).toContain(`${scope}="$${scope}"`);
    }
    expect(variable(d, 'model')).toMatchObject({ type: 'query', multi: false, includeAll: false, query: 'label_values(mlmon:slo_burn_rate:rate5m, model)' });
    // A new SLO name on one model is a new row; a model-only override of an existing name is not.
    const more = dashboard(dashboardsFor(exampleWith((c) => {
      c.models!['image-classifier']!.slos = { 'a-freshness': { indicator: { kind: 'latency', thresholdSeconds: 0.5 }, objective: 95 } };
    })), 'slos');
    expect(rowsOf(more).map((r) => r.title)).toEqual(['Model a-freshness', 'Model availability', 'Model latency', 'Service availability']);
  });

  it('draws each tier\'s factor as the burn-rate line, from the SLO\'s own policy (SRE workbook at 28d and 30d, Pyrra, a disabled tier)', () => {
    const d = dashboard(example, 'slos');
    const factors = (row: { panels: Json[] }, labels: Record<string, string>) => row.panels.filter((p) => / burn rate /.test(p.title as string))
      .map((p) => [lineFor(p, 'A', labels)!, lineFor(p, 'B', labels)!].map((l) => `${l.value} ${l.redWhen}`).join(' / '));
    const [availability, , service] = rowsOf(d);
    // The workbook's factors (sre.google/workbook/alerting-on-slos, as Sloth ships them) scaled to the window.
    expect(factors(availability!, { model: 'fraud-detector' })).toEqual(['13.44 above / 13.44 above', '5.6 above / 5.6 above', '2.8 above / 2.8 above', '0.9333 above / 0.9333 above']);
    expect(factors(service!, { service: 'model-api' })).toEqual(['14.4 above / 14.4 above', '6 above / 6 above', '3 above / 3 above', '1 above / 1 above']);
    for (const row of [availability!, service!]) {
      const policy = exampleModel.slos.policies.find((p) => row.panels[2]!.targets[0].expr.includes(`slo_policy="${p.id}"`))!;
      expect(factors(row, { model: 'm', service: 's' })).toEqual(policy.tiers.map((t) => `${t.factor} above / ${t.factor} above`));
      expect(row.panels.slice(2).map((p) => (p.targets as Json[]).map((t) => t.expr.replace(/\{.*/, '')))).toEqual(policy.tiers.map((t) => [`mlmon:slo_burn_rate:rate${t.longWindow}`, `mlmon:slo_burn_rate:rate${t.shortWindow}`]));
    }
    const pyrra = rowsOf(dashboard(dashboardsFor(exampleWith((c) => {
      c.services!['model-api']!.slos!.availability = { indicator: { kind: 'availability' }, objective: 99.9, window: '28d', tiers: 'pyrra', tierSettings: { 'ticket-slow': false } };
    })), 'slos')).at(-1)!;
    expect(pyrra.panels.map((p) => p.title)).toEqual(['Service availability: SLI and objective', 'Service availability: error budget remaining', ...burnTitles('Service availability').slice(0, 3)]);
    expect(factors(pyrra, { service: 'model-api' })).toEqual(['14 above / 14 above', '7 above / 7 above', '2 above / 2 above']);
    expect(pyrra.panels[4]!.targets[0].expr).toContain('mlmon:slo_burn_rate:rate1d{');
  });

  it('measures the SLI and the budget against the objective series, the budget over the SLO\'s window', () => {
    const [availability, , service] = rowsOf(dashboard(example, 'slos'));
    const exprs = (p: Json) => (p.targets as Json[]).map((t) => t.expr as string);
    const [sli, objective] = exprs(availability!.panels[0]!);
    expect(sli).toMatch(/^1 - \(mlmon:slo_errors:rate5m\{model="\$model"\} \/ mlmon:slo_events:rate5m\{model="\$model"\}\) and on \(model, sli\) mlmon:slo_burn_rate:rate5m\{model="\$model", slo="availability"\}$/);
    // Listed models have their own objective; the others the default's.
    expect(objective).toContain('mlmon:slo_objective:ratio{model="$model", slo="availability"}');
    expect(objective).toContain('mlmon:slo_objective:default_ratio{slo="availability"}');
    expect(exprs(availability!.panels[1]!)).toEqual([expect.stringMatching(/avg_over_time\(mlmon:slo_errors:rate5m\{model="\$model"\}\[28d\]\) \/ avg_over_time\(mlmon:slo_events:rate5m\{model="\$model"\}\[28d\]\)/)]);
    expect(exprs(service!.panels[1]!)[0]).toContain('[30d]');
    expect(exprs(service!.panels[0]!)[1]).toBe('max(mlmon:slo_objective:ratio{service="$service", slo="availability"})');
    expect(lineFor(availability!.panels[1]!, 'A', { model: 'm' })).toEqual({ value: 0, redWhen: 'below' });
  });
});

describe('Grafana SLO dashboard with SLOs of one name over different windows', () => {
  it('gives the budget one query per window and each policy its own burn-rate panels and factor lines', () => {
    const d = dashboard(dashboardsFor(exampleWith((c) => {
      c.models!['fraud-detector']!.slos = { ...c.models!['fraud-detector']!.slos, availability: { window: '7d' } };
    })), 'slos');
    expect(structureProblems(d)).toEqual([]);
    const availability = (d.panels as Json[]).filter((p) => p.type !== 'row' && (p.title as string).startsWith('Model availability:'));
    const budget = availability.find((p) => p.title === 'Model availability: error budget remaining')!;
    expect((budget.targets as Json[]).map((t) => [t.legendFormat, /\[(\w+)\]/.exec(t.expr)![1], /slo_policy=~"([^"]+)"/.exec(t.expr)![1]]))
      .toEqual([['{{model}} over 28d', '28d', 'sre-workbook-28d'], ['{{model}} over 7d', '7d', 'sre-workbook-7d']]);
    const burn = availability.filter((p) => / burn rate /.test(p.title as string));
    expect(burn.map((p) => p.title)).toEqual([
      ...['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'].map((t) => `Model availability: burn rate ${t} (sre-workbook-28d)`),
      ...['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'].map((t) => `Model availability: burn rate ${t} (sre-workbook-7d)`),
    ]);
    // The workbook's budget shares over a 7-day window: 2% in 1h, 5% in 6h, 10% in 1d, 10% in 3d.
    expect(burn.slice(4).map((p) => lineFor(p, 'A', { model: 'fraud-detector' })!.value)).toEqual([3.36, 1.4, 0.7, 0.2333]);
    for (const p of burn.slice(4)) for (const t of p.targets as Json[]) expect(t.expr).toContain('slo_policy="sre-workbook-7d"');
  });
});
