import { defineAlert } from '../../../alert-definition.js';
import { counter, selector } from '../../../proof-series.js';

/**
 * revision_app_request_count by response_code_class (Knative queue-proxy; knative.dev serving metrics): per
 * `revision_name`, so a canary revision that fails shows beside the stable one instead of being averaged away.
 */
export const knativeRevisionErrorRatioHigh = defineAlert({
  name: 'KnativeRevisionErrorRatioHigh',
  scope: 'service',
  about: 'The share of a Knative revision\'s requests answered 5xx (revision_app_request_count, a ratio 0–1 over the window) was above the service\'s threshold.',
  defaults: { severity: 'critical', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['revision_app_request_count'],
  threshold: { key: 'maxRevisionErrorRatio', firesWhen: 'above', type: 'Ratio', default: 0.01, doc: 'Ratio (0–1) of 5xx responses of a Knative revision above which KnativeRevisionErrorRatioHigh fires', bounds: { ceiling: 1 } },
  identity: ['service', 'revision_name'],
  labelSets: [['service', 'revision_name', 'team']],
  runbook: 'KnativeRevisionErrorRatioHigh',
  rule: ({ window, compare }) => ({
    expr: compare(`(\n    sum by (service, revision_name) (rate(revision_app_request_count{response_code_class="5xx"}[${window}]))\n  /\n    sum by (service, revision_name) (rate(revision_app_request_count[${window}]))\n)`),
    summary: 'Revision {{ $labels.revision_name }} of service {{ $labels.service }} fails',
    description: `{{ $value | humanizePercentage }} of the requests to revision {{ $labels.revision_name }} of {{ $labels.service }} were answered 5xx over ${window}, above its threshold.`,
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape, alert }, ratio, { steps, step }) => ({
      series: [
        { series: selector('revision_app_request_count', { ...scrape, revision_name: 'predictor-00001', response_code: '503', response_code_class: '5xx' }), values: counter(10 * ratio * step, steps) },
        { series: selector('revision_app_request_count', { ...scrape, revision_name: 'predictor-00001', response_code: '200', response_code_class: '2xx' }), values: counter(10 * (1 - ratio) * step, steps) },
      ],
      alertLabels: { ...alert, revision_name: 'predictor-00001' },
    }),
  },
  panel: { dashboard: 'ml-models', title: 'Knative revision 5xx ratio' },
});
