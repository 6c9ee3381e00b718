import { defineAlert } from '../alert-definition.js';
import { gauge, selector } from '../proof-series.js';

/**
 * The seed's model alerts read `$labels.model_name`, a label the instrumentation doesn't set (it is `model`), so
 * every summary said "on " with no model. They also hard-coded 85% in the summary.
 *
 * The gauge is averaged over the window per series, then the worst replica is taken: one replica on a broken
 * version is the model failing for the requests that reach it, and an average across replicas would hide it
 * behind the healthy ones. A replica that is gone still counts for one window, which is what bridges a
 * rollout's gap.
 */
export const modelAccuracyDrop = defineAlert({
  name: 'ModelAccuracyDrop',
  scope: 'model',
  about: 'The accuracy a model reports (model_accuracy), averaged over the window, of its worst replica, was below its threshold.',
  defaults: { severity: 'critical', for: '15m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['model_accuracy'],
  threshold: { key: 'minAccuracy', firesWhen: 'below', type: 'Ratio', default: 0.85, doc: 'Accuracy below which ModelAccuracyDrop fires', bounds: { floor: 0 } },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'ModelAccuracyDrop',
  perShard: true,
  rule: ({ window, compare, select }) => ({
    expr: compare(`min by (model) (avg_over_time(${select('model_accuracy')}[${window}]))`),
    summary: 'Accuracy of model {{ $labels.model }} dropped below its threshold',
    description: `Accuracy of {{ $labels.model }} is {{ $value | humanizePercentage }} (its worst replica, averaged over ${window}).`,
  }),
  proof: {
    kind: 'threshold',
    // Model alerts are about the model: the pod it was scraped from is not among the alert's labels.
    signal: ({ scrape }, accuracy, { steps }) => ({ series: [{ series: selector('model_accuracy', scrape), values: gauge(accuracy, steps) }] }),
  },
  panel: { dashboard: 'ml-models', title: 'Accuracy' },
});
