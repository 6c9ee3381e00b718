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
  perShard: true,
  rule: ({ window, modelPresence, select, target }) => ({
    expr: `${target(modelInfoSeries)}\n  unless on (model)\n(\n${[...modelSignals, ...modelPresence].map((m) => `  present_over_time(${select(m)}[${window}])`).join('\nor\n')}\n)`,
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
    // model exports just one of the model metrics, a different one in turn: any one is enough to be seen. For a
    // fleet, only the sample goes missing; every other listed model is in the rule's view (mlmon:model_info) too
    // and stays seen on both sides, through one series with only its `model` label: the rule joins on `model`
    // alone (full scrape labels on all of them were ~20,000 extra series at 10,000 models).
    targets: (fleet, side, { steps, step }) => {
      // One values string per metric, shared by every series of it.
      const signals: readonly { readonly metric: string; readonly values: string; readonly extra?: Record<string, string> }[] = [
        { metric: 'model_accuracy', values: gauge(0.9, steps) },
        { metric: 'data_drift_score', values: gauge(0.1, steps) },
        { metric: 'model_inference_duration_seconds_count', values: counter(step, steps) },
        { metric: 'prediction_confidence_count', values: counter(step, steps) },
        { metric: 'predictions_total', values: counter(step, steps), extra: { status: 'success' } },
      ];
      const scraped = (i: number, name: string, service: string) => {
        const signal = signals[i % signals.length]!;
        return { series: selector(signal.metric, { instance: `${service}-0:8080`, job: service, service, model: name, ...signal.extra }), values: signal.values };
      };
      const seenOnly = (i: number, name: string) => {
        const signal = signals[i % signals.length]!;
        return { series: selector(signal.metric, { model: name }), values: signal.values };
      };
      const unlisted: TargetSeries = { series: [scraped(0, unlistedModelName, fleet.services[0]?.name ?? 'model-api')], alertLabels: {}, value: 1, fires: false, target: { kind: 'model', name: unlistedModelName } };
      const proven = new Set(sampled(fleet.models, (m) => [m.team, m.service]));
      return [
        ...fleet.models.map((m, i): TargetSeries => {
          const inSample = proven.has(m);
          const fires = side === 'breach' && inSample;
          return {
            series: fires ? [] : [inSample ? scraped(i, m.name, m.service) : seenOnly(i, m.name)],
            alertLabels: { model: m.name, service: m.service, team: m.team }, value: 1, fires, target: { kind: 'model', name: m.name },
          };
        }),
        unlisted,
      ];
    },
  },
});
