import { defineAlert } from '../alert-definition.js';
import { counter, selector } from '../proof-series.js';

/**
 * The seed divides rate(http_requests_total{status=~"5.."}) by rate(http_requests_total) series by series: both
 * sides keep `status`, so each 5xx series is divided by itself and the "error rate" is 100% whenever any request
 * fails. Sum both sides by service first.
 */
export const highErrorRate = defineAlert({
  name: 'HighErrorRate',
  scope: 'service',
  about: 'The share of a service\'s requests answered with a 5xx status, over the window and all its pods, was above its threshold.',
  defaults: { severity: 'critical', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['http_requests_total'],
  threshold: { key: 'maxErrorRatio', firesWhen: 'above', type: 'Ratio', default: 0.05, doc: 'Ratio of 5xx responses above which HighErrorRate fires', bounds: { ceiling: 1 } },
  identity: ['service'],
  labelSets: [['service', 'team']],
  runbook: 'HighErrorRate',
  perShard: true,
  rule: ({ window, compare, select }) => ({
    expr: compare(`(\n    sum by (service) (rate(${select('http_requests_total', 'status=~"5.."')}[${window}]))\n  /\n    sum by (service) (rate(${select('http_requests_total')}[${window}]))\n)`),
    summary: 'High error rate on service {{ $labels.service }}',
    description: '{{ $value | humanizePercentage }} of requests to {{ $labels.service }} fail with a 5xx status, above its threshold.',
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, ratio, { steps, step }) => ({
      series: [
        { series: selector('http_requests_total', { endpoint: '/predict', method: 'POST', status: '500', ...scrape }), values: counter(100 * ratio * step, steps) },
        { series: selector('http_requests_total', { endpoint: '/predict', method: 'POST', status: '200', ...scrape }), values: counter(100 * (1 - ratio) * step, steps) },
      ],
    }),
  },
  panel: { dashboard: 'application', title: 'Error ratio' },
});
