/**
 * The dashboard check of `mlmon validate`, called directly: clean on the example's dashboards, and each
 * deliberately broken dashboard reported with the dashboard's uid and the panel (or variable) it is in.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDashboards, dashboardQueries } from '../../src/check/dashboards.js';
import type { PromqlCheckOptions } from '../../src/check/promql-semantics.js';
import type { MonitoringModel } from '../../src/normalize/model.js';
import type { Problem } from '../../src/problems.js';
import type { RenderedFile } from '../../src/render/artifact.js';
import { generateExample } from '../support/fixtures.js';

type Json = Record<string, any>;

let exampleModel: MonitoringModel;
let dashboardFiles: readonly RenderedFile[];
let options: PromqlCheckOptions;
beforeAll(async () => {
  const generated = await generateExample();
  exampleModel = generated.model;
  dashboardFiles = generated.files.filter((f) => f.path.startsWith('grafana/dashboards/'));
  options = { catalog: exampleModel.metricCatalog, scrapeIntervalSeconds: 15 };
});

const mlModelsPath = 'grafana/dashboards/ml-models.json';

/** The example's dashboards with ml-models.json changed. */
function withMlModels(change: (d: Json) => void): RenderedFile[] {
  return dashboardFiles.map((file) => {
    if (file.path !== mlModelsPath) return file;
    const d = JSON.parse(file.content) as Json;
    change(d);
    return { path: file.path, content: JSON.stringify(d, null, 2) };
  });
}

const panel = (d: Json, title: string): Json => {
  const found = (d.panels as Json[]).find((p) => p.title === title);
  if (!found) throw new Error(`no panel ${title}`);
  return found;
};
const variable = (d: Json, name: string): Json => (d.templating.list as Json[]).find((v) => v.name === name)!;

const summary = (problems: readonly Problem[]) => problems.map((p) => ({ id: p.id, severity: p.severity, artifact: p.artifact, object: p.object }));

describe('the dashboard check', () => {
  it('finds nothing wrong with the example, and counts every panel query and variable query', async () => {
    const result = await checkDashboards(dashboardFiles, options);
    expect(result.problems).toEqual([]);
    expect(result.dashboards).toBe(4);
    expect(dashboardFiles.map((f) => f.path)).toContain('grafana/dashboards/slos.json');
    const dashboards = dashboardFiles.map((f) => JSON.parse(f.content) as Json);
    const targets = dashboards.flatMap((d) => (d.panels as Json[]).flatMap((p) => p.targets ?? []));
    const queryVariables = dashboards.flatMap((d) => (d.templating.list as Json[]).filter((v) => v.type === 'query'));
    expect(targets.length).toBeGreaterThan(20);
    expect(result.queries).toBe(targets.length + queryVariables.length);
  });

  const cases: { name: string; change: (d: Json) => void; problems: { id: string; object: string; severity?: 'error' | 'warning' }[]; message: RegExp }[] = [
    {
      name: 'a panel field Grafana does not have',
      change: (d) => { const p = panel(d, 'Accuracy'); p.fieldconfig = p.fieldConfig; },
      problems: [{ id: 'grafana/invalid-dashboard', object: 'mlmon-ml-models: Accuracy' }],
      message: /^panels\/\d+ must NOT have additional properties: fieldconfig$/,
    },
    {
      name: 'a misspelt option of a plugin',
      change: (d) => { panel(d, 'Accuracy').options.legend.placment = 'right'; },
      problems: [{ id: 'grafana/invalid-dashboard', object: 'mlmon-ml-models: Accuracy' }],
      message: /^panels\/\d+\/options\/legend must NOT have additional properties: placment$/,
    },
    {
      name: 'an override of a field option the panel does not have',
      change: (d) => { panel(d, 'Accuracy').fieldConfig.overrides[0].properties.push({ id: 'custom.lineWdith', value: 2 }); },
      problems: [{ id: 'grafana/invalid-dashboard', object: 'mlmon-ml-models: Accuracy' }],
      message: /overrides\/0\/properties\/2 sets "custom\.lineWdith", which a timeseries panel's field config doesn't have$/,
    },
    {
      name: 'an override property named like a JavaScript built-in, as an unknown property rather than a crash',
      change: (d) => { panel(d, 'Accuracy').fieldConfig.overrides[0].properties.push({ id: 'constructor', value: 2 }, { id: 'custom.toString', value: 2 }); },
      problems: [{ id: 'grafana/invalid-dashboard', object: 'mlmon-ml-models: Accuracy' }, { id: 'grafana/invalid-dashboard', object: 'mlmon-ml-models: Accuracy' }],
      message: /overrides\/0\/properties\/2 sets "constructor", which a timeseries panel's field config doesn't have$/,
    },
    {
      name: 'a dashboard setting of the wrong type, on the dashboard itself',
      change: (d) => { d.graphTooltip = 'shared'; },
      problems: [{ id: 'grafana/invalid-dashboard', object: 'mlmon-ml-models' }],
      message: /^graphTooltip must be equal to one of the allowed values: [012], [012], [012]$/,
    },
    {
      name: 'a query on a label the metric does not have',
      change: (d) => { panel(d, 'Accuracy').targets[0].expr = 'min by (model_name) (model_accuracy{namespace=~"$namespace", model="$model"})'; },
      problems: [{ id: 'promql/unknown-label', object: 'mlmon-ml-models: Accuracy' }],
      message: /label "model_name", which the series there don't have/,
    },
    {
      name: 'a variable listing a label the metric does not have',
      change: (d) => { variable(d, 'model').query = 'label_values(predictions_total{namespace=~"$namespace"}, model_name)'; },
      problems: [{ id: 'promql/unknown-label', object: 'mlmon-ml-models: $model' }],
      message: /label "model_name"/,
    },
    {
      name: 'a variable listing models from a model server metric that is not in the catalog, within a __name__ union',
      change: (d) => { variable(d, 'model').query = 'label_values({__name__=~"predictions_total|vllm:num_request_running", namespace=~"$namespace"}, model)'; },
      problems: [{ id: 'promql/unknown-metric', object: 'mlmon-ml-models: $model' }],
      message: /metric "vllm:num_request_running" is not in the metric catalog/,
    },
    {
      name: 'a variable whose __name__ union matches on a label one of its metrics lacks',
      change: (d) => { variable(d, 'model').query = 'label_values({__name__=~"predictions_total|vllm:num_requests_running", engine="0"}, model)'; },
      problems: [{ id: 'promql/unknown-label', object: 'mlmon-ml-models: $model' }],
      message: /^the selector predictions_total\{engine="0"\} uses label "engine"/,
    },
    {
      name: 'a query on a metric that is not in the catalog',
      change: (d) => { panel(d, 'Data drift score').targets[0].expr = 'max by (model) (feature_drift{model="$model"})'; },
      problems: [{ id: 'promql/unknown-metric', object: 'mlmon-ml-models: Data drift score' }],
      message: /metric "feature_drift" is not in the metric catalog/,
    },
    {
      name: 'a query that does not parse',
      change: (d) => { panel(d, 'Accuracy').targets[0].expr = 'min by (model) (model_accuracy{model="$model"}'; },
      problems: [{ id: 'promql/syntax', object: 'mlmon-ml-models: Accuracy' }],
      message: /^the expression does not parse/,
    },
    {
      name: 'a query on a variable the dashboard does not define',
      change: (d) => { panel(d, 'Accuracy').targets[0].expr = 'min by (model) (model_accuracy{model="$modle"})'; },
      problems: [{ id: 'grafana/unknown-variable', object: 'mlmon-ml-models: Accuracy' }],
      message: /uses \$modle, which the dashboard does not define/,
    },
    {
      name: 'a rate over $__interval, which at its smallest is one scrape interval and so often empty',
      change: (d) => { panel(d, 'Predictions per second').targets[0].expr = 'sum by (model) (rate(predictions_total{model="$model"}[$__interval]))'; },
      problems: [{ id: 'rules/rate-window', object: 'mlmon-ml-models: Predictions per second' }],
      message: /rate\(\) over \[15s\] needs 2 samples; at a 15s scrape interval the window holds 1, and one lost scrape leaves 0/,
    },
    {
      name: 'a panel type the check has no schema for',
      change: (d) => { panel(d, 'Accuracy').type = 'graph'; },
      problems: [{ id: 'grafana/invalid-dashboard', object: 'mlmon-ml-models: Accuracy' }],
      message: /has type "graph", which this check has no schema for/,
    },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, async () => {
      const { problems } = await checkDashboards(withMlModels(c.change), options);
      expect(summary(problems)).toEqual(c.problems.map((p) => ({ severity: 'error', artifact: mlModelsPath, ...p })));
      expect(problems[0]!.message).toMatch(c.message);
    });
  }

  it('reports an SLO panel reading a burn-rate window the rules don\'t record, and a label the SLO series lack', async () => {
    const slosPath = 'grafana/dashboards/slos.json';
    const files = dashboardFiles.map((file) => {
      if (file.path !== slosPath) return file;
      const d = JSON.parse(file.content) as Json;
      // 2d is no tier's window; `slo_tier` is a label of the factor series, not of the burn rate.
      panel(d, 'Model availability: burn rate page-fast').targets[0].expr = 'mlmon:slo_burn_rate:rate2d{model="$model", slo="availability"}';
      panel(d, 'Service availability: burn rate page-fast').targets[1].expr = 'mlmon:slo_burn_rate:rate5m{service="$service", slo_tier="page-fast"}';
      return { path: file.path, content: JSON.stringify(d, null, 2) };
    });
    const { problems } = await checkDashboards(files, options);
    expect(summary(problems)).toEqual([
      { id: 'promql/unknown-metric', severity: 'error', artifact: slosPath, object: 'mlmon-slos: Model availability: burn rate page-fast' },
      { id: 'promql/unknown-label', severity: 'error', artifact: slosPath, object: 'mlmon-slos: Service availability: burn rate page-fast' },
    ]);
  });

  it('reads $__rate_interval as four scrape intervals, so a rate over it is never too short', async () => {
    const { problems } = await checkDashboards(dashboardFiles, { ...options, scrapeIntervalSeconds: 120 });
    expect(problems).toEqual([]);
  });

  it('checks the queries of panels inside a collapsed row', async () => {
    const files = withMlModels((d) => {
      const accuracy = panel(d, 'Accuracy');
      accuracy.targets[0].expr = 'min by (model_name) (model_accuracy)';
      d.panels = d.panels.filter((p: Json) => p !== accuracy);
      d.panels.push({ id: 999, type: 'row', title: 'More', collapsed: true, gridPos: { x: 0, y: 100, w: 24, h: 1 }, panels: [accuracy] });
    });
    const { problems } = await checkDashboards(files, options);
    expect(summary(problems)).toEqual([{ id: 'promql/unknown-label', severity: 'error', artifact: mlModelsPath, object: 'mlmon-ml-models: Accuracy' }]);
  });

  it('reports a dashboard file that is not JSON', async () => {
    const { problems } = await checkDashboards([{ path: mlModelsPath, content: '{"uid": ' }], options);
    expect(summary(problems)).toEqual([{ id: 'grafana/invalid-dashboard', severity: 'error', artifact: mlModelsPath, object: undefined }]);
  });

  it('lists label_values variables as group by over their series, and leaves other variables alone', () => {
    const d = { panels: [], templating: { list: [
      { name: 'model', type: 'query', query: 'label_values(predictions_total{service=~"$service"}, model)' },
      { name: 'top', type: 'query', query: { query: 'query_result(topk(5, predictions_total))', refId: 'A' } },
      { name: 'job', type: 'query', query: 'label_values(job)' },
      { name: 'datasource', type: 'datasource', query: 'prometheus' },
      { name: 'served', type: 'query', query: 'label_values({__name__=~"predictions_total|vllm:num_requests_running|nv_inference_request_success", service=~"$service"}, model)' },
      { name: 'servers', type: 'query', query: 'label_values({__name__=~"predictions_total|vllm:num_requests_running"}, namespace)' },
    ] } };
    expect(dashboardQueries(d)).toEqual([
      { expr: 'group by (model) (predictions_total{service=~"$service"})', where: '$model' },
      { expr: 'topk(5, predictions_total)', where: '$top' },
      // A __name__ union of plain metric names: one group by per metric, so each is checked on its own.
      {
        expr: 'group by (model) (predictions_total{service=~"$service"}) or group by (model) (vllm:num_requests_running{service=~"$service"}) or group by (model) (nv_inference_request_success{service=~"$service"})',
        where: '$served',
      },
      { expr: 'group by (namespace) (predictions_total) or group by (namespace) (vllm:num_requests_running)', where: '$servers' },
    ]);
  });
});
