/**
 * Application: one service at a time (`$service`), its traffic, errors, latency and connections, with the
 * thresholds of its alerts. The expressions are the alerts' own, over `$__rate_interval`.
 */
import type { MonitoringModel } from '../../normalize/model.js';
import { drawAlertThresholds } from './alert-thresholds.js';
import { datasourceVariable, labelVariable, type DashboardSpec } from './dashboard.js';
import type { Section } from './panels.js';
import { bucketRates, quantile, quantiles, rate, selector } from './queries.js';

export function applicationDashboard(model: MonitoringModel): DashboardSpec {
  const scope = ['namespace=~"$namespace"', 'service="$service"'];
  const requests = (extra: string[] = []) => `sum by (service) (${rate('http_requests_total', [...extra, ...scope])})`;

  const sections: Section[] = [
    {
      title: 'Traffic and errors',
      panels: [
        {
          kind: 'timeseries', title: 'Request rate', w: 8, h: 8, unit: 'reqps',
          description: `Requests per second the service answers, over all its pods, endpoints and statuses.`,
          queries: [{ expr: requests(), legend: '{{service}}' }],
        },
        {
          kind: 'timeseries', title: 'Error ratio', w: 8, h: 8, unit: 'percentunit', min: 0,
          description: `Share of requests answered with a 5xx status.`,
          queries: [{ expr: `${requests(['status=~"5.."'])} / ${requests()}`, legend: '{{service}}' }],
        },
        {
          kind: 'timeseries', title: 'Active connections', w: 8, h: 8, unit: 'short', decimals: 0,
          description: 'Open HTTP connections over all pods of the service (http_active_connections).',
          queries: [{ expr: `sum by (service) (${selector('http_active_connections', scope)})`, legend: '{{service}}' }],
        },
        {
          kind: 'timeseries', title: 'Requests by status', w: 12, h: 8, unit: 'reqps',
          description: 'Requests per second by HTTP status code.',
          queries: [{ expr: `sum by (status) (${rate('http_requests_total', scope)})`, legend: '{{status}}' }],
        },
        {
          kind: 'timeseries', title: 'Latency P50 / P95 / P99', w: 12, h: 8, unit: 's',
          description: `Request duration quantiles of the service, from its histogram summed over pods and endpoints.`,
          queries: quantiles.map(({ q, label }) => ({ expr: quantile(q, 'http_request_duration_seconds', ['service'], scope), legend: `{{service}} ${label}` })),
        },
      ],
    },
    {
      title: 'Request duration distribution',
      panels: [
        {
          kind: 'heatmap', title: 'Request duration distribution', w: 24, h: 9, unit: 'reqps', yUnit: 's',
          description: 'How many requests per second fall into each bucket of http_request_duration_seconds: bands show where latency really sits, which quantiles hide.',
          query: { expr: bucketRates('http_request_duration_seconds', scope), legend: '{{le}}', format: 'heatmap' },
        },
      ],
    },
  ];
  return drawAlertThresholds({
    uid: 'mlmon-application',
    title: 'Application',
    description: 'HTTP services: request rate, errors, latency and connections, with the thresholds of the service alerts.',
    tags: ['application'],
    variables: [
      datasourceVariable(model.grafana),
      labelVariable('namespace', 'Namespace', 'label_values(http_requests_total, namespace)', true),
      labelVariable('service', 'Service', 'label_values(http_requests_total{namespace=~"$namespace"}, service)', false),
    ],
    sections,
  }, model, { dashboard: 'application', whose: "the service's" });
}
