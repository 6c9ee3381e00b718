/**
 * The dashboards come from the Grafana Foundation SDK's builders: what mlmon keeps of its own around them
 * (schema version pinned to the Grafana image, variables and the header link without the SDK's defaults that
 * Grafana 12.3 does not read), and that the CLI loads the SDK only when it renders.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderGrafana } from '../../src/render/grafana.js';
import { dashboardJson, grafanaSchemaVersion } from '../../src/render/grafana/dashboard.js';
import { mlModelsDashboard } from '../../src/render/grafana/ml-models.js';
import { grafanaSdk, loadGrafanaSdk, type GrafanaSdk } from '../../src/render/grafana/sdk.js';
import { createTemplates } from '../../src/render/templating.js';
import { copyExampleTo, generateExample, modelOf, scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

type Json = Record<string, any>;

const model = modelOf({
  services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } } },
  models: { 'fraud-detector': { service: 'model-api', thresholds: { minAccuracy: 0.9 } } },
});

function dashboards(): Json[] {
  return renderGrafana(model, createTemplates(model.templatesDir))
    .filter((f) => f.path.startsWith('grafana/dashboards/'))
    .map((f) => JSON.parse(f.content) as Json);
}

describe('dashboards built with the Grafana Foundation SDK', () => {
  it('come from the SDK the pipeline preloads, the same module set as the synchronous path', async () => {
    expect(await loadGrafanaSdk()).toBe(grafanaSdk());
    expect(typeof grafanaSdk().dashboard.DashboardBuilder).toBe('function');
  });

  it('refuse an SDK that writes another schema version than the pinned Grafana reads', () => {
    const real = grafanaSdk();
    class NewerDashboardBuilder extends real.dashboard.DashboardBuilder {
      override build() {
        return { ...super.build(), schemaVersion: grafanaSchemaVersion + 1 };
      }
    }
    const newer = { ...real, dashboard: { ...real.dashboard, DashboardBuilder: NewerDashboardBuilder } } as GrafanaSdk;
    expect(() => dashboardJson(newer, mlModelsDashboard(model), model.grafana)).toThrow(`schemaVersion ${grafanaSchemaVersion + 1}`);
    expect(dashboardJson(real, mlModelsDashboard(model), model.grafana).schemaVersion).toBe(grafanaSchemaVersion);
  });

  it("write no interval-variable fields on other variables (the SDK's variable defaults; Grafana 12.3's model has none)", () => {
    const variables = dashboards().flatMap((d) => d.templating.list as Json[]);
    expect(variables.map((v) => v.type)).toContain('datasource');
    expect(variables.map((v) => v.type)).toContain('query');
    for (const variable of variables) {
      for (const key of ['auto', 'auto_min', 'auto_count']) expect(variable, `${variable.name}: ${key}`).not.toHaveProperty(key);
    }
  });

  it("keep the link to mlmon's other dashboards in the header, not the SDK's default controls menu", () => {
    for (const dashboard of dashboards()) {
      expect(dashboard.links).toEqual([expect.objectContaining({ title: 'mlmon dashboards', type: 'dashboards', tags: ['mlmon'] })]);
      expect(dashboard.links[0]).not.toHaveProperty('placement');
    }
  });

  it('number panels and rows from 1 in grid order, with no id Grafana or the SDK would assign', () => {
    for (const dashboard of dashboards()) {
      expect(dashboard).not.toHaveProperty('id');
      expect(dashboard).not.toHaveProperty('version');
      expect((dashboard.panels as Json[]).map((p) => p.id)).toEqual((dashboard.panels as Json[]).map((_, i) => i + 1));
    }
  });
});

describe('the CLI and the Grafana Foundation SDK', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  type Meta = { commands: { outputs: Record<string, { inputs: Record<string, unknown>; imports: { path: string; kind: string }[]; entryPoint?: string }> } };
  const meta = (): Meta => JSON.parse(readFileSync(join(repoRoot, 'dist/cli-bundle/meta.json'), 'utf8')) as Meta;
  const isSdk = (input: string) => input.startsWith('node_modules/@grafana/grafana-foundation-sdk/');

  it('bundles the SDK into the commands that render, and not into the front that --help loads', () => {
    const outputs = meta().commands.outputs;
    const withSdk = Object.keys(outputs).filter((file) => Object.keys(outputs[file]!.inputs).some(isSdk)).sort();
    expect(withSdk).toEqual(expect.arrayContaining(['dist/cli-bundle/commands/diff.cjs', 'dist/cli-bundle/commands/generate.cjs', 'dist/cli-bundle/commands/validate.cjs']));
    expect(withSdk).not.toContain('dist/cli-bundle/commands/init.cjs');
    const front = JSON.parse(readFileSync(join(repoRoot, 'dist/cli-bundle/meta.json'), 'utf8')) as { front: { outputs: Record<string, { inputs: Record<string, unknown> }> } };
    expect(Object.values(front.front.outputs).flatMap((o) => Object.keys(o.inputs)).filter(isSdk)).toEqual([]);
  });

  it('leaves the v2 dashboard builders out of the bundle, and the CLI writes the dashboards the whole package writes', async () => {
    // scripts/bundle-cli.mjs trims the panel packages' indexes to their v1 builders.
    const bundled = Object.values(meta().commands.outputs).flatMap((o) => Object.keys(o.inputs)).filter(isSdk);
    expect(bundled.filter((input) => /\/dist\/dashboardv2|V2Builder/.test(input))).toEqual([]);
    expect(bundled.some((input) => input.includes('/dist/timeseries/panelBuilder.gen.js'))).toBe(true);
    const { dir, cleanup } = scratchDir('mlmon-sdk-');
    cleanups.push(cleanup);
    copyExampleTo(dir);
    const result = spawnSync(process.execPath, [join(repoRoot, 'bin/mlmon.js'), 'generate'], { cwd: dir, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const library = (await generateExample()).files.filter((f) => f.path.startsWith('grafana/dashboards/'));
    expect(library.length).toBeGreaterThan(3);
    for (const file of library) expect(readFileSync(join(dir, 'out', file.path), 'utf8'), file.path).toBe(file.content);
  });

  it('generate takes the SDK from its bundle, never from node_modules', () => {
    const { dir, cleanup } = scratchDir('mlmon-sdk-');
    cleanups.push(cleanup);
    copyExampleTo(dir);
    const result = spawnSync(process.execPath, ['--require', join(repoRoot, 'test/support/trace-requires.cjs'), join(repoRoot, 'bin/mlmon.js'), 'generate'], { cwd: dir, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`require ${join(repoRoot, 'dist/cli-bundle/commands/generate.cjs')}\n`);
    expect(result.stderr).not.toContain('/node_modules/@grafana/grafana-foundation-sdk/');
    expect(readFileSync(join(dir, 'out/grafana/dashboards/ml-models.json'), 'utf8')).toContain('"schemaVersion"');
  });
});
