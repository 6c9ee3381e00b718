/**
 * Environments end to end through the built `mlmon`, in scratch folders: generate writes out/<environment>/,
 * generate --check and diff work per environment and for all of them, a removed environment's files and an
 * older layout's are removed, bad input is reported (exit 1 or 2, never a stack trace), and validate runs each
 * environment's promtool and amtool proofs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../../src/config/types.js';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

// The CLI runs the compiled dist/, as a user's install does (built once by test/support/global-setup.ts).
const bin = join(repoRoot, 'bin/mlmon.js');
const base = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/diff/unchanged/before.json'), 'utf8')) as MonitoringConfig;
const environments = {
  staging: {
    alerting: { receivers: { 'pagerduty-critical': null, 'staging-sink': { webhook: [{ url: 'http://sink.staging:8080/' }] } }, routes: [{ match: { severity: 'critical' }, receiver: 'staging-sink' }] },
    models: { 'fraud-detector': { thresholds: { minAccuracy: 0.8 } } },
  },
  production: {},
};

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function mlmon(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function project(config: unknown): string {
  const { dir, cleanup } = scratchDir('mlmon-env-cli-');
  cleanups.push(cleanup);
  setConfig(dir, config);
  return dir;
}

const setConfig = (dir: string, config: unknown) => writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(config));
const manifestPaths = (dir: string) => Object.keys((JSON.parse(readFileSync(join(dir, 'out/.mlmon-manifest.json'), 'utf8')) as { files: object }).files);
const withStagingAccuracy = (minAccuracy: number) => ({ ...base, environments: { ...environments, staging: { ...environments.staging, models: { 'fraud-detector': { thresholds: { minAccuracy } } } } } });

describe('mlmon generate with environments', () => {
  it('writes each environment into out/<environment>/ with one manifest, and nothing at the top of out/', () => {
    const dir = project({ ...base, environments });
    const run = mlmon(['generate'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^✓ generated \d+ files in out /);
    for (const environment of ['staging', 'production']) {
      expect(readFileSync(join(dir, `out/${environment}/prometheus/prometheus.yml`), 'utf8')).toContain(`environment: ${environment}`);
    }
    expect(existsSync(join(dir, 'out/prometheus'))).toBe(false);
    expect(existsSync(join(dir, 'out/staging/.mlmon-manifest.json'))).toBe(false);
    const paths = manifestPaths(dir);
    expect(paths.every((p) => p.startsWith('production/') || p.startsWith('staging/'))).toBe(true);
    expect(paths).toEqual([...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(mlmon(['generate', '--check'], dir).code).toBe(0);
    expect(mlmon(['generate', '--check', '--environment', 'staging'], dir).stdout).toBe('✓ out/staging is up to date with monitoring.config.json\n');
  });

  it('--check finds a change of one environment from it and from all, and not from the other one', () => {
    const dir = project({ ...base, environments });
    expect(mlmon(['generate'], dir).code).toBe(0);
    setConfig(dir, withStagingAccuracy(0.75));
    expect(mlmon(['generate', '--check', '-e', 'production'], dir).code).toBe(0);
    const staging = mlmon(['generate', '--check', '-e', 'staging'], dir);
    expect(staging.code).toBe(1);
    expect(staging.stderr).toContain('✗ out/staging is stale');
    expect(staging.stderr).toContain('    changed prometheus/rules/thresholds.yml\n');
    const all = mlmon(['generate', '--check'], dir);
    expect(all.code).toBe(1);
    expect(all.stderr).toContain('    changed staging/prometheus/rules/thresholds.yml\n');
    expect(all.stderr).not.toContain('production/');
  });

  it('generate -e writes only that environment, and leaves out/ as generating all would', () => {
    const dir = project({ ...base, environments });
    expect(mlmon(['generate'], dir).code).toBe(0);
    const production = readFileSync(join(dir, 'out/production/prometheus/rules/thresholds.yml'), 'utf8');
    setConfig(dir, { ...withStagingAccuracy(0.75), environments: { ...withStagingAccuracy(0.75).environments, production: { models: { 'fraud-detector': { thresholds: { minAccuracy: 0.99 } } } } } });
    const run = mlmon(['generate', '-e', 'staging'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^✓ generated \d+ files in out\/staging \(\d+ written/);
    expect(readFileSync(join(dir, 'out/staging/prometheus/rules/thresholds.yml'), 'utf8')).toContain('0.75');
    expect(readFileSync(join(dir, 'out/production/prometheus/rules/thresholds.yml'), 'utf8')).toBe(production);
    expect(mlmon(['generate', '--check', '-e', 'staging'], dir).code).toBe(0);
    expect(mlmon(['generate', '--check', '-e', 'production'], dir).code).toBe(1);
    // Generating the rest now leaves nothing stale, the manifest included.
    expect(mlmon(['generate', '-e', 'production'], dir).code).toBe(0);
    const manifest = readFileSync(join(dir, 'out/.mlmon-manifest.json'), 'utf8');
    expect(mlmon(['generate', '--check'], dir).code).toBe(0);
    expect(mlmon(['generate'], dir).stdout).toMatch(/\(0 written, \d+ unchanged\)/);
    expect(readFileSync(join(dir, 'out/.mlmon-manifest.json'), 'utf8')).toBe(manifest);
  });

  it('removes the files of an environment dropped from the config, and of the layout before environments', () => {
    const dir = project(base);
    expect(mlmon(['generate'], dir).code).toBe(0);
    expect(existsSync(join(dir, 'out/prometheus/prometheus.yml'))).toBe(true);
    setConfig(dir, { ...base, environments });
    const check = mlmon(['generate', '--check'], dir);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('    extra prometheus/prometheus.yml\n');
    expect(mlmon(['generate'], dir).code).toBe(0);
    expect(existsSync(join(dir, 'out/prometheus'))).toBe(false);

    setConfig(dir, { ...base, environments: { staging: environments.staging } });
    const diff = mlmon(['diff'], dir);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('✓ out/staging is up to date');
    expect(diff.stdout).toContain('production/prometheus/prometheus.yml removed');
    expect(mlmon(['generate'], dir).code).toBe(0);
    expect(existsSync(join(dir, 'out/production'))).toBe(false);
    expect(mlmon(['generate', '--check'], dir).code).toBe(0);
  });
});

describe('mlmon diff with environments', () => {
  it('describes one environment with --environment, all of them without, as text and as JSON', () => {
    const dir = project({ ...base, environments });
    expect(mlmon(['generate'], dir).code).toBe(0);
    setConfig(dir, withStagingAccuracy(0.7));
    const staging = mlmon(['diff', '-e', 'staging', '--format', 'json', '--exit-code'], dir);
    expect(staging.code).toBe(1);
    const report = JSON.parse(staging.stdout) as { different: boolean; environments: { environment: string; before: string; different: boolean; summary: { artifact: string; changes: { text: string }[] }[] }[] };
    expect(report.different).toBe(true);
    expect(report.environments.map((e) => [e.environment, e.before, e.different])).toEqual([['staging', 'out/staging', true]]);
    expect(report.environments[0]!.summary.find((s) => s.artifact === 'alert-rules')?.changes.map((c) => c.text)).toContain('ModelAccuracyDrop threshold for model fraud-detector: 0.8 → 0.7');

    expect(mlmon(['diff', '-e', 'production', '--exit-code'], dir)).toMatchObject({ code: 0, stdout: '✓ out/production is up to date with monitoring.config.json\n' });
    const all = mlmon(['diff', '--exit-code'], dir);
    expect(all.code).toBe(1);
    expect(all.stdout).toContain('✓ out/production is up to date with monitoring.config.json\n');
    expect(all.stdout).toContain('out/staging → monitoring.config.json: ');
    expect(all.stdout).toContain('--- a/prometheus/rules/thresholds.yml\tout/staging\n');
  });

  it('compares one environment with out/ as committed at a git ref', () => {
    const dir = project({ ...base, environments });
    expect(mlmon(['generate'], dir).code).toBe(0);
    const git = (...args: string[]) => expect(spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir }).status).toBe(0);
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'generated');
    setConfig(dir, withStagingAccuracy(0.7));
    const run = mlmon(['diff', '--git', 'HEAD', '-e', 'staging', '--format', 'json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { environments: { environment: string; before: string; different: boolean; files: { path: string }[] }[] };
    expect(report.environments.map((e) => [e.environment, e.before, e.different])).toEqual([['staging', 'out/staging at HEAD', true]]);
    expect(report.environments[0]!.files.map((f) => f.path)).toContain('prometheus/rules/thresholds.yml');
  });
});

describe('bad input with environments', () => {
  it('an unknown --environment: exit 2 with a did-you-mean; --environment without environments: exit 2', () => {
    const dir = project({ ...base, environments });
    for (const command of [['generate'], ['generate', '--check'], ['diff'], ['validate', '--skip-external']]) {
      const run = mlmon([...command, '--environment', 'stagign'], dir);
      expect(run.code, command.join(' ')).toBe(2);
      expect(run.stderr).toBe('error: --environment stagign: no such environment; the config has production, staging\nhint: did you mean "staging"?\n');
    }
    const plain = project(base);
    expect(mlmon(['generate', '-e', 'staging'], plain)).toMatchObject({ code: 2, stderr: expect.stringContaining('the config has no environments') });
  });

  it('a problem in an overlay: exit 1, at its environments path, with a did-you-mean, and nothing written', () => {
    const dir = project({ ...base, environments: { ...environments, staging: { alerting: { recievers: {} } } } });
    const run = mlmon(['generate'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('environments.staging.alerting.recievers');
    expect(run.stderr).toContain('did you mean "receivers"?');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const validate = mlmon(['validate', '--skip-external', '--format', 'json'], dir);
    expect(validate.code).toBe(1);
    expect((JSON.parse(validate.stdout) as { problems: { path?: string }[] }).problems.map((p) => p.path)).toContain('environments.staging.alerting.recievers');
  });
});

describe('mlmon validate with environments', () => {
  it("runs each environment's checks, promtool's and amtool's proofs included, under its folder", () => {
    const dir = project({ ...base, environments });
    const run = mlmon(['validate', '--environment', 'staging', '--format', 'json'], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: { id: string; artifact: string; status: string; detail?: string }[] };
    expect(report.ok).toBe(true);
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    expect(byId.get('promtool/test-rules')).toMatchObject({ artifact: 'staging/prometheus/tests', status: 'passed' });
    expect(byId.get('amtool/routes')).toMatchObject({ artifact: 'staging/alertmanager/routing-tests.yml', status: 'passed' });
    expect(byId.get('config')).toMatchObject({ artifact: 'config (environment staging)', status: 'passed' });
    expect(report.checks.every((c) => c.artifact.startsWith('staging/') || c.artifact === 'config (environment staging)')).toBe(true);
  }, 300_000);

  it('with --skip-external, checks every environment, each under its own folder', () => {
    const dir = project({ ...base, environments });
    const run = mlmon(['validate', '--skip-external', '--format', 'json'], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { checks: { id: string; artifact: string }[] };
    expect(report.checks.filter((c) => c.id === 'inhibit/rules').map((c) => c.artifact)).toEqual(['production/alertmanager/alertmanager.yml', 'staging/alertmanager/alertmanager.yml']);
  });
});
