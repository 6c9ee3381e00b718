/**
 * The PromQL behind mlmon's SLO indicators, as OpenSLO documents carry it (a range of `5m`), and the ranges of a
 * user's query, found with Prometheus' own grammar so that a `[5m]` inside a label value is left alone.
 * Shared by the OpenSLO export (which writes these queries) and the import (which recognises them, so an
 * exported SLO imports as the indicator it came from).
 */
import { loadPromqlParser } from '../../formats/promql/parse.js';
import { durationSeconds } from '../../formats/prometheus-duration.js';
import type { SloIndicator } from '../types.js';

/** Whether an SLO belongs to a model (`models.<name>.slos`) or to a service (`services.<name>.slos`). */
export type SloScope = 'model' | 'service';

/** The range OpenSLO documents are written with: the shortest window mlmon's burn-rate tiers use. */
export const exportedRange = '5m';

/** `{{window}}`, where a ratio SLO's query takes the range of each alert window (config types, `SloRatio`). */
export const windowPlaceholder = '{{window}}';

/**
 * A ratio indicator in OpenSLO terms: the bad-events query (or the good-events one) over the total, both with
 * the range written out (`[5m]`).
 */
export type RatioQueries = { readonly bad: string; readonly total: string } | { readonly good: string; readonly total: string };

const labelValue = (value: string): string => JSON.stringify(value);

/**
 * The queries an indicator means for one model or service, with `range` as the rate's range. Aggregated
 * `by (model)` or `by (service)` so that the label mlmon joins objectives on survives (config types, `SloRatio`).
 * - availability: `predictions_total{status="error"}` of the model, or the 5xx `http_requests_total` of the
 *   service (as the HighErrorRate alert counts them), over all of them;
 * - latency: requests in the histogram bucket at `le` = the target (`good`) over the histogram's `_count`;
 * - ratio: the user's queries with `{{window}}` replaced by the range.
 */
export function indicatorQueries(indicator: SloIndicator, scope: SloScope, target: string, range = exportedRange): RatioQueries {
  const rate = (metric: string, matchers: string): string => `sum by (${scope}) (rate(${metric}{${scope}=${labelValue(target)}${matchers}}[${range}]))`;
  switch (indicator.kind) {
    case 'availability':
      return scope === 'model'
        ? { bad: rate('predictions_total', ',status="error"'), total: rate('predictions_total', '') }
        : { bad: rate('http_requests_total', ',status=~"5.."'), total: rate('http_requests_total', '') };
    case 'latency': {
      const histogram = scope === 'model' ? 'model_inference_duration_seconds' : 'http_request_duration_seconds';
      return { good: rate(`${histogram}_bucket`, `,le=${labelValue(bucketLabel(indicator.thresholdSeconds))}`), total: rate(`${histogram}_count`, '') };
    }
    case 'ratio':
      return { bad: indicator.errors.split(windowPlaceholder).join(range), total: indicator.total.split(windowPlaceholder).join(range) };
  }
}

/**
 * A bucket boundary as the `le` label value the Go client writes (`0.5`, `1`, `2.5`): JavaScript's shortest
 * round-trip form is the same as Go's `strconv.FormatFloat(v, 'f', -1, 64)` for the plain decimals buckets use.
 */
export function bucketLabel(seconds: number): string {
  return String(seconds);
}

/** Where a query takes a range: the text's offsets and the range itself (`5m`). */
export interface QueryRange {
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

/**
 * Every range a query reads over: the `[5m]` of a range vector selector and the `[1h` of a subquery `[1h:5m]`
 * (not its resolution, not an `offset`). `syntaxError` is set when the query is not valid PromQL.
 */
export async function queryRanges(query: string): Promise<{ ranges: QueryRange[]; syntaxError?: string }> {
  const parser = await loadPromqlParser();
  const tree = parser.parse(query);
  const ranges: QueryRange[] = [];
  let syntaxError: string | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError && syntaxError === undefined) {
        syntaxError = node.from >= query.length ? 'unexpected end of query' : `unexpected input at offset ${node.from}: ${JSON.stringify(query.slice(node.from, node.from + 20))}`;
      }
      if (node.name !== 'MatrixSelector' && node.name !== 'SubqueryExpr') return;
      // The range is the node's first duration child; a subquery's second one is its resolution.
      const range = node.node.getChild('DurationExpr');
      if (range) ranges.push({ from: range.from, to: range.to, text: query.slice(range.from, range.to) });
    },
  });
  return syntaxError === undefined ? { ranges } : { ranges, syntaxError };
}

/** The query with each range replaced by `replacement` (ranges as `queryRanges` found them). */
export function replaceRanges(query: string, ranges: readonly QueryRange[], replacement: string): string {
  let out = '';
  let at = 0;
  for (const range of [...ranges].sort((a, b) => a.from - b.from)) {
    out += query.slice(at, range.from) + replacement;
    at = range.to;
  }
  return out + query.slice(at);
}

/** Whether two ranges are the same length of time (`60m` and `1h` are). */
export function sameRange(a: string, b: string): boolean {
  return a === b || (/^\d+(ms|[smhdwy])(\d+(ms|[smhdwy]))*$/.test(a) && /^\d+(ms|[smhdwy])(\d+(ms|[smhdwy]))*$/.test(b) && durationSeconds(a) === durationSeconds(b));
}
