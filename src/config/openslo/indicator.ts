/**
 * An OpenSLO SLI (`ratioMetric` with Prometheus queries) as an mlmon SLO indicator: the queries' range becomes
 * `{{window}}`, good/total becomes errors = total - good, and queries that are exactly what a built-in
 * indicator means (as the export writes them) come back as that indicator.
 */
import type { SloIndicator } from '../types.js';
import { at, isRecord, type DocumentPlace, type OpenSloDocument, type OpenSloReport } from './documents.js';
import { queryKeepsLabel } from './scope-label.js';
import { indicatorQueries, queryRanges, replaceRanges, sameRange, windowPlaceholder, type RatioQueries, type SloScope } from './queries.js';

/** What the indicator is for: the model or service the SLO lands on, and the DataSources of the files. */
export interface IndicatorContext {
  readonly scope: SloScope;
  readonly target: string;
  readonly dataSources: ReadonlyMap<string, OpenSloDocument>;
  readonly report: OpenSloReport;
}

const sliFields = new Set(['description', 'thresholdMetric', 'ratioMetric']);
const ratioFields = new Set(['counter', 'good', 'bad', 'total', 'raw', 'rawType']);

/** The indicator of an SLI's `spec` at `place`, or undefined when it cannot be imported (reported). */
export async function importIndicator(spec: unknown, place: DocumentPlace, context: IndicatorContext): Promise<SloIndicator | undefined> {
  const { report } = context;
  if (!isRecord(spec)) {
    report.error('openslo/invalid', place, 'the SLI has no spec', { allowed: 'a mapping with ratioMetric' });
    return undefined;
  }
  for (const key of Object.keys(spec).sort()) {
    if (key === 'description') report.dropped(at(place, key), 'mlmon SLOs have no description; keep it as a comment beside the SLO in monitoring.config.ts');
    else if (!sliFields.has(key)) report.dropped(at(place, key), 'not a field of an OpenSLO v1 SLI');
  }
  if (spec.thresholdMetric !== undefined) {
    report.error('openslo/unsupported', at(place, 'thresholdMetric'), 'a thresholdMetric SLI compares one value with a threshold; an mlmon SLO counts good and bad events', {
      allowed: 'ratioMetric with good or bad, and total',
      hint: 'a threshold on a single value is an mlmon threshold alert (thresholds), not an SLO',
    });
    return undefined;
  }
  const ratio = spec.ratioMetric;
  const ratioPlace = at(place, 'ratioMetric');
  if (!isRecord(ratio)) {
    report.error('openslo/invalid', ratioPlace, 'the SLI has neither ratioMetric nor thresholdMetric', { allowed: 'ratioMetric with good or bad, and total' });
    return undefined;
  }
  for (const key of Object.keys(ratio).sort()) if (!ratioFields.has(key)) report.dropped(at(ratioPlace, key), 'not a field of an OpenSLO v1 ratioMetric');
  if (ratio.raw !== undefined || ratio.rawType !== undefined) {
    report.error('openslo/unsupported', at(ratioPlace, ratio.raw !== undefined ? 'raw' : 'rawType'), 'a raw ratioMetric is a ratio computed elsewhere; mlmon re-reads the counters over each alert window, which a precomputed ratio cannot give', {
      allowed: 'good or bad, and total, as counters',
    });
    return undefined;
  }
  if (ratio.counter === false) {
    report.dropped(at(ratioPlace, 'counter'), 'mlmon puts each alert window into the queries\' range, which is right for rate() of counters; check that the queries still mean events per second', false);
  }
  if (ratio.good !== undefined && ratio.bad !== undefined) {
    report.error('openslo/invalid', ratioPlace, 'the ratioMetric has both good and bad; OpenSLO allows one of them', { allowed: 'good and total, or bad and total' });
    return undefined;
  }
  const numeratorKey = ratio.good !== undefined ? 'good' : 'bad';
  if (ratio[numeratorKey] === undefined || ratio.total === undefined) {
    report.error('openslo/invalid', ratioPlace, `the ratioMetric has no ${ratio.total === undefined ? 'total' : 'good or bad'}`, { allowed: 'good and total, or bad and total' });
    return undefined;
  }
  const numerator = prometheusQuery(ratio[numeratorKey], at(ratioPlace, numeratorKey), context);
  const total = prometheusQuery(ratio.total, at(ratioPlace, 'total'), context);
  if (numerator === undefined || total === undefined) return undefined;
  const queries: RatioQueries = numeratorKey === 'good' ? { good: numerator.query, total: total.query } : { bad: numerator.query, total: total.query };
  return await indicatorOf(queries, { [numeratorKey]: numerator.place, total: total.place }, context);
}

/** The `spec.query` of a Prometheus metricSource, or undefined (reported) for any other source. */
function prometheusQuery(metric: unknown, place: DocumentPlace, context: IndicatorContext): { query: string; place: DocumentPlace } | undefined {
  const { report } = context;
  const source = isRecord(metric) ? metric.metricSource : undefined;
  const sourcePlace = at(place, 'metricSource');
  if (!isRecord(source)) {
    report.error('openslo/invalid', sourcePlace, 'no metricSource', { allowed: 'metricSource with type: Prometheus and spec.query' });
    return undefined;
  }
  const ref = typeof source.metricSourceRef === 'string' ? source.metricSourceRef : undefined;
  const referenced = ref === undefined ? undefined : context.dataSources.get(ref);
  const referencedType = referenced && isRecord(referenced.body.spec) ? referenced.body.spec.type : undefined;
  const type = source.type ?? referencedType;
  if (type === undefined) {
    report.error('openslo/unsupported', sourcePlace, ref === undefined ? 'the metricSource has no type' : `the metricSource names DataSource ${JSON.stringify(ref)}, which none of the files given holds, and has no type`, {
      allowed: 'type: Prometheus',
      hint: ref === undefined ? 'add type: Prometheus' : 'add type: Prometheus, or name the file with the DataSource too',
    });
    return undefined;
  }
  if (typeof type !== 'string' || type.toLowerCase() !== 'prometheus') {
    report.error('openslo/unsupported', at(sourcePlace, 'type'), `a ${String(type)} metric source: mlmon's SLOs are Prometheus recording and alerting rules`, { value: type, allowed: 'Prometheus' });
    return undefined;
  }
  if (ref !== undefined) report.dropped(at(sourcePlace, 'metricSourceRef'), 'mlmon\'s rules run in the Prometheus it configures, so a DataSource\'s connection is not needed', ref);
  const spec = isRecord(source.spec) ? source.spec : {};
  for (const key of Object.keys(spec).sort()) if (key !== 'query') report.dropped(at(sourcePlace, 'spec', key), 'mlmon\'s rules take only the PromQL query');
  if (typeof spec.query !== 'string' || spec.query.trim() === '') {
    report.error('openslo/invalid', at(sourcePlace, 'spec', 'query'), 'the Prometheus metricSource has no query', { value: spec.query, allowed: 'a PromQL query, e.g. sum(rate(http_requests_total[5m]))' });
    return undefined;
  }
  return { query: spec.query.trim(), place: at(sourcePlace, 'spec', 'query') };
}

/**
 * The indicator the queries make: a built-in one when they are exactly its queries (at whatever one range they
 * read over), else a ratio with `{{window}}` in place of the range. Each query must read over one range, the
 * same in both, since mlmon swaps it for each alert window.
 */
async function indicatorOf(queries: RatioQueries, places: Record<string, DocumentPlace>, context: IndicatorContext): Promise<SloIndicator | undefined> {
  const { report } = context;
  const found: { key: string; query: string; ranges: Awaited<ReturnType<typeof queryRanges>>['ranges'] }[] = [];
  let failed = false;
  for (const [key, query] of Object.entries(queries) as [string, string][]) {
    const place = places[key]!;
    const { ranges, syntaxError } = await queryRanges(query);
    if (syntaxError !== undefined) {
      report.error('openslo/promql', place, `the ${key} query is not PromQL: ${syntaxError}`, { value: query });
      failed = true;
    } else if (ranges.length === 0) {
      report.error('openslo/query-range', place, `the ${key} query reads no range ([5m]), so mlmon has nowhere to put each alert window`, {
        value: query,
        allowed: 'a query that reads over one range, e.g. sum(rate(http_requests_total[5m]))',
        hint: 'a query of a recording rule (job:requests:rate5m) cannot be re-windowed; give the query it records',
      });
      failed = true;
    } else {
      found.push({ key, query, ranges });
    }
  }
  if (failed) return undefined;
  const ranges = found.flatMap((f) => f.ranges.map((r) => ({ key: f.key, text: r.text })));
  const first = ranges[0]!;
  const other = ranges.find((r) => !sameRange(r.text, first.text));
  if (other) {
    report.error('openslo/query-range', places[other.key]!, `the queries read over different ranges (${first.text} and ${other.text}); mlmon replaces the one range with each alert window`, {
      value: [...new Set(ranges.map((r) => r.text))],
      allowed: 'one range, the same in every query of the SLI',
    });
    return undefined;
  }
  const builtin = builtinIndicator(queries, first.text, context);
  if (builtin) return builtin;
  const windowed = Object.fromEntries(found.map((f) => [f.key, replaceRanges(f.query, f.ranges, windowPlaceholder)]));
  for (const f of found) {
    if (await queryKeepsLabel(f.query, context.scope)) continue;
    report.warning('openslo/scope-label', places[f.key]!, `the ${f.key} query aggregates the ${context.scope} label away; mlmon joins a ratio SLO's series with its objective on ${context.scope}, so as it is the SLO would never alert`, {
      value: f.query,
      hint: `aggregate by (${context.scope}) in the imported SLO's queries, e.g. sum by (${context.scope}) (rate(…[{{window}}]))`,
    });
  }
  const errors = 'good' in queries ? `(${windowed.total}) - (${windowed.good})` : windowed.bad!;
  return { kind: 'ratio', errors, total: windowed.total! };
}

/** The built-in indicator whose queries (at `range`) are exactly these, if any. */
function builtinIndicator(queries: RatioQueries, range: string, context: IndicatorContext): SloIndicator | undefined {
  const same = (a: RatioQueries, b: RatioQueries): boolean => JSON.stringify(a) === JSON.stringify(b);
  const availability: SloIndicator = { kind: 'availability' };
  if (same(queries, indicatorQueries(availability, context.scope, context.target, range))) return availability;
  if ('good' in queries) {
    const le = /,le="([^"]+)"/.exec(queries.good)?.[1];
    const thresholdSeconds = le === undefined ? NaN : Number(le);
    if (Number.isFinite(thresholdSeconds) && thresholdSeconds > 0) {
      const latency: SloIndicator = { kind: 'latency', thresholdSeconds };
      if (same(queries, indicatorQueries(latency, context.scope, context.target, range))) return latency;
    }
  }
  return undefined;
}
