/**
 * ML models: predictions, inference latency, accuracy, confidence and drift, one model at a time, with the
 * thresholds of the model alerts. The fleet dashboard picks the model with `$model`; a per-model dashboard
 * (`grafana.perModelDashboards`) is the same dashboard with the model fixed.
 */
import type { MonitoringModel, ResolvedModel } from '../../normalize/model.js';
import { drawAlertThresholds } from './alert-thresholds.js';
import { datasourceVariable, labelVariable, stableId, type DashboardSpec } from './dashboard.js';
import type { Section } from './panels.js';
import { integrationModelPresence, serviceIntegrations } from '../../catalog/integrations/index.js';
import { bucketRates, promqlString, quantile, quantiles, rate, selector } from './queries.js';

export function mlModelsDashboard(model: MonitoringModel): DashboardSpec {
  return drawAlertThresholds({
    uid: 'mlmon-ml-models',
    title: 'ML models',
    description: 'Every model, listed in the config or not, one at a time: pick it with the Model variable. Threshold lines are the selected model\'s own, or the defaults for models the config doesn\'t list.',
    tags: ['ml-models'],
    variables: [
      datasourceVariable(model.grafana),
      labelVariable('namespace', 'Namespace', `label_values(${modelSeries(model, [])}, namespace)`, true),
      labelVariable('service', 'Service', `label_values(${modelSeries(model, ['namespace=~"$namespace"'])}, service)`, true),
      labelVariable('model', 'Model', `label_values(${modelSeries(model, ['namespace=~"$namespace"', 'service=~"$service"'])}, model)`, false),
    ],
    sections: [...modelSections('model="$model"'), ...integrationSections(model, 'model="$model"')],
  }, model, { dashboard: 'ml-models', whose: 'the selected model\'s' });
}

export function singleModelDashboard(model: MonitoringModel, listed: ResolvedModel): DashboardSpec {
  return drawAlertThresholds({
    uid: stableId('mlmon-model-', listed.name),
    title: `ML model: ${listed.name}`,
    description: `Model ${listed.name} (service ${listed.service}, team ${listed.team}), with its own alert thresholds from the config.`,
    tags: ['ml-models', 'model'],
    variables: [
      datasourceVariable(model.grafana),
      labelVariable('namespace', 'Namespace', `label_values(${modelSeries(model, [`model=${promqlString(listed.name)}`])}, namespace)`, true),
      labelVariable('service', 'Service', `label_values(${modelSeries(model, [`model=${promqlString(listed.name)}`, 'namespace=~"$namespace"'])}, service)`, true),
    ],
    sections: [...modelSections(`model=${promqlString(listed.name)}`), ...integrationSections(model, `model=${promqlString(listed.name)}`)],
  }, model, { dashboard: 'ml-models', whose: 'the model\'s', model: listed });
}

/**
 * The series the variables list models (and their namespaces and services) from, as a series selector with
 * `matchers`: `predictions_total`, which every model of the seed's instrumentation exports, listed in the config
 * or not, and the presence series of each model server the config's services run (`vllm:num_requests_running`,
 * `nv_inference_request_success`, `request_predict_seconds_count`: ScrapeConvention.modelPresence, exported for
 * every model the server serves, its `model` label set at scrape time). Without them, a fleet served by vLLM or
 * Triton alone would list no model. Not `mlmon:model_info`: it knows listed models only, and has no namespace.
 * Several metrics are one selector by a `__name__` alternation, which Grafana hands to Prometheus' label values
 * API as it is (`label_values(metric, label)` takes a series selector, not an expression).
 */
function modelSeries(model: MonitoringModel, matchers: readonly string[]): string {
  const metrics = ['predictions_total', ...integrationModelPresence(model.services)];
  if (metrics.length === 1) return matchers.length ? `predictions_total{${matchers.join(', ')}}` : 'predictions_total';
  return `{${[`__name__=~"${metrics.join('|')}"`, ...matchers].join(', ')}}`;
}

/** The panels of a model's dashboard; the alerts' threshold lines are drawn on them by drawAlertThresholds. */
function modelSections(modelMatcher: string): Section[] {
  const scope = ['namespace=~"$namespace"', 'service=~"$service"', modelMatcher];
  return [
    {
      title: 'Traffic and latency',
      panels: [
        {
          kind: 'timeseries', title: 'Predictions per second', w: 12, h: 8, unit: 'ops',
          description: 'Predictions per second of the model, summed over the pods that serve it; failed predictions (status="error") separately.',
          queries: [
            { expr: `sum by (model) (${rate('predictions_total', scope)})`, legend: '{{model}}' },
            { expr: `sum by (model) (${rate('predictions_total', ['status="error"', ...scope])})`, legend: '{{model}} failed' },
          ],
        },
        {
          kind: 'timeseries', title: 'Inference latency P50 / P95 / P99', w: 12, h: 8, unit: 's',
          description: `Inference duration quantiles of the model, from its histogram summed over pods.`,
          queries: quantiles.map(({ q, label }) => ({ expr: quantile(q, 'model_inference_duration_seconds', ['model'], scope), legend: `{{model}} ${label}` })),
        },
      ],
    },
    {
      title: 'Quality',
      panels: [
        {
          kind: 'timeseries', title: 'Accuracy', w: 8, h: 8, unit: 'percentunit', max: 1,
          description: `Accuracy the model service reports (model_accuracy); the lowest of its pods, since the alert fires for any pod below the line.`,
          queries: [{ expr: `min by (model) (${selector('model_accuracy', scope)})`, legend: '{{model}}' }],
        },
        {
          kind: 'timeseries', title: 'Mean prediction confidence', w: 8, h: 8, unit: 'percentunit', max: 1,
          description: `Mean confidence of the model's predictions: the confidence histogram's sum over its count.`,
          queries: [{
            expr: `sum by (model) (${rate('prediction_confidence_sum', scope)}) / sum by (model) (${rate('prediction_confidence_count', scope)})`,
            legend: '{{model}}',
          }],
        },
        {
          kind: 'timeseries', title: 'Data drift score', w: 8, h: 8, unit: 'none', decimals: 3,
          description: `Drift of the model's input data (data_drift_score, 0 = none); the highest of its pods, since the alert fires for any pod above the line.`,
          queries: [{ expr: `max by (model) (${selector('data_drift_score', scope)})`, legend: '{{model}}' }],
        },
      ],
    },
    {
      title: 'Confidence distribution',
      panels: [
        {
          kind: 'heatmap', title: 'Prediction confidence distribution', w: 24, h: 9, unit: 'ops', yUnit: 'percentunit',
          description: 'How many predictions per second fall into each confidence bucket (prediction_confidence is a histogram): a shift towards low buckets comes before the mean drops.',
          query: { expr: bucketRates('prediction_confidence', scope), legend: '{{le}}', format: 'heatmap' },
        },
      ],
    },
  ];
}

/** A row per model server the config's services run (src/catalog/integrations/), below the built-in rows. */
function integrationSections(model: MonitoringModel, modelMatcher: string): Section[] {
  const scope = ['namespace=~"$namespace"', 'service=~"$service"', modelMatcher];
  const running = new Set(model.services.flatMap((s) => (s.integration ? [s.integration.name] : [])));
  return serviceIntegrations.flatMap(({ name, dashboardRow }) => (running.has(name) && dashboardRow
    ? [{
        title: dashboardRow.title,
        panels: dashboardRow.panels.map((panel) => ({
          kind: 'timeseries' as const, title: panel.title, description: panel.description, unit: panel.unit, w: 8, h: 8,
          ...(panel.max !== undefined ? { max: panel.max } : {}),
          queries: panel.queries(panel.scope === 'service' ? scope.slice(0, 2) : scope),
        })),
      }]
    : []));
}
