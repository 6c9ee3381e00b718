/** `mlmon import openslo`, the built binary on the OpenSLO files of test/fixtures/openslo/. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkConfigShape } from '../../src/config/schema.js';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const bin = join(repoRoot, 'bin/mlmon.js');
const fixtures = join(repoRoot, 'test/fixtures/openslo');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function mlmon(args: string[], cwd = fixtures) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A config the fragment merges into: the service and the model the fixtures' SLOs land on. */
function mergedConfig(fragment: { services?: Record<string, object>; models?: Record<string, object> }) {
  const config = {
    services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } } } as Record<string, object>,
    models: { 'fraud-detector': { service: 'model-api' } } as Record<string, object>,
    alerting: { receivers: { default: { email: [{ to: 'ops@example.com' }] } } },
  };
  for (const [name, service] of Object.entries(fragment.services ?? {})) config.services[name] = { ...config.services[name], ...service };
  for (const [name, model] of Object.entries(fragment.models ?? {})) config.models[name] = { ...config.models[name], ...model };
  return config;
}

const stackFrame = /^\s+at .*:\d+:\d+\)?$/m;

describe('mlmon import openslo', () => {
  it('prints the TypeScript fragment of services and models, exits 0, and warns on stderr about each field it drops', () => {
    const result = mlmon(['import', 'openslo', 'checkout.yaml', 'fraud-detector.yaml']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\/\/ SLOs imported by `mlmon import openslo` from checkout\.yaml, fraud-detector\.yaml\.\n/);
    expect(result.stdout).toContain("errors: 'sum by (service) (rate(http_requests_total{service=\"model-api\",status=~\"5..|429\"}[{{window}}]))',");
    for (const dropped of ['spec.alertPolicies', 'metadata.labels', 'spec.description', 'spec.ratioMetric.bad.metricSource.metricSourceRef']) {
      expect(result.stderr).toMatch(new RegExp(`! ${dropped.replace(/\./g, '\\.')} is not imported: .* \\[openslo/dropped\\]`));
    }
    expect(result.stderr).toMatch(/spec\.alertPolicies is not imported: mlmon alerts by burn-rate tiers, see tiers/);
    expect(result.stderr).not.toMatch(/✗/);

    // The TypeScript literal is the same object as the JSON output.
    const json = mlmon(['import', 'openslo', '--format', 'json', 'checkout.yaml', 'fraud-detector.yaml']);
    expect(json.code).toBe(0);
    const literal = result.stdout.replace(/^\/\/.*\n/gm, '').replace(/^export default /, 'return ');
    expect(new Function(literal)()).toEqual(JSON.parse(json.stdout));
  });

  it('writes --out atomically, and the fragment merged into a config passes mlmon\'s schema', async () => {
    const { dir, cleanup } = scratchDir('mlmon-openslo-');
    cleanups.push(cleanup);
    const out = join(dir, 'slos.json');
    // JSON because the file's name ends in .json.
    const result = mlmon(['import', 'openslo', '--out', out, 'checkout.yaml', 'fraud-detector.yaml']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`✓ wrote 4 SLOs to ${out}\n`);
    const fragment = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(fragment.services['model-api'].slos)).toEqual(['availability', 'fast-predictions-most', 'fast-predictions-nearly-all']);
    expect(fragment.services['model-api'].slos['fast-predictions-most']).toEqual({ indicator: { kind: 'latency', thresholdSeconds: 0.25 }, objective: 99, window: '7d' });
    expect(fragment.models['fraud-detector'].slos.confident).toEqual({
      indicator: {
        kind: 'ratio',
        errors: '(sum by (model) (rate(prediction_confidence_count{model="fraud-detector"}[{{window}}]))) - (sum by (model) (rate(prediction_confidence_bucket{model="fraud-detector",le="0.9"}[{{window}}])))',
        total: 'sum by (model) (rate(prediction_confidence_count{model="fraud-detector"}[{{window}}]))',
      },
      objective: 95,
      window: '30d',
    });
    expect(await checkConfigShape(mergedConfig(fragment))).toEqual([]);
    // And the schema does judge the SLOs: an objective out of range fails it.
    fragment.services['model-api'].slos.availability.objective = 100;
    expect((await checkConfigShape(mergedConfig(fragment))).map((p) => p.path)).toEqual(['services.model-api.slos.availability.objective']);
    // Twice, the same bytes.
    mlmon(['import', 'openslo', '--format', 'json', '--out', out, 'checkout.yaml', 'fraud-detector.yaml']);
    expect(readFileSync(out, 'utf8')).toBe(mlmon(['import', 'openslo', '--format', 'json', 'checkout.yaml', 'fraud-detector.yaml']).stdout);
  });

  it('exits 1 with every problem of an SLO it cannot represent, writes nothing, and shows no stack trace', () => {
    const { dir, cleanup } = scratchDir('mlmon-openslo-');
    cleanups.push(cleanup);
    const out = join(dir, 'slos.ts');
    const result = mlmon(['import', 'openslo', '--out', out, 'timeslices.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(result.stderr).toMatch(/✗ Timeslices budgeting counts good time slices.* \[openslo\/unsupported\]\n {4}at: spec\.budgetingMethod\n {4}in: timeslices\.yaml:29 \(SLO search-latency, document 1\)\n {4}value: "Timeslices"\n {4}allowed: Occurrences/);
    expect(result.stderr).toMatch(/✗ a calendar-aligned window.*\n {4}at: spec\.timeWindow\[0\]\.calendar\n {4}in: timeslices\.yaml:26 /);
    expect(result.stderr).toMatch(/✗ a Datadog metric source.*\n {4}at: spec\.indicator\.spec\.ratioMetric\.good\.metricSource\.type/);
    expect(result.stderr).toMatch(/4 problems in timeslices\.yaml; nothing was written\.\n$/);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.stderr).not.toMatch(stackFrame);
  });

  it('exits 2 when a file cannot be read', () => {
    const result = mlmon(['import', 'openslo', 'missing.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: could not read missing.yaml: ENOENT\n');
  });
});
