/**
 * `mlmon validate` judges out/operator for the prometheus-operator target: kubeconform -strict on every object
 * against the operator's CRD schemas and Kubernetes' own (check `kubeconform/operator-objects`), and amtool on
 * operator/routing-tests.yml against the configuration the operator renders from the AlertmanagerConfig (check
 * `amtool/operator-routes`). The example passes switched to each routing shape; objects with an unknown field or
 * a wrong type, an expectation the operator's routing would not meet, and an object that would route elsewhere each
 * fail the right check, naming the object and the field or case. A standalone stack passes both without kubeconform.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkRegistry, undeclaredProblemIds } from '../../src/check/registry.js';
import { hasErrors, problemsOf, type ValidationReport } from '../../src/check/report.js';
import { runChecks } from '../../src/check/run-checks.js';
import type { DeployConfig } from '../../src/config/deploy-types.js';
import { generateInMemory, type Generated } from '../../src/pipeline.js';
import type { RenderedFile } from '../../src/render/artifact.js';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot, tool, upstreamToolsDir } from '../support/tools.js';

let tools: { promtool: string; amtool: string; kubeconform: string; timeoutMs: number };
const scratches: (() => void)[] = [];
afterAll(() => scratches.splice(0).forEach((cleanup) => cleanup()));

/** A scratch folder holding the repo's example config with `deploy` set. */
function exampleFolder(deploy: DeployConfig): string {
  const scratch = scratchDir('mlmon-operator-validate-');
  scratches.push(scratch.cleanup);
  const example = readFileSync(join(repoRoot, 'monitoring.config.ts'), 'utf8');
  const opening = 'export default defineConfig({\n';
  expect(example).toContain(opening);
  writeFileSync(join(scratch.dir, 'monitoring.config.ts'), example.replace(opening, `${opening}  deploy: ${JSON.stringify(deploy)},\n`));
  return scratch.dir;
}

/** The example with `deploy` set, through the in-memory pipeline (what validate checks). */
function exampleAs(deploy: DeployConfig): Promise<Generated> {
  return generateInMemory({ cwd: exampleFolder(deploy) });
}

const operatorChecks = checkRegistry.filter((c) => c.id === 'kubeconform/operator-objects' || c.id === 'amtool/operator-routes');
const byId = (report: ValidationReport) => Object.fromEntries(report.checks.map((c) => [c.id, c]));

/** `generated` with `path`'s content edited: a rendering bug, or a hand edit, that the check must catch. */
function edited(generated: Generated, path: string, edit: (content: string) => string): Generated {
  const files = generated.files.map((f): RenderedFile => {
    if (f.path !== path) return f;
    const content = edit(f.content);
    expect(content, `the edit of ${path} changed nothing`).not.toBe(f.content);
    return { ...f, content };
  });
  return { ...generated, files };
}

let secretShape: Generated;
let configShape: Generated;
beforeAll(async () => {
  tools = { promtool: tool('promtool'), amtool: tool('amtool'), kubeconform: join(upstreamToolsDir(), 'kubeconform'), timeoutMs: 60_000 };
  secretShape = await exampleAs({ target: 'prometheus-operator', prometheusOperator: { routing: 'config-secret' } });
  configShape = await exampleAs({ target: 'prometheus-operator', prometheusOperator: { routing: 'alertmanager-config' } });
}, 120_000);

describe('validate on the example switched to the prometheus-operator target', () => {
  // Every check but promtool/test-rules: the rule proofs are the same files for every deploy target, and
  // validate.test.ts runs them on the example; here they would only add minutes of promtool.
  const registry = checkRegistry.filter((c) => c.id !== 'promtool/test-rules');

  it('passes with routing in a configSecret: every operator object valid by kubeconform, routing left to amtool/routes', async () => {
    const report = await runChecks(secretShape, { skipExternal: false, tools }, registry);
    expect(problemsOf(report)).toEqual([]);
    expect(report.checks.filter((c) => c.status !== 'passed').map((c) => c.id)).toEqual([]);
    const checks = byId(report);
    expect(checks['kubeconform/operator-objects']).toMatchObject({ status: 'passed', tool: 'kubeconform 0.8.0' });
    // PrometheusRules, PodMonitors, the Secret and the dashboard ConfigMaps.
    expect(Number(/^(\d+) objects valid$/.exec(checks['kubeconform/operator-objects']!.detail ?? '')?.[1])).toBeGreaterThan(8);
    expect(checks['amtool/operator-routes']!.detail).toBe('routing is config-secret: its alertmanager.yml is tested by amtool/routes');
  }, 300_000);

  it('passes with routing as an AlertmanagerConfig: the objects valid, and every routing case met by the operator\'s rendering', async () => {
    const report = await runChecks(configShape, { skipExternal: false, tools }, registry);
    expect(problemsOf(report)).toEqual([]);
    expect(report.checks.filter((c) => c.status !== 'passed').map((c) => c.id)).toEqual([]);
    const checks = byId(report);
    expect(checks['kubeconform/operator-objects']!.detail).toMatch(/^\d+ objects valid$/);
    const routes = /^routes (\d+)\/(\d+) passed$/.exec(checks['amtool/operator-routes']!.detail ?? '');
    expect(routes?.[1]).toBe(routes?.[2]);
    // As many cases as the standalone routing tests: all of them were run.
    expect(Number(routes?.[1])).toBe(parse(configShape.files.find((f) => f.path === 'alertmanager/routing-tests.yml')!.content).cases.length);
    expect(checks['amtool/operator-routes']!.tool).toBe('amtool 0.35.0');
  }, 300_000);

  it('passes under the Alertmanager-namespace matcher strategy too, with the object in the Alertmanager\'s namespace', async () => {
    const generated = await exampleAs({ target: 'prometheus-operator', prometheusOperator: { routing: 'alertmanager-config', alertmanagerConfigMatcherStrategy: 'OnNamespaceExceptForAlertmanagerNamespace' } });
    const report = await runChecks(generated, { skipExternal: false, tools }, operatorChecks);
    expect(problemsOf(report)).toEqual([]);
    expect(byId(report)['amtool/operator-routes']!.detail).toMatch(/^routes (\d+)\/\1 passed$/);
  }, 120_000);
});

describe('mlmon validate, the command', () => {
  it('exits 0 on the example with AlertmanagerConfig routing, every check passed, the operator checks among them with their tools', () => {
    const cwd = exampleFolder({ target: 'prometheus-operator', prometheusOperator: { routing: 'alertmanager-config' } });
    const run = spawnSync(process.execPath, [join(repoRoot, 'bin/mlmon.js'), 'validate', '--format', 'json', '--kubeconform', tools.kubeconform, '--promtool', tools.promtool, '--amtool', tools.amtool],
      { cwd, encoding: 'utf8', timeout: 600_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: { id: string; status: string; tool?: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.status !== 'passed')).toEqual([]);
    expect(report.checks.filter((c) => c.id.includes('operator')).map((c) => [c.id, c.tool])).toEqual([
      ['kubeconform/operator-objects', 'kubeconform 0.8.0'], ['amtool/operator-routes', 'amtool 0.35.0'],
    ]);
  }, 600_000);
});

describe('validate fails on broken operator objects, naming the object and the field (kubeconform/operator-objects)', () => {
  const cases: [string, string, (c: string) => string, { object: string; message: RegExp }][] = [
    ['an unknown field in a PodMonitor', 'operator/scrape-targets.yaml', (c) => c.replace('  selector: {}', '  selector: {}\n  scrapeEverything: true'),
      { object: 'PodMonitor/mlmon-model-api', message: /^spec\.scrapeEverything is not a field of PodMonitor/ }],
    ['an unknown field (a camel-case slip) in an AlertmanagerConfig receiver', 'operator/alertmanager-config.yaml', (c) => c.replace('requireTLS: true', 'requireTls: true'),
      { object: 'AlertmanagerConfig/mlmon', message: /^spec\.receivers\[0\]\.emailConfigs\[0\]\.requireTls is not a field of AlertmanagerConfig/ }],
    ['a wrong type in a PrometheusRule group', 'operator/prometheus-rules.yaml', (c) => c.replace(/interval: (\S+)/, 'interval: [$1]'),
      { object: 'PrometheusRule/mlmon-thresholds-1', message: /^spec\.groups\[0\]\.interval: got array, want string/ }],
    ['a kind neither schema has', 'operator/grafana-dashboards.yaml', (c) => c.replace('kind: ConfigMap', 'kind: ConfigMapp'),
      { object: 'ConfigMapp/', message: /could not find schema for ConfigMapp/ }],
  ];
  for (const [name, path, edit, want] of cases) {
    it(`reports ${name}`, async () => {
      const report = await runChecks(edited(configShape, path, edit), { skipExternal: false, tools }, operatorChecks);
      expect(hasErrors(report)).toBe(true);
      const checks = byId(report);
      expect(checks['kubeconform/operator-objects']!.status).toBe('failed');
      expect(checks['amtool/operator-routes']!.status).toBe('passed');
      const problems = problemsOf(report);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => p.id === 'kubeconform/operator-objects' && p.artifact === path)).toBe(true);
      expect(problems).toContainEqual(expect.objectContaining({ object: expect.stringContaining(want.object), message: expect.stringMatching(want.message) }));
      expect(undeclaredProblemIds(report)).toEqual([]);
    }, 60_000);
  }
});

describe('validate fails when the operator\'s routing would not meet operator/routing-tests.yml (amtool/operator-routes)', () => {
  const routingCases = () => parse(configShape.files.find((f) => f.path === 'operator/routing-tests.yml')!.content).cases as { name: string; receivers: string[] }[];

  it('reports every case whose expectation names the receivers as alertmanager.yml does, not as the operator renames them', async () => {
    const broken = edited(configShape, 'operator/routing-tests.yml', (c) => c.replaceAll('monitoring/mlmon/', ''));
    const report = await runChecks(broken, { skipExternal: false, tools }, operatorChecks);
    expect(hasErrors(report)).toBe(true);
    expect(byId(report)['amtool/operator-routes']!.status).toBe('failed');
    expect(byId(report)['kubeconform/operator-objects']!.status).toBe('passed');
    const problems = problemsOf(report);
    expect(problems.every((p) => p.id === 'amtool/operator-routes' && p.artifact === 'operator/routing-tests.yml')).toBe(true);
    expect(problems.map((p) => p.object).sort()).toEqual(routingCases().map((c) => c.name).sort());
  }, 120_000);

  it('reports the cases an AlertmanagerConfig route with a wrong matcher sends elsewhere, and only those', async () => {
    const broken = edited(configShape, 'operator/alertmanager-config.yaml', (c) => c.replace('value: warning', 'value: warn'));
    const report = await runChecks(broken, { skipExternal: false, tools }, operatorChecks);
    expect(byId(report)['amtool/operator-routes']!.status).toBe('failed');
    const failed = problemsOf(report).map((p) => p.object).sort();
    const warnings = routingCases().filter((c) => c.receivers.includes('monitoring/mlmon/slack-warnings')).map((c) => c.name).sort();
    expect(warnings.length).toBeGreaterThan(3);
    expect(failed).toEqual(warnings);
    expect(problemsOf(report)[0]!.message).toMatch(/should reach \[monitoring\/mlmon\/slack-warnings\]/);
  }, 120_000);
});

describe('a standalone stack', () => {
  it('passes both operator checks as not the operator target, without looking for kubeconform, with or without --skip-external', async () => {
    const standalone = await generateInMemory({ cwd: repoRoot });
    const noKubeconform = { ...tools, kubeconform: '/nonexistent/kubeconform' };
    for (const skipExternal of [false, true]) {
      const report = await runChecks(standalone, { skipExternal, tools: noKubeconform }, operatorChecks);
      expect(report.checks.map((c) => [c.id, c.status, c.detail, c.problems.length])).toEqual([
        ['kubeconform/operator-objects', 'passed', 'not the operator target', 0],
        ['amtool/operator-routes', 'passed', 'not the operator target', 0],
      ]);
    }
  }, 60_000);

  it('fails the kubeconform check with tools/missing when the operator target has no kubeconform', async () => {
    const report = await runChecks(configShape, { skipExternal: false, tools: { ...tools, kubeconform: '/nonexistent/kubeconform' } }, operatorChecks.filter((c) => c.id === 'kubeconform/operator-objects'));
    expect(problemsOf(report)).toEqual([expect.objectContaining({ id: 'tools/missing', artifact: 'operator', message: expect.stringContaining('kubeconform was not found') })]);
  }, 60_000);
});
