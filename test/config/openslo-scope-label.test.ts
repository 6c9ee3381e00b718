/** `queryKeepsLabel`: whether an imported ratio query's result still has the label mlmon joins SLOs on. */
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { importOpenSlo } from '../../src/config/openslo/import.js';
import { queryKeepsLabel } from '../../src/config/openslo/scope-label.js';

const cases: [string, string, boolean][] = [
  ['a selector', 'rate(http_requests_total{service="a"}[5m])', true],
  ['sum by the label', 'sum by (service) (rate(x[5m]))', true],
  ['sum by the label, modifier after', 'sum(rate(x[5m])) by (code, service)', true],
  ['sum without another label', 'sum without (code) (rate(x[5m]))', true],
  ['topk, which keeps its series', 'topk(3, rate(x[5m]))', true],
  ['a ratio of two sums by the label', 'sum by (service) (rate(x[5m])) / sum by (service) (rate(y[5m]))', true],
  ['a scalar times a vector', '2 * sum by (service) (rate(x[5m]))', true],
  ['histogram_quantile of buckets by the label', 'histogram_quantile(0.9, sum by (service, le) (rate(x_bucket[5m])))', true],
  ['label_replace that writes the label', 'label_replace(sum(rate(x[5m])), "service", "a", "", "")', true],
  ['group_left copying the label', 'sum(rate(x[5m])) * on() group_left(service) info', true],
  ['a parenthesised, negated sum by the label', '-(sum by (service) (rate(x[5m])))', true],
  ['a plain sum', 'sum(rate(http_requests_total{service="a"}[5m]))', false],
  ['sum by another label', 'sum by (code) (rate(x[5m]))', false],
  ['sum without the label', 'sum without (service) (rate(x[5m]))', false],
  ['a difference whose left side is a plain sum', 'sum(rate(x[5m])) - sum by (service) (rate(y[5m]))', false],
  ['on() matching without the label', 'sum by (service) (rate(x[5m])) / on(code) sum by (service, code) (rate(y[5m]))', false],
  ['ignoring the label', 'sum by (service) (rate(x[5m])) / ignoring(service) sum(rate(y[5m]))', false],
  ['vector()', 'vector(1)', false],
  ['or with a side that lacks it', 'sum by (service) (rate(x[5m])) or vector(0)', false],
];

describe('queryKeepsLabel', () => {
  it.each(cases)('%s: %s → %s', async (_what, query, keeps) => {
    expect(await queryKeepsLabel(query, 'service')).toBe(keeps);
  });
});

describe('importOpenSlo', () => {
  it('warns when a ratio query sums away the service label, naming the query and the by () to add', async () => {
    const prom = (query: string) => ({ metricSource: { type: 'Prometheus', spec: { query } } });
    const slo = {
      apiVersion: 'openslo/v1',
      kind: 'SLO',
      metadata: { name: 'errors' },
      spec: {
        service: 'checkout',
        indicator: { spec: { ratioMetric: { bad: prom('sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m]))'), total: prom('sum by (service) (rate(http_requests_total{service="checkout"}[5m]))') } } },
        timeWindow: [{ duration: '28d', isRolling: true }],
        budgetingMethod: 'Occurrences',
        objectives: [{ target: 0.99 }],
      },
    };
    const result = await importOpenSlo([{ file: 's.yaml', content: stringify(slo) }]);
    expect(result.problems).toMatchObject([
      { id: 'openslo/scope-label', severity: 'warning', path: 'spec.indicator.spec.ratioMetric.bad.metricSource.spec.query', hint: expect.stringContaining('sum by (service)') },
    ]);
    expect(result.fragment.services?.checkout?.slos.errors).toBeDefined();
  });
});
