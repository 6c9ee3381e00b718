/** `importOpenSlo`: each OpenSLO v1 shape it carries, each field it drops, each SLO it refuses and why. */
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { importOpenSlo, type OpenSloImport } from '../../src/config/openslo/import.js';
import type { Problem } from '../../src/problems.js';

const prom = (query: string) => ({ metricSource: { type: 'Prometheus', spec: { query } } });
const errors5m = 'sum by (service) (rate(http_requests_total{service="checkout",code=~"5.."}[5m]))';
const total5m = 'sum by (service) (rate(http_requests_total{service="checkout"}[5m]))';

type Json = Record<string, unknown>;
/** An OpenSLO v1 SLO of service `checkout` with a bad/total ratio indicator inline; `edit` changes it. */
function slo(edit: (doc: { metadata: Json; spec: Json }) => void = () => {}): Json {
  const doc = {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name: 'checkout-errors' } as Json,
    spec: {
      service: 'checkout',
      indicator: { metadata: { name: 'checkout-errors' }, spec: { ratioMetric: { counter: true, bad: prom(errors5m), total: prom(total5m) } } },
      timeWindow: [{ duration: '28d', isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ target: 0.995 }],
    } as Json,
  };
  edit(doc);
  return doc;
}
const ratioMetric = (doc: { spec: Json }) => ((doc.spec.indicator as Json).spec as Json).ratioMetric as Json;

async function run(...documents: Json[]): Promise<OpenSloImport> {
  return importOpenSlo([{ file: 'slos.yaml', content: documents.map((d) => `---\n${stringify(d)}`).join('') }]);
}
const errorsOf = (result: OpenSloImport): Problem[] => result.problems.filter((p) => p.severity === 'error');
const warningsOf = (result: OpenSloImport): Problem[] => result.problems.filter((p) => p.severity === 'warning');

describe('importOpenSlo carries', () => {
  it('a bad/total ratioMetric as a ratio SLO of the service, its range replaced by {{window}}, the target in percent', async () => {
    const result = await run(slo());
    expect(result.problems).toEqual([]);
    expect(result.fragment).toEqual({
      services: {
        checkout: {
          slos: {
            'checkout-errors': {
              indicator: {
                kind: 'ratio',
                errors: 'sum by (service) (rate(http_requests_total{service="checkout",code=~"5.."}[{{window}}]))',
                total: 'sum by (service) (rate(http_requests_total{service="checkout"}[{{window}}]))',
              },
              objective: 99.5,
              window: '28d',
            },
          },
        },
      },
    });
  });

  it('a good/total ratioMetric as errors = (total) - (good), its ranges of one length however written', async () => {
    const good = 'sum(rate(jobs_ok_total[1h]))';
    const total = 'sum(rate(jobs_total[60m]))';
    const result = await run(slo((d) => (((d.spec.indicator as Json).spec as Json).ratioMetric = { good: prom(good), total: prom(total) })));
    expect(errorsOf(result)).toEqual([]);
    expect(result.fragment.services?.checkout?.slos['checkout-errors']?.indicator).toEqual({
      kind: 'ratio',
      errors: '(sum(rate(jobs_total[{{window}}]))) - (sum(rate(jobs_ok_total[{{window}}])))',
      total: 'sum(rate(jobs_total[{{window}}]))',
    });
  });

  it('the range of a subquery, not its resolution', async () => {
    const result = await run(slo((d) => (ratioMetric(d).bad = prom('sum(max_over_time(jobs_failing[5m:1m]))'))));
    expect((result.fragment.services?.checkout?.slos['checkout-errors']?.indicator as { errors: string }).errors).toBe('sum(max_over_time(jobs_failing[{{window}}:1m]))');
  });

  it('leaves a range-looking label value alone', async () => {
    const result = await run(slo((d) => (ratioMetric(d).bad = prom('sum(rate(x_total{path="/a[5m]"}[5m]))'))));
    expect((result.fragment.services?.checkout?.slos['checkout-errors']?.indicator as { errors: string }).errors).toBe('sum(rate(x_total{path="/a[5m]"}[{{window}}]))');
  });

  it('an SLI referenced by indicatorRef from another file, its type from a DataSource', async () => {
    const sli = { apiVersion: 'openslo/v1', kind: 'SLI', metadata: { name: 'errors' }, spec: { ratioMetric: { bad: { metricSource: { metricSourceRef: 'prom', spec: { query: errors5m } } }, total: prom(total5m) } } };
    const dataSource = { apiVersion: 'openslo/v1', kind: 'DataSource', metadata: { name: 'prom' }, spec: { type: 'Prometheus', connectionDetails: { url: 'http://prometheus:9090' } } };
    const sloDoc = slo((d) => {
      delete d.spec.indicator;
      d.spec.indicatorRef = 'errors';
    });
    const result = await importOpenSlo([
      { file: 'slo.yaml', content: stringify(sloDoc) },
      { file: 'sli.yaml', content: `${stringify(sli)}---\n${stringify(dataSource)}` },
    ]);
    expect(errorsOf(result)).toEqual([]);
    expect(result.fragment.services?.checkout?.slos['checkout-errors']?.objective).toBe(99.5);
    // Each warning at its file and line: the DataSource's first line, the SLI's metricSourceRef.
    expect(warningsOf(result).map((w) => `${w.artifact} ${w.path ?? ''}`)).toEqual(['sli.yaml:19 ', 'sli.yaml:9 spec.ratioMetric.bad.metricSource.metricSourceRef']);
  });

  it('several objectives as one SLO each, named by display name or position, targetPercent as is', async () => {
    const result = await run(slo((d) => (d.spec.objectives = [{ displayName: 'Most Requests', target: 0.99 }, { targetPercent: 99.9 }])));
    expect(errorsOf(result)).toEqual([]);
    const slos = result.fragment.services?.checkout?.slos ?? {};
    expect(Object.keys(slos)).toEqual(['checkout-errors-2', 'checkout-errors-most-requests']);
    expect(slos['checkout-errors-2']?.objective).toBe(99.9);
    expect(slos['checkout-errors-most-requests']?.objective).toBe(99);
  });

  it('no timeWindow as mlmon\'s default window, with a warning', async () => {
    const result = await run(slo((d) => delete d.spec.timeWindow));
    expect(result.fragment.services?.checkout?.slos['checkout-errors']?.window).toBeUndefined();
    expect(result.problems.map((p) => [p.id, p.severity, p.path])).toEqual([['openslo/default-window', 'warning', 'spec.timeWindow']]);
  });

  it('the model an exported SLO names in its mlmon.dev/model annotation', async () => {
    const result = await run(slo((d) => (d.metadata.annotations = { 'mlmon.dev/model': 'fraud-detector', 'mlmon.dev/slo': 'errors' })));
    // The queries are the service's, by (service): a model SLO's series need the model label.
    expect(result.problems.map((p) => [p.id, p.severity, p.message.includes('aggregates the model label away')])).toEqual([
      ['openslo/scope-label', 'warning', true],
      ['openslo/scope-label', 'warning', true],
    ]);
    expect(Object.keys(result.fragment)).toEqual(['models']);
    expect(Object.keys(result.fragment.models?.['fraud-detector']?.slos ?? {})).toEqual(['errors']);
  });
});

/** [what, edit, path of the dropped field, words of its reason] */
const dropped: [string, (d: { metadata: Json; spec: Json }) => void, string, RegExp][] = [
  ['alertPolicies', (d) => (d.spec.alertPolicies = [{ alertPolicyRef: 'x' }]), 'spec.alertPolicies', /burn-rate tiers, see tiers/],
  ['labels', (d) => (d.metadata.labels = { team: ['a', 'b'] }), 'metadata.labels', /no labels/],
  ['annotations', (d) => (d.metadata.annotations = { 'openslo.com/x': 'y' }), 'metadata.annotations["openslo.com/x"]', /no annotations/],
  ['the SLO description', (d) => (d.spec.description = 'why'), 'spec.description', /no description/],
  ['the SLO display name', (d) => (d.metadata.displayName = 'Checkout'), 'metadata.displayName', /named by its key/],
  ['op and value of an objective', (d) => (d.spec.objectives = [{ target: 0.99, op: 'lt', value: 2 }]), 'spec.objectives[0].op', /thresholdMetric/],
  ['time slices of an objective', (d) => (d.spec.objectives = [{ target: 0.99, timeSliceWindow: '1m' }]), 'spec.objectives[0].timeSliceWindow', /Timeslices budgeting/],
  ['counter: false', (d) => (ratioMetric(d).counter = false), 'spec.indicator.spec.ratioMetric.counter', /rate\(\) of counters/],
  ['metricSource spec fields besides the query', (d) => ((ratioMetric(d).total as { metricSource: { spec: Json } }).metricSource.spec.step = '1m'), 'spec.indicator.spec.ratioMetric.total.metricSource.spec.step', /only the PromQL query/],
  ['unknown SLO fields', (d) => (d.spec.sloFlavour = 'x'), 'spec.sloFlavour', /not a field of an OpenSLO v1 SLO/],
];

describe('importOpenSlo drops, with a warning naming the field and what mlmon does instead,', () => {
  it.each(dropped)('%s', async (_what, edit, path, reason) => {
    const result = await run(slo(edit));
    expect(errorsOf(result)).toEqual([]);
    expect(result.fragment.services?.checkout?.slos['checkout-errors']).toBeDefined();
    const warning = warningsOf(result).find((w) => w.path === path);
    expect(warning, JSON.stringify(result.problems)).toMatchObject({ id: 'openslo/dropped', artifact: expect.stringMatching(/^slos\.yaml:\d+$/), object: 'SLO checkout-errors, document 1' });
    expect(warning?.message).toMatch(reason);
  });

  it('an SLI that no SLO refers to, and Service documents', async () => {
    const sli = { apiVersion: 'openslo/v1', kind: 'SLI', metadata: { name: 'spare' }, spec: { ratioMetric: { bad: prom(errors5m), total: prom(total5m) } } };
    const service = { apiVersion: 'openslo/v1', kind: 'Service', metadata: { name: 'checkout' }, spec: { description: 'the shop' } };
    const result = await run(slo(), sli, service);
    expect(errorsOf(result)).toEqual([]);
    expect(warningsOf(result).map((w) => [w.object, w.message])).toEqual([
      ['Service checkout, document 3', expect.stringMatching(/^the Service is not imported: mlmon services are declared in services/)],
      ['SLI spare, document 2', 'the SLI is not imported: no SLO of the files given refers to this SLI (indicatorRef)'],
    ]);
  });

  it('the fields of an SLI that two SLOs refer to, once', async () => {
    const sli = { apiVersion: 'openslo/v1', kind: 'SLI', metadata: { name: 'errors' }, spec: { description: 'x', ratioMetric: { bad: prom(errors5m), total: prom(total5m) } } };
    const byRef = (name: string) => slo((d) => ((d.metadata.name = name), delete d.spec.indicator, (d.spec.indicatorRef = 'errors')));
    const result = await run(sli, byRef('a'), byRef('b'));
    expect(Object.keys(result.fragment.services?.checkout?.slos ?? {})).toEqual(['a', 'b']);
    expect(warningsOf(result).map((w) => [w.object, w.path])).toEqual([['SLI errors, document 1', 'spec.description']]);
  });

  it('AlertPolicy documents', async () => {
    const result = await run(slo(), { apiVersion: 'openslo/v1', kind: 'AlertPolicy', metadata: { name: 'page' }, spec: {} });
    expect(warningsOf(result).map((w) => [w.object, w.message])).toEqual([['AlertPolicy page, document 2', 'the AlertPolicy is not imported: mlmon alerts by burn-rate tiers, see tiers and tierSettings']]);
  });
});

/** [what, edit, problem id, path, what is allowed] */
const refused: [string, (d: { metadata: Json; spec: Json }) => void, string, string, RegExp][] = [
  ['Timeslices budgeting', (d) => (d.spec.budgetingMethod = 'Timeslices'), 'openslo/unsupported', 'spec.budgetingMethod', /^Occurrences$/],
  ['RatioTimeslices budgeting', (d) => (d.spec.budgetingMethod = 'RatioTimeslices'), 'openslo/unsupported', 'spec.budgetingMethod', /^Occurrences$/],
  ['no budgetingMethod', (d) => delete d.spec.budgetingMethod, 'openslo/invalid', 'spec.budgetingMethod', /^Occurrences$/],
  ['a calendar window', (d) => (d.spec.timeWindow = [{ duration: '1M', calendar: { startTime: '2020-01-21 12:30:00', timeZone: 'UTC' } }]), 'openslo/unsupported', 'spec.timeWindow[0].calendar', /rolling/],
  ['isRolling: false', (d) => (d.spec.timeWindow = [{ duration: '28d', isRolling: false }]), 'openslo/unsupported', 'spec.timeWindow[0].isRolling', /rolling/],
  ['a rolling month', (d) => (d.spec.timeWindow = [{ duration: '1M', isRolling: true }]), 'openslo/unsupported', 'spec.timeWindow[0].duration', /m h d or w/],
  ['two windows', (d) => (d.spec.timeWindow = [{ duration: '7d', isRolling: true }, { duration: '28d', isRolling: true }]), 'openslo/invalid', 'spec.timeWindow', /duration: 28d/],
  ['a thresholdMetric', (d) => ((d.spec.indicator as Json).spec = { thresholdMetric: prom('x') }), 'openslo/unsupported', 'spec.indicator.spec.thresholdMetric', /ratioMetric/],
  ['a raw ratioMetric', (d) => ((d.spec.indicator as Json).spec = { ratioMetric: { rawType: 'success', raw: prom('x') } }), 'openslo/unsupported', 'spec.indicator.spec.ratioMetric.raw', /counters/],
  ['a Datadog source', (d) => (ratioMetric(d).total = { metricSource: { type: 'Datadog', spec: { query: 'sum:x{*}' } } }), 'openslo/unsupported', 'spec.indicator.spec.ratioMetric.total.metricSource.type', /^Prometheus$/],
  ['a source of no known type', (d) => (ratioMetric(d).total = { metricSource: { metricSourceRef: 'nowhere', spec: { query: total5m } } }), 'openslo/unsupported', 'spec.indicator.spec.ratioMetric.total.metricSource', /Prometheus/],
  ['good and bad together', (d) => (ratioMetric(d).good = prom(total5m)), 'openslo/invalid', 'spec.indicator.spec.ratioMetric', /good and total, or bad and total/],
  ['a query with no range', (d) => (ratioMetric(d).bad = prom('job:errors:rate5m{service="checkout"}')), 'openslo/query-range', 'spec.indicator.spec.ratioMetric.bad.metricSource.spec.query', /one range/],
  ['queries over different ranges', (d) => (ratioMetric(d).bad = prom('sum(rate(errors_total[1h]))')), 'openslo/query-range', 'spec.indicator.spec.ratioMetric.total.metricSource.spec.query', /one range/],
  ['a query with a rate inside a subquery (two ranges)', (d) => (ratioMetric(d).bad = prom('max_over_time(sum(rate(errors_total[5m]))[1h:1m])')), 'openslo/query-range', 'spec.indicator.spec.ratioMetric.bad.metricSource.spec.query', /one range/],
  ['a query that is not PromQL', (d) => (ratioMetric(d).bad = prom('sum(rate(errors_total[5m])')), 'openslo/promql', 'spec.indicator.spec.ratioMetric.bad.metricSource.spec.query', /.*/],
  ['a composite objective', (d) => (d.spec.objectives = [{ target: 0.99, indicatorRef: 'x' }]), 'openslo/unsupported', 'spec.objectives[0].indicatorRef', /.*/],
  ['a target of 1', (d) => (d.spec.objectives = [{ target: 1 }]), 'openslo/invalid', 'spec.objectives[0].target', /below 1/],
  ['a target of 0', (d) => (d.spec.objectives = [{ target: 0 }]), 'openslo/unsupported', 'spec.objectives[0].target', /above 0/],
  ['target and targetPercent together', (d) => (d.spec.objectives = [{ target: 0.99, targetPercent: 99 }]), 'openslo/invalid', 'spec.objectives[0]', /target.*or targetPercent/],
  ['no service', (d) => delete d.spec.service, 'openslo/invalid', 'spec.service', /service/],
  ['an indicatorRef to no SLI', (d) => ((d.spec.indicatorRef = 'nope'), delete d.spec.indicator), 'openslo/unknown-ref', 'spec.indicatorRef', /none were given/],
];

describe('importOpenSlo refuses, with the path in the file, the bad value and what is allowed,', () => {
  it.each(refused)('%s', async (_what, edit, id, path, allowed) => {
    const result = await run(slo(edit));
    expect(result.fragment).toEqual({});
    const error = errorsOf(result).find((p) => p.path === path);
    expect(error, JSON.stringify(result.problems)).toMatchObject({ id, artifact: expect.stringMatching(/^slos\.yaml:\d+$/), object: 'SLO checkout-errors, document 1' });
    expect(error?.allowed ?? error?.message).toMatch(allowed);
  });

  it('an OpenSLO v1alpha document (what Sloth reads), pointing at v1', async () => {
    const result = await run({ apiVersion: 'openslo/v1alpha', kind: 'SLO', metadata: { name: 'x' }, spec: {} });
    expect(errorsOf(result)).toMatchObject([{ id: 'openslo/unsupported', path: 'apiVersion', value: 'openslo/v1alpha', allowed: 'openslo/v1', hint: expect.stringMatching(/Sloth/) }]);
  });

  it('a document of a kind OpenSLO v1 does not have', async () => {
    const result = await run(slo(), { apiVersion: 'openslo/v1', kind: 'Slo', metadata: { name: 'x' }, spec: {} });
    expect(errorsOf(result)).toMatchObject([{ id: 'openslo/invalid', path: 'kind', value: 'Slo', allowed: expect.stringContaining('SLO, SLI') }]);
  });

  it('a file that is not YAML', async () => {
    const result = await importOpenSlo([{ file: 'bad.yaml', content: 'kind: SLO\nspec: [\n' }]);
    expect(errorsOf(result)).toMatchObject([{ id: 'openslo/yaml', artifact: 'bad.yaml:3', message: expect.stringMatching(/^not YAML: /) }]);
  });

  it('two SLOs of one name on one service, and a misspelt indicatorRef with a did-you-mean', async () => {
    const sli = { apiVersion: 'openslo/v1', kind: 'SLI', metadata: { name: 'checkout-errors' }, spec: { ratioMetric: { bad: prom(errors5m), total: prom(total5m) } } };
    const misspelt = slo((d) => {
      d.metadata.name = 'other';
      delete d.spec.indicator;
      d.spec.indicatorRef = 'checkout-erors';
    });
    const result = await run(slo(), slo(), sli, misspelt);
    expect(errorsOf(result).map((p) => [p.id, p.object, p.hint])).toEqual([
      ['openslo/unknown-ref', 'SLO other, document 4', 'did you mean checkout-errors?'],
      ['openslo/duplicate', 'SLO checkout-errors, document 2', expect.stringMatching(/rename/)],
    ]);
  });

  it('reports every problem of an SLO, not only the first', async () => {
    const result = await run(slo((d) => ((d.spec.budgetingMethod = 'Timeslices'), (d.spec.timeWindow = [{ duration: '1Q', isRolling: true }]))));
    expect(errorsOf(result).map((p) => p.path)).toEqual(['spec.timeWindow[0].duration', 'spec.budgetingMethod']);
  });
});
