/**
 * docs/architecture.md's recipe "Adding an alert" is complete: a throwaway alert defined in one module
 * (test/fixtures/alert-recipe/low-prediction-volume.ts) and added to the catalog gets, with nothing else
 * changed, its config types and reference section, its rule and per-model threshold series, proofs that pass
 * promtool, its threshold checks, and its line on the dashboard panel it names.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { alertCatalog, type AlertCatalog } from '../../src/catalog/index.js';
import { catalogConfigTypes } from '../../src/catalog/config-types.js';
import { alertsReference } from '../../src/catalog/alerts-reference.js';
import { unreachableThresholdProblems } from '../../src/config/rule-semantics.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import { normalize } from '../../src/normalize/normalize.js';
import { renderAll } from '../../src/render/render.js';
import { lowPredictionVolume } from '../fixtures/alert-recipe/low-prediction-volume.js';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot, tool } from '../support/tools.js';

const run = promisify(execFile);
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const catalog: AlertCatalog = [...alertCatalog, lowPredictionVolume];
// The schema doesn't know the new key (it is regenerated from the catalog by `npm run schema`), so the config
// goes straight to normalize, as the pipeline would after that.
const config = {
  services: { 'model-api': { discovery: { staticTargets: ['model-api:8000'] } } },
  models: {
    'fraud-detector': { service: 'model-api', team: 'ml-risk', thresholds: { minPredictionsPerSecond: 2 } },
    'churn-predictor': { service: 'model-api', thresholds: { minPredictionsPerSecond: false } },
    recommender: { service: 'model-api' },
  },
} as unknown as MonitoringConfig;
const model = () => normalize(config, { configFile: join(repoRoot, 'monitoring.config.json'), catalog });

describe('the recipe "Adding an alert"', () => {
  it('puts its name and threshold, with doc and default, in the generated config types and the alert reference', () => {
    const types = catalogConfigTypes(catalog);
    expect(types).toContain("  | 'LowPredictionVolume';");
    expect(types).toContain('   * Predictions per second below which LowPredictionVolume fires; `false` disables it.\n   * @default 0.5\n   */\n  minPredictionsPerSecond?: PerSecond | false;');
    expect(types).not.toBe(catalogConfigTypes(alertCatalog));
    const reference = alertsReference(catalog);
    expect(reference).toContain('## LowPredictionVolume');
    expect(reference).toContain('`models.<name>.thresholds.minPredictionsPerSecond`');
  });

  it('writes one rule for every model, joined with per-model threshold series and the default for unlisted models', () => {
    const m = model();
    const alert = m.builtinAlerts.find((a) => (a.name as string) === 'LowPredictionVolume');
    expect(alert?.group).toBe('ml-models');
    expect(alert?.rule.expr).toContain('sum by (model) (rate(predictions_total[5m]))\n  < on (model) group_left (team)');
    expect(alert?.rule.expr).toContain('mlmon:model_min_predictions_per_second:default_threshold');
    const thresholds = m.ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules)).filter((r) => r.kind === 'record' && r.record.startsWith('mlmon:model_min_predictions_per_second'));
    expect(thresholds.map((r) => [r.kind === 'record' && r.record, r.expr, r.labels.model ?? null])).toEqual([
      ['mlmon:model_min_predictions_per_second:default_threshold', 'vector(0.5)', null],
      ['mlmon:model_min_predictions_per_second:threshold', 'vector(2)', 'fraud-detector'],
      ['mlmon:model_min_predictions_per_second:threshold', 'vector(0.5)', 'recommender'],
    ]);
    expect(m.metricCatalog.map((d) => d.name)).toContain('mlmon:model_min_predictions_per_second:threshold');
  });

  it('proves it in promtool: fires past each model\'s threshold (the unlisted model\'s too), silent inside, never for the disabled model', async () => {
    const m = model();
    const tests = m.ruleTests.flatMap((f) => f.tests).filter((t) => t.name.startsWith('LowPredictionVolume '));
    expect(tests).toHaveLength(2);
    const fired = tests[0]!.alertRuleTests.at(-1)!.expAlerts.map((a) => a.expLabels.model).sort();
    expect(fired).toEqual(['fraud-detector', 'mlmon-unlisted-model', 'recommender']);
    const { dir, cleanup } = scratchDir('mlmon-alert-recipe-');
    cleanups.push(cleanup);
    const files = renderAll(m);
    for (const file of files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.content);
    }
    const testFiles = files.filter((f) => f.path.startsWith('prometheus/tests/')).map((f) => f.path.slice('prometheus/tests/'.length));
    const { stdout } = await run(tool('promtool'), ['test', 'rules', ...testFiles], { cwd: join(dir, 'prometheus/tests') });
    expect(stdout).toMatch(/SUCCESS/);
    expect(stdout).not.toMatch(/FAILED/);
  });

  it('refuses a threshold its signal can never cross, on its config path', () => {
    const problems = unreachableThresholdProblems({ models: { 'fraud-detector': { service: 'model-api', thresholds: { minPredictionsPerSecond: 0 } } } } as unknown as MonitoringConfig, catalog);
    expect(problems).toEqual([expect.objectContaining({ id: 'config/unreachable-threshold', path: 'models.fraud-detector.thresholds.minPredictionsPerSecond', value: 0 })]);
  });

  it('draws its threshold on the panel it names, per model, with a note saying when it pages', () => {
    const dashboard = JSON.parse(renderAll(model()).find((f) => f.path === 'grafana/dashboards/ml-models.json')!.content);
    const panel = dashboard.panels.find((p: { title: string }) => p.title === 'Predictions per second');
    expect(panel.description).toContain('threshold of the LowPredictionVolume alert (warning), which fires after 10m below it.');
    expect(JSON.stringify(panel)).toContain('fraud-detector');
  });

  it('is an error, not a silent miss, when it names a panel the dashboard doesn\'t have', () => {
    const misplaced = { ...lowPredictionVolume, panel: { dashboard: 'ml-models', title: 'Predictions per minute' } } as const;
    const m = normalize(config, { configFile: join(repoRoot, 'monitoring.config.json'), catalog: [...alertCatalog, misplaced] });
    expect(() => renderAll(m)).toThrow(/LowPredictionVolume names panel "Predictions per minute" of dashboard ml-models, which has no such panel/);
  });
});
