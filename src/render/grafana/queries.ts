/**
 * PromQL for the dashboards, over the same metrics and labels the alerts use (alert-rules.ts): `service` on
 * service metrics, `model` on model metrics, rates over Grafana's `$__rate_interval`, which is never shorter
 * than four scrape intervals, so a panel never shows a rate of fewer than two samples.
 */

/** A PromQL string literal. JSON's escapes (`\"`, `\\`, `\uXXXX`) are valid Go escapes, which PromQL uses. */
export function promqlString(value: string): string {
  return JSON.stringify(value);
}

/** `metric{m1, m2}`, or the bare name when there are no matchers. */
export function selector(metric: string, matchers: readonly string[]): string {
  return matchers.length ? `${metric}{${matchers.join(', ')}}` : metric;
}

export function rate(metric: string, matchers: readonly string[]): string {
  return `rate(${selector(metric, matchers)}[$__rate_interval])`;
}

/**
 * The q-quantile of a histogram per `by` label. The buckets are summed across series (pods, endpoints,
 * methods) keeping `le`, as the alerts do: the seed's histogram_quantile over raw series gave one quantile
 * per series instead of the service's or model's.
 */
export function quantile(q: number, histogram: string, by: readonly string[], matchers: readonly string[]): string {
  return `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (${rate(`${histogram}_bucket`, matchers)}))`;
}

/** A histogram's buckets as heatmap rows: observations per second in each `le` bucket. */
export function bucketRates(histogram: string, matchers: readonly string[]): string {
  return `sum by (le) (${rate(`${histogram}_bucket`, matchers)})`;
}

export const quantiles = [
  { q: 0.5, label: 'p50' },
  { q: 0.95, label: 'p95' },
  { q: 0.99, label: 'p99' },
] as const;
