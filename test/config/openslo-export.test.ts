/** `toOpenSlo`: mlmon SLOs as OpenSLO v1 documents, and back through the import to the same SLOs. */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot, tool } from '../support/tools.js';
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
    // Sorted: models, then services, by target and name.
    expect(documents.map((d) => d.metadata.name)).toEqual(['fraud-detector-availability', 'fraud-detector-latency', 'batch-failed-jobs', 'model-api-availability', 'model-api-latency']);
    expect(documents[3]!.spec.indicator.spec.ratioMetric.bad.metricSource.spec.query).toBe('sum by (service) (rate(http_requests_total{service="model-api",status=~"5.."}[5m]))');
    expect(documents[3]!.spec.objectives).toEqual([{ displayName: 'availability', target: 0.9995 }]);
    expect(documents[4]!.spec.indicator.spec.ratioMetric.good.metricSource.spec.query).toBe('sum by (service) (rate(http_request_duration_seconds_bucket{service="model-api",le="1"}[5m]))');
    expect(documents[2]!.spec.indicator.spec.ratioMetric.bad.metricSource.spec.query).toBe('sum by (service) (rate(jobs_failed_total[5m]))');
    expect(documents.map((d) => d.spec.timeWindow[0].duration)).toEqual(['28d', '7d', '28d', '30d', '36h']);
    expect(toOpenSlo([...slos].reverse())).toBe(toOpenSlo(slos));
  });

  it('writes documents that the OpenSLO project\'s validator, oslo, accepts (and oslo refuses them broken)', () => {
    const oslo = execFileSync('bash', [join(repoRoot, 'scripts/install-oslo.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    const { dir, cleanup } = scratchDir('mlmon-oslo-');
    try {
      const validate = (text: string) => {
        const file = join(dir, 'slos.yaml');
        writeFileSync(file, text);
        const result = spawnSync(oslo, ['validate', '-f', file], { encoding: 'utf8' });
        return { code: result.status, output: `${result.stdout}${result.stderr}` };
      };
      const exported = toOpenSlo(slos);
      expect(validate(exported)).toEqual({ code: 0, output: 'Valid!\n' });
      const broken = validate(exported.replace('target: 0.995', 'target: 1.5'));
      expect(broken.code).toBe(1);
      expect(broken.output).toMatch(/Objectives\[0\]\.Target/);
    } finally {
      cleanup();
    }
  });

  it('writes queries that promtool parses', () => {
    const queries = parseAllDocuments(toOpenSlo(slos)).flatMap((d) => Object.values((d.toJS() as any).spec.indicator.spec.ratioMetric).flatMap((m: any) => (m.metricSource ? [m.metricSource.spec.query as string] : [])));
    expect(queries).toHaveLength(10);
    const { dir, cleanup } = scratchDir('mlmon-oslo-');
    try {
      const file = join(dir, 'rules.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'openslo', rules: queries.map((expr, i) => ({ record: `openslo:query${i}`, expr })) }] }));
      const result = spawnSync(tool('promtool'), ['check', 'rules', file], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/SUCCESS: 10 rules found/);
    } finally {
      cleanup();
    }
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
