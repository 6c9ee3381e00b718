import { defineAlert } from '../../../alert-definition.js';
import { maxLatencySeconds } from '../../../alerts/high-latency.js';
import { histogramAt, quantileOf } from '../../../proof-series.js';

/**
 * revision_app_request_latencies is in milliseconds (Knative queue-proxy; knative.dev serving metrics): the
 * p95 is divided by 1000 to compare with a threshold in seconds.
 */
export const knativeRevisionLatencyHigh = defineAlert({
  name: 'KnativeRevisionLatencyHigh',
  scope: 'service',
  about: 'A Knative revision\'s p95 request latency (revision_app_request_latencies, milliseconds, compared in seconds) over the window was above the service\'s threshold.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['revision_app_request_latencies'],
  threshold: { key: 'maxRevisionLatencyP95Seconds', firesWhen: 'above', type: 'Seconds', default: 1, doc: 'p95 latency in seconds of a Knative revision above which KnativeRevisionLatencyHigh fires', bounds: { longest: maxLatencySeconds } },
  identity: ['service', 'revision_name'],
  labelSets: [['service', 'revision_name', 'team']],
  runbook: 'KnativeRevisionLatencyHigh',
  rule: ({ window, compare }) => ({
    expr: compare(`histogram_quantile(0.95, sum by (service, revision_name, le) (rate(revision_app_request_latencies_bucket[${window}]))) / 1000`),
    summary: 'Revision {{ $labels.revision_name }} of service {{ $labels.service }} is slow',
    description: 'P95 latency of revision {{ $labels.revision_name }} of {{ $labels.service }} is {{ $value | humanizeDuration }}, above its threshold.',
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape, alert }, seconds, { steps, step }) => ({
      series: histogramAt('revision_app_request_latencies', { ...scrape, revision_name: 'predictor-00001' }, seconds * 1000, steps, 10 * step),
      alertLabels: { ...alert, revision_name: 'predictor-00001' },
      value: quantileOf(seconds * 1000) / 1000,
    }),
  },
  panel: { dashboard: 'ml-models', title: 'Knative revision latency P95' },
});
