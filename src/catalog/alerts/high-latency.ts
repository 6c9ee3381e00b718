import { defineAlert } from '../alert-definition.js';
import { histogramAt, quantileOf } from '../proof-series.js';

/** The longest p95 latency threshold: a day (config/unreachable-threshold). */
export const maxLatencySeconds = 86_400;

/**
 * The seed takes a quantile per (method, endpoint, instance) series; the service's p95 needs the buckets summed
 * across them, keeping `le`.
 */
export const highLatency = defineAlert({
  name: 'HighLatency',
  scope: 'service',
  about: 'A service\'s p95 request latency, from its histogram summed over pods and endpoints over the window, was above its threshold.',
  defaults: { severity: 'warning', for: '5m', window: '5m' },
  windowUse: 'rate',
  metrics: ['http_request_duration_seconds'],
  threshold: { key: 'maxLatencyP95Seconds', firesWhen: 'above', type: 'Seconds', default: 0.5, doc: 'p95 request latency in seconds above which HighLatency fires', bounds: { longest: maxLatencySeconds } },
  identity: ['service'],
  labelSets: [['service', 'team']],
  runbook: 'HighLatency',
  perShard: true,
  rule: ({ window, compare, select }) => ({
    expr: compare(`histogram_quantile(0.95, sum by (service, le) (rate(${select('http_request_duration_seconds_bucket')}[${window}])))`),
    summary: 'High latency on service {{ $labels.service }}',
    description: 'P95 latency of {{ $labels.service }} is {{ $value | humanizeDuration }}, above its threshold.',
  }),
  proof: {
    kind: 'threshold',
    signal: ({ scrape }, seconds, { steps, step }) => ({
      series: histogramAt('http_request_duration_seconds', { endpoint: '/predict', method: 'POST', ...scrape }, seconds, steps, 10 * step),
      value: quantileOf(seconds),
    }),
  },
  panel: { dashboard: 'application', title: 'Latency P50 / P95 / P99', query: 'p95' },
});
