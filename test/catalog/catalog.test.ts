/**
 * The alert catalog holds together: the files generated from it are current, every alert reads only metrics
 * the metric catalog knows, names and keys are unique, every default is a value its own checks accept, and
 * every threshold line lands on a panel.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { catalogOutputs } from '../../scripts/generate-catalog-types.mjs';
import { serviceIntegrations } from '../../src/catalog/integrations/index.js';
import { alertCatalog } from '../../src/catalog/index.js';
import { unreachableThresholdProblems } from '../../src/config/rule-semantics.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import { renderAll } from '../../src/render/render.js';
import { modelOf } from '../support/fixtures.js';

const typeBounds = { Ratio: [0, 1], Percentage: [Number.MIN_VALUE, 100], Seconds: [0, Infinity], PerSecond: [0, Infinity], Count: [0, Infinity] } as const;

// A service per integration (src/catalog/integrations/), so that every catalog entry is generated.
const withEveryIntegration = Object.fromEntries(serviceIntegrations.map((i) => [i.name, { discovery: { staticTargets: [`${i.name}:${i.scrape.port}`] }, integration: { [i.name]: { version: i.versions[0] } } }]));

describe('the alert catalog', () => {
  it('is what src/config/alert-catalog.generated.ts and docs/alerts.md were generated from (run `npm run schema` when this fails)', async () => {
    for (const [path, text] of await (catalogOutputs as () => Promise<[string, string][]>)()) {
      expect({ path, text: readFileSync(path, 'utf8') }).toEqual({ path, text });
    }
  });

  it('names every alert and threshold key once', () => {
    const names = alertCatalog.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    const keys = alertCatalog.flatMap((a) => (a.threshold ? [`${a.scope} ${a.threshold.key}`] : []));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('reads only metrics of the metric catalog, and every alert\'s expression reads them', () => {
    // node-exporter found per node, so that NodeExporterMissing is generated too.
    const infrastructure = { nodeExporter: { kubernetes: { namespace: 'monitoring' } } };
    const model = modelOf({ infrastructure, services: { api: { discovery: { staticTargets: ['api:80'] } }, ...withEveryIntegration }, models: { m: { service: 'api' } } } as MonitoringConfig);
    const known = new Set(model.metricCatalog.map((m) => m.name));
    for (const alert of alertCatalog) {
      expect({ alert: alert.name, unknown: alert.metrics.filter((m) => !known.has(m)) }).toEqual({ alert: alert.name, unknown: [] });
      const rule = model.builtinAlerts.find((a) => a.name === alert.name)!.rule;
      for (const metric of alert.metrics) expect(rule.expr, `${alert.name} reads ${metric}`).toMatch(new RegExp(`\\b${metric}(_bucket|_count|_sum)?\\b`));
    }
  });

  it('gives every threshold a default inside its type and its own reachability check', () => {
    for (const alert of alertCatalog) {
      if (!alert.threshold) continue;
      const [min, max] = typeBounds[alert.threshold.type];
      expect(alert.threshold.default, alert.name).toBeGreaterThanOrEqual(min);
      expect(alert.threshold.default, alert.name).toBeLessThanOrEqual(max);
    }
    const defaults = (scope: string) => Object.fromEntries(alertCatalog.flatMap((a) => (a.scope === scope && a.threshold ? [[a.threshold.key, a.threshold.default]] : [])));
    const config = { infrastructure: { thresholds: defaults('infrastructure') }, defaults: { serviceThresholds: defaults('service'), modelThresholds: defaults('model') } } as MonitoringConfig;
    expect(unreachableThresholdProblems(config)).toEqual([]);
  });

  it('draws every threshold alert\'s line on the panel it names, in the example and a fleet with everything on', () => {
    const model = modelOf({ services: { api: { discovery: { staticTargets: ['api:80'] } }, ...withEveryIntegration }, models: { m: { service: 'api' } }, infrastructure: { nodeExporterTargets: ['node:9100'] } } as MonitoringConfig);
    const dashboards = renderAll(model).filter((f) => f.path.startsWith('grafana/dashboards/')).map((f) => JSON.parse(f.content) as { panels: { title: string; description: string }[] });
    for (const alert of alertCatalog) {
      const panel = alert.panel;
      if (!panel || 'none' in panel) continue;
      const drawn = dashboards.flatMap((d) => d.panels).filter((p) => p.title === panel.title && p.description.includes(`threshold of the ${alert.name} alert`));
      expect(drawn.length, alert.name).toBeGreaterThan(0);
    }
  });
});
