/**
 * KServe (https://kserve.github.io/website/): the Python ModelServer serves /metrics on its HTTP port (8080)
 * with `model_name`, copied to `model` at scrape; a serverless InferenceService's Knative revisions are
 * watched per `revision_name` (canary against stable), their thresholds set per service.
 */
import type { IntegrationDefinition } from '../integration.js';
import { knativeRevisionErrorRatioHigh } from './alerts/knative-revision-error-ratio-high.js';
import { knativeRevisionLatencyHigh } from './alerts/knative-revision-latency-high.js';
import { kservePredictLatencyHigh } from './alerts/kserve-predict-latency-high.js';
import { kserveMetrics, kserveVersions } from './metrics.js';

/** KServe's alerts, in the order their rules are written. */
export const kserveAlerts = [kservePredictLatencyHigh, knativeRevisionErrorRatioHigh, knativeRevisionLatencyHigh] as const;

const rate = (metric: string, matchers: readonly string[]) => `rate(${metric}{${matchers.join(', ')}}[$__rate_interval])`;

export const kserve: IntegrationDefinition<'kserve'> = {
  name: 'kserve',
  scope: 'service',
  versions: kserveVersions,
  metrics: kserveMetrics,
  renames: [],
  scrape: { port: 8080, path: '/metrics', modelLabels: ['model_name'], modelLabelFrom: 'model_name', modelPresence: 'request_predict_seconds_count' },
  alerts: kserveAlerts,
  dashboardRow: {
    title: 'KServe',
    panels: [
      {
        title: 'KServe predict latency P50 / P95 / P99', unit: 's',
        description: 'Predict latency quantiles of the model, from request_predict_seconds summed over replicas.',
        queries: (m) => [0.5, 0.95, 0.99].map((q) => ({
          expr: `histogram_quantile(${q}, sum by (model, le) (${rate('request_predict_seconds_bucket', m)}))`,
          legend: `{{model}} p${Math.round(q * 100)}`,
        })),
      },
      {
        title: 'Knative revision 5xx ratio', unit: 'percentunit', max: 1, scope: 'service',
        description: 'Share of each Knative revision\'s requests answered 5xx (revision_app_request_count), canary and stable side by side.',
        queries: (m) => [{
          expr: `sum by (service, revision_name) (${rate('revision_app_request_count', ['response_code_class="5xx"', ...m])}) / sum by (service, revision_name) (${rate('revision_app_request_count', m)})`,
          legend: '{{service}}',
        }],
      },
      {
        title: 'Knative revision latency P95', unit: 's', scope: 'service',
        description: 'P95 latency of each Knative revision (revision_app_request_latencies, ms, shown in seconds).',
        queries: (m) => [{ expr: `histogram_quantile(0.95, sum by (service, revision_name, le) (${rate('revision_app_request_latencies_bucket', m)})) / 1000`, legend: '{{service}}' }],
      },
    ],
  },
};
