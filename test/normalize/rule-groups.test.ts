/**
 * Rule groups Prometheus can evaluate side by side (src/normalize/rule-groups.ts): groups run concurrently,
 * the rules of one group in a row, so each fleet-wide alert has a group of its own and threshold series come
 * in groups of at most 500, while rule files and proof files stay as they were. How long the groups take is
 * measured by bench/rule-groups.mjs against a real Prometheus, not here.
 */
import { dcgm } from '../../src/catalog/integrations/dcgm/index.js';
import { describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { alertCatalog } from '../../src/catalog/index.js';
import { activeCatalog } from '../../src/catalog/integrations/index.js';
import { thresholdRulesPerGroup } from '../../src/normalize/rule-groups.js';
import { generateExample, modelOf } from '../support/fixtures.js';

/** `count` models on `count / 10` services, every model with a threshold of its own and every third with one switched off, so that a model has 4 or 5 series and group cuts don't fall on model boundaries by chance. */
function fleet(count: number): MonitoringConfig {
  const services = Object.fromEntries(Array.from({ length: Math.max(1, count / 10) }, (_, i) => [`svc-${i}`, { discovery: { staticTargets: [`10.0.${Math.floor(i / 250)}.${i % 250}:80`] } }]));
  const models = Object.fromEntries(Array.from({ length: count }, (_, i) => [`model-${String(i).padStart(5, '0')}`, { service: `svc-${i % Math.max(1, count / 10)}`, thresholds: { minAccuracy: 0.8 + (i % 10) / 100, ...(i % 3 === 0 ? { maxDriftScore: false as const } : {}) } }]));
  return { services, models } as MonitoringConfig;
}

describe('rule groups', () => {
  it('gives every built-in alert a group of its own in alerts.yml, named by its family and its name, in the order of the alerts', async () => {
    const { model } = await generateExample();
    const alerts = model.ruleFiles.find((f) => f.name === 'alerts.yml')!;
    expect(alerts.groups.map((g) => g.rules.map((r) => (r.kind === 'alert' ? r.alert : r.record)))).toEqual(model.builtinAlerts.map((a) => [a.name]));
    expect(alerts.groups.map((g) => g.name)).toEqual(model.builtinAlerts.map((a) => `${a.group}-${a.name}`));
    expect(alerts.groups.map((g) => g.name)).toContain('ml-models-HighInferenceLatency');
    expect(alerts.groups.map((g) => g.name)).toContain('application-HighLatency');
    // Every built-in, the alerts of the integrations the example's services run (vLLM), and the GPU pack's; not
    // IntegrationMetricsMissing, since vLLM has no service-scoped alert whose series could go missing.
    const running = new Set(model.services.flatMap((s) => (s.integration ? [s.integration.name] : [])));
    expect(model.builtinAlerts.map((a) => a.name).sort()).toEqual([...activeCatalog(alertCatalog, running), ...dcgm.alerts].map((a) => a.name).filter((name) => name !== 'IntegrationMetricsMissing').sort());
  });

  it("keeps a small fleet's thresholds in one group, mlmon-thresholds", () => {
    const model = modelOf(fleet(20));
    expect(model.ruleFiles.filter((f) => f.name.startsWith('thresholds')).map((f) => [f.name, f.groups.map((g) => g.name)])).toEqual([['thresholds.yml', ['mlmon-thresholds']]]);
  });

  it("cuts a fleet's threshold series into files of one group each, at most 500 rules, a model's or service's series in one group", () => {
    const model = modelOf(fleet(1200));
    const thresholdFiles = model.ruleFiles.filter((f) => f.name.startsWith('thresholds'));
    expect(thresholdFiles.length).toBeGreaterThan(2);
    for (const file of thresholdFiles) {
      const rules = file.groups.flatMap((g) => g.rules);
      // One group per file (src/normalize/threshold-files.ts): the proofs load whole files.
      expect(file.groups.length, file.name).toBe(1);
      expect(file.groups.every((g) => g.rules.length > 0 && g.rules.length <= thresholdRulesPerGroup), file.name).toBe(true);
      expect(file.groups.length, file.name).toBeGreaterThanOrEqual(Math.ceil(rules.length / thresholdRulesPerGroup));
      // A model's info series and its thresholds are recorded in one group, at one instant: the model alerts
      // join them, and a threshold recorded before its model's info series reads as an unlisted model's too.
      const groupsOfTarget = new Map<string, Set<string>>();
      for (const group of file.groups) {
        for (const rule of group.rules) {
          const target = rule.labels.model ?? rule.labels.service ?? 'defaults';
          groupsOfTarget.set(target, (groupsOfTarget.get(target) ?? new Set()).add(group.name));
        }
      }
      expect([...groupsOfTarget].filter(([, groups]) => groups.size > 1), file.name).toEqual([]);
      const base = `mlmon-${file.name.replace(/\.yml$/, '')}`;
      expect(file.groups.map((g) => g.name), file.name).toEqual([base]);
    }
    const allNames = model.ruleFiles.flatMap((f) => f.groups.map((g) => g.name));
    expect(new Set(allNames).size).toBe(allNames.length);
    expect(thresholdFiles.flatMap((f) => f.groups).some((g) => g.rules.length === thresholdRulesPerGroup)).toBe(true);
  });

  it('keeps one proof file per family (and threshold file), each listing every group of the rule files it loads in group_eval_order', () => {
    const model = modelOf(fleet(1200));
    const families = new Set(model.ruleTests.map((t) => t.name.replace(/(-thresholds-\d+)?(-part-\d+)?\.test\.yml$/, '')));
    expect([...families].sort()).toEqual(['application', 'infrastructure', 'ml-models']);
    for (const proof of model.ruleTests) {
      const loaded = proof.ruleFiles.map((path) => model.ruleFiles.find((f) => `../rules/${f.name}` === path)!);
      expect(proof.groupEvalOrder, proof.name).toEqual(loaded.flatMap((f) => f.groups.map((g) => g.name)));
    }
  });
});
