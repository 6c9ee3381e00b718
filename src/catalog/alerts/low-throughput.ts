import { defineAlert } from '../alert-definition.js';
import { counter, selector } from '../proof-series.js';

/**
 * The seed compares each (method, endpoint, status) series with the minimum: any rarely used endpoint, or any
 * rare status code, is "low throughput". Throughput is the service's total.
 */
export const lowThroughput = defineAlert({
  name: 'LowThroughput',
  scope: 'service',
  about: 'A service answered fewer requests per second than its threshold, over the window and all its pods.',
  defaults: { severity: 'warning', for: '10m', window: '5m' },
  windowUse: 'rate',
  metrics: ['http_requests_total'],
  threshold: { key: 'minThroughputRps', firesWhen: 'below', type: 'PerSecond', default: 1, doc: 'Requests per second below which LowThroughput fires', bounds: { floor: 0 } },
  identity: ['service'],
  labelSets: [['service', 'team']],
  runbook: 'LowThroughput',
  perShard: true,
  rule: ({ window, compare, select }) => ({
    expr: compare(`sum by (service) (rate(${select('http_requests_total')}[${window}]))`),
    summary: 'Low throughput on service {{ $labels.service }}',
    description: 'Service {{ $labels.service }} serves only {{ $value | printf "%.2f" }} requests/s, below its threshold.',
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, rps, { steps, step }) => ({
      series: [{ series: selector('http_requests_total', { endpoint: '/predict', method: 'POST', status: '200', ...scrape }), values: counter(rps * step, steps) }],
    }),
  },
  panel: { dashboard: 'application', title: 'Request rate' },
});
