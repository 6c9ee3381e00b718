/**
 * The service level indicators an SLO can use, as PromQL: the rate of bad events and of all events over a
 * window, aggregated by what the SLO is about (`model` or `service`) across the whole fleet, so the rules that
 * record them are one per indicator and window however many models there are.
 *
 * - availability of a model: `predictions_total{status="error"}` over `predictions_total` (the seed's
 *   instrumentation, src/normalize/metric-catalog.ts); of a service: 5xx responses of `http_requests_total`.
 * - latency: events slower than the target are bad, so errors = all − the histogram's bucket at `le` = target
 *   (`model_inference_duration_seconds` for a model, `http_request_duration_seconds` for a service). Prometheus 3
 *   writes a whole-number `le` scraped from the text format as `1.0`, so both spellings are matched.
 * - ratio: the user's own PromQL, `{{window}}` standing for the range.
 */
import type { SloIndicator } from '../../config/types.js';
import { formatNumber } from '../../formats/decimal.js';

/**
 * The buckets of a prometheus_client Histogram created without `buckets`, as the seed's metrics.py creates
 * both duration histograms: Histogram.DEFAULT_BUCKETS in prometheus/client_python (+Inf aside). A latency SLO's
 * target must be one of them (or of the buckets a `metrics` entry of the config gives instead).
 */
export const pythonClientBuckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export type SloScope = 'model' | 'service';

/** An indicator as rules use it: a stable id (the `sli` label) and its PromQL for a window. */
export interface SliDefinition {
  /** The `sli` label: `model-availability`, `service-latency-0.5s`, `model-ratio-<slo>`… */
  readonly id: string;
  readonly scope: SloScope;
  readonly indicator: SloIndicator;
  /** The metrics it reads (for the absent alert and the docs). */
  readonly metrics: readonly string[];
  /** Rate of bad events over `window`, by the scope's label. */
  errors(window: string): string;
  /** Rate of all events over `window`, by the scope's label. */
  events(window: string): string;
}

const histogramOf: Readonly<Record<SloScope, string>> = { model: 'model_inference_duration_seconds', service: 'http_request_duration_seconds' };

/** Both spellings of a bucket boundary: `0.5`, and `1` / `1.0` (Prometheus 3 normalizes scraped `le` to float text). */
export function leMatcher(seconds: number): string {
  const text = formatNumber(seconds);
  return /^\d+$/.test(text) ? `le=~"${text}|${text}.0"` : `le="${text}"`;
}

/** The SLI of an indicator in a scope; `slo` names a ratio indicator (it has no other identity). */
export function sliOf(scope: SloScope, indicator: SloIndicator, slo: string): SliDefinition {
  const by = scope;
  switch (indicator.kind) {
    case 'availability':
      return scope === 'model'
        ? {
            id: 'model-availability', scope, indicator, metrics: ['predictions_total'],
            errors: (w) => `sum by (model) (rate(predictions_total{status="error"}[${w}]))`,
            events: (w) => `sum by (model) (rate(predictions_total[${w}]))`,
          }
        : {
            id: 'service-availability', scope, indicator, metrics: ['http_requests_total'],
            errors: (w) => `sum by (service) (rate(http_requests_total{status=~"5.."}[${w}]))`,
            events: (w) => `sum by (service) (rate(http_requests_total[${w}]))`,
          };
    case 'latency': {
      const metric = histogramOf[scope];
      return {
        id: `${scope}-latency-${formatNumber(indicator.thresholdSeconds)}s`, scope, indicator, metrics: [metric],
        errors: (w) => `sum by (${by}) (rate(${metric}_count[${w}])) - sum by (${by}) (rate(${metric}_bucket{${leMatcher(indicator.thresholdSeconds)}}[${w}]))`,
        events: (w) => `sum by (${by}) (rate(${metric}_count[${w}]))`,
      };
    }
    case 'ratio':
      return {
        id: `${scope}-ratio-${slo}`, scope, indicator, metrics: [],
        errors: (w) => indicator.errors.replaceAll('{{window}}', w),
        events: (w) => indicator.total.replaceAll('{{window}}', w),
      };
  }
}
