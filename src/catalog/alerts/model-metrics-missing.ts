import { defineAlert } from '../alert-definition.js';
import { counter, gauge, sampled, selector, unlistedModelName, type TargetSeries } from '../proof-series.js';
import { modelInfoSeries } from '../series.js';

/**
 * The model metrics of the seed's instrumentation: a listed model that exports none of them (within the window)
 * is missing. Any one is enough, so a model without, say, a drift detector is not missing.
 */
const modelSignals = ['model_accuracy', 'data_drift_score', 'model_inference_duration_seconds_count', 'prediction_confidence_count', 'predictions_total'];

/**
 * Absence of a listed model: none of its metrics within the window (its service is gone, or serves it no more).
 * Only listed models can be missed; a model no config lists is known only by its metrics.
 */
export const modelMetricsMissing = defineAlert({
  name: 'ModelMetricsMissing',
  scope: 'model',
  about: 'A model the config lists exported none of its metrics within the window: its service is gone, or serves it no more.',
  defaults: { severity: 'critical', for: '5m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['model_accuracy', 'data_drift_score', 'model_inference_duration_seconds', 'prediction_confidence', 'predictions_total'],
  // mlmon:model_info's labels: the service that serves the model is there to read, the model is what it is about.
  identity: ['model'],
  labelSets: [['model', 'service', 'team']],
  runbook: 'ModelMetricsMissing',
  watches: (fleet) => fleet.models > 0,
  rule: ({ window }) => ({
    expr: `${modelInfoSeries}\n  unless on (model)\n(\n${modelSignals.map((m) => `  present_over_time(${m}[${window}])`).join('\nor\n')}\n)`,
    summary: 'Model {{ $labels.model }} reports no metrics',
    description: `No metric of {{ $labels.model }} (served by {{ $labels.service }}) has been scraped for ${window} and more: its alerts can't see it.`,
  }),
  proof: {
    kind: 'custom',
    wording: {
      breach: 'fires after {for} for every listed model that exports no metric',
      inside: 'stays silent while every listed model exports any one of its metrics',
    },
    // Past it, no listed model exports anything (while a model no config lists does); inside it, each listed
    // model exports just one of the model metrics, a different one in turn: any one is enough to be seen.
    targets: (fleet, side, { steps, step }) => {
      const signals = [
        (labels: Record<string, string>) => ({ series: selector('model_accuracy', labels), values: gauge(0.9, steps) }),
        (labels: Record<string, string>) => ({ series: selector('data_drift_score', labels), values: gauge(0.1, steps) }),
        (labels: Record<string, string>) => ({ series: selector('model_inference_duration_seconds_count', labels), values: counter(step, steps) }),
        (labels: Record<string, string>) => ({ series: selector('prediction_confidence_count', labels), values: counter(step, steps) }),
        (labels: Record<string, string>) => ({ series: selector('predictions_total', { ...labels, status: 'success' }), values: counter(step, steps) }),
      ];
      const at = (name: string, service: string) => ({ instance: `${service}-0:8080`, job: service, service, model: name });
      const unlisted: TargetSeries = { series: [signals[0]!(at(unlistedModelName, fleet.services[0]?.name ?? 'model-api'))], alertLabels: {}, value: 1, fires: false, target: { kind: 'model', name: unlistedModelName } };
      // Every listed model is in the rule's view (mlmon:model_info), so a fleet's models outside the sample
      // export a metric on both sides: only the sample goes missing.
      const proven = new Set(sampled(fleet.models, (m) => [m.team, m.service]));
      return [
        ...fleet.models.map((m, i): TargetSeries => {
          const fires = side === 'breach' && proven.has(m);
          return {
            series: fires ? [] : [signals[i % signals.length]!(at(m.name, m.service))],
            alertLabels: { model: m.name, service: m.service, team: m.team }, value: 1, fires, target: { kind: 'model', name: m.name },
          };
        }),
        unlisted,
      ];
    },
  },
});
