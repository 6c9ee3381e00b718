/** `toOpenSlo`: mlmon SLOs as OpenSLO v1 documents, and back through the import to the same SLOs. */
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { openSloDuration, toOpenSlo, type OpenSloExportSlo } from '../../src/config/openslo/export.js';
import { importOpenSlo } from '../../src/config/openslo/import.js';

const slos: OpenSloExportSlo[] = [
  { name: 'availability', scope: 'model', target: 'fraud-detector', service: 'model-api', indicator: { kind: 'availability' }, objective: 99.5 },
  { name: 'latency', scope: 'model', target: 'fraud-detector', indicator: { kind: 'latency', thresholdSeconds: 0.25 }, objective: 99, window: '7d' },
  { name: 'availability', scope: 'service', target: 'model-api', indicator: { kind: 'availability' }, objective: 99.95, window: '30d' },
  { name: 'latency', scope: 'service', target: 'model-api', indicator: { kind: 'latency', thresholdSeconds: 1 }, objective: 99.9, window: '1d12h' },
  {
    name: 'failed-jobs',
    scope: 'service',
    target: 'batch',
    indicator: { kind: 'ratio', errors: 'sum by (service) (rate(jobs_failed_total[{{window}}]))', total: 'sum by (service) (rate(jobs_total[{{window}}]))' },
    objective: 99.5,
    window: '4w',
  },
];

describe('toOpenSlo', () => {
  it('writes one OpenSLO v1 SLO per mlmon SLO: inline ratioMetric over Prometheus, Occurrences, a rolling window, the target as a ratio', () => {
    const documents = parseAllDocuments(toOpenSlo(slos)).map((d) => d.toJS() as Record<string, any>);
    expect(documents).toHaveLength(5);
    expect(documents[0]).toEqual({
      apiVersion: 'openslo/v1',
      kind: 'SLO',
      metadata: { name: 'fraud-detector-availability', annotations: { 'mlmon.dev/slo': 'availability', 'mlmon.dev/model': 'fraud-detector' } },
      spec: {
        service: 'model-api',
        indicator: {
          metadata: { name: 'fraud-detector-availability' },
          spec: {
            ratioMetric: {
              counter: true,
              bad: { metricSource: { type: 'Prometheus', spec: { query: 'sum by (model) (rate(predictions_total{model="fraud-detector",status="error"}[5m]))' } } },
              total: { metricSource: { type: 'Prometheus', spec: { query: 'sum by (model) (rate(predictions_total{model="fraud-detector"}[5m]))' } } },
            },
          },
        },
        timeWindow: [{ duration: '28d', isRolling: true }],
        budgetingMethod: 'Occurrences',
        objectives: [{ displayName: 'availability', target: 0.995 }],
      },
    });
    expect(documents[1]!.spec.indicator.spec.ratioMetric).toEqual({
      counter: true,
      good: { metricSource: { type: 'Prometheus', spec: { query: 'sum by (model) (rate(model_inference_duration_seconds_bucket{model="fraud-detector",le="0.25"}[5m]))' } } },
      total: { metricSource: { type: 'Prometheus', spec: { query: 'sum by (model) (rate(model_inference_duration_seconds_count{model="fraud-detector"}[5m]))' } } },
    });
    expect(documents[2]!.spec.indicator.spec.ratioMetric.bad.metricSource.spec.query).toBe('sum by (service) (rate(http_requests_total{service="model-api",status=~"5.."}[5m]))');
    expect(documents[2]!.spec.objectives).toEqual([{ displayName: 'availability', target: 0.9995 }]);
    expect(documents[3]!.spec.indicator.spec.ratioMetric.good.metricSource.spec.query).toBe('sum by (service) (rate(http_request_duration_seconds_bucket{service="model-api",le="1"}[5m]))');
    expect(documents[4]!.spec.indicator.spec.ratioMetric.bad.metricSource.spec.query).toBe('sum by (service) (rate(jobs_failed_total[5m]))');
    expect(documents.map((d) => d.spec.timeWindow[0].duration)).toEqual(['28d', '7d', '30d', '36h', '28d']);
  });

  it('writes windows in OpenSLO\'s one-unit shorthand, and refuses one that is not whole minutes', () => {
    expect(['28d', '4w', '1d12h', '90m', '2h'].map(openSloDuration)).toEqual(['28d', '28d', '36h', '90m', '2h']);
    expect(() => openSloDuration('90s')).toThrow(/whole number of minutes/);
  });

  it('imports back to the same SLOs (built-in indicators as themselves), with no problem', async () => {
    const result = await importOpenSlo([{ file: 'exported.yaml', content: toOpenSlo(slos) }]);
    expect(result.problems).toEqual([]);
    const windows: Record<string, string> = { '1d12h': '36h', '4w': '28d' };
    for (const slo of slos) {
      const group = slo.scope === 'model' ? result.fragment.models : result.fragment.services;
      expect(group?.[slo.target]?.slos[slo.name], `${slo.scope} ${slo.target} ${slo.name}`).toEqual({
        indicator: slo.indicator,
        objective: slo.objective,
        window: windows[slo.window ?? ''] ?? slo.window ?? '28d',
      });
    }
  });
});
