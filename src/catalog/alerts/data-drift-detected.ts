import { defineAlert } from '../alert-definition.js';
import { gauge, selector } from '../proof-series.js';

/**
 * The worst replica, averaged over the window: one replica seeing drifted input is the model failing for the
 * requests that reach it (see ModelAccuracyDrop).
 */
export const dataDriftDetected = defineAlert({
  name: 'DataDriftDetected',
  scope: 'model',
  about: 'The drift score of a model\'s input (data_drift_score), averaged over the window, of its worst replica, was above its threshold.',
  defaults: { severity: 'warning', for: '10m', window: '5m' },
  windowUse: 'overTime',
  metrics: ['data_drift_score'],
  threshold: { key: 'maxDriftScore', firesWhen: 'above', type: 'Ratio', default: 0.3, doc: 'Drift score above which DataDriftDetected fires', bounds: {} },
  identity: ['model'],
  labelSets: [['model', 'team']],
  runbook: 'DataDriftDetected',
  perShard: true,
  rule: ({ window, compare, select }) => ({
    expr: compare(`max by (model) (avg_over_time(${select('data_drift_score')}[${window}]))`),
    summary: 'Data drift detected on model {{ $labels.model }}',
    description: `Drift score of {{ $labels.model }} is {{ $value | printf "%.3f" }} (its worst replica, averaged over ${window}), above its threshold.`,
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, score, { steps }) => ({ series: [{ series: selector('data_drift_score', scrape), values: gauge(score, steps) }] }),
  },
  panel: { dashboard: 'ml-models', title: 'Data drift score' },
});
