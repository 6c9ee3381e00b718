/**
 * Output of a config with environments (src/pipeline.ts generateStacks, src/output/environments.ts): one stack
 * per environment with its own external label and inhibitions, out/ seen per environment folder, and a config
 * without environments rendered exactly as before.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { MonitoringConfig } from '../../src/config/types.js';
import { compareOutput, staleFiles } from '../../src/output/compare.js';
import { filesUnderFolders, manifestWithEnvironment, outsideSnapshot, scopeSnapshot } from '../../src/output/environments.js';
import { buildManifest, manifestName, parseManifest } from '../../src/output/manifest.js';
import type { OutputSnapshot } from '../../src/output/read-output.js';
import { readOutputDir } from '../../src/output/read-output.js';
import { generateStacks, generateInMemory, type GeneratedStacks } from '../../src/pipeline.js';
import { CouldNotRun, ProblemsFound } from '../../src/problems.js';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const base = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/diff/unchanged/before.json'), 'utf8')) as MonitoringConfig;
const environments = {
  staging: {
    alerting: { receivers: { 'pagerduty-critical': null, 'staging-sink': { webhook: [{ url: 'http://sink.staging:8080/' }] } }, routes: [{ match: { severity: 'critical' }, receiver: 'staging-sink' }] },
    models: { 'image-classifier': null, 'fraud-detector': { thresholds: { minAccuracy: 0.7 } } },
  },
  production: { prometheus: { alertmanagers: ['alertmanager.prod:9093'] } },
};

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function generate(config: unknown, environment?: string): Promise<GeneratedStacks> {
  const { dir, cleanup } = scratchDir('mlmon-env-out-');
  cleanups.push(cleanup);
  writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(config));
  return generateStacks({ cwd: dir, environment });
}

const fileOf = (stacks: GeneratedStacks, environment: string | undefined, path: string) => {
  const content = stacks.stacks.find((s) => s.environment === environment)?.generated.files.find((f) => f.path === path)?.content;
  if (content === undefined) throw new Error(`no ${path} for ${environment}`);
  return content;
};
const yamlOf = (stacks: GeneratedStacks, environment: string | undefined, path: string) => parseYaml(fileOf(stacks, environment, path)) as Record<string, any>;

function snapshotOf(files: readonly { path: string; content: string }[], manifest?: { path: string; content: string }): OutputSnapshot {
  return { label: 'out', files: new Map(files.map((f) => [f.path, f.content])), manifest: manifest && parseManifest(manifest.content), manifestText: manifest?.content, exists: true };
}

describe('a config without environments', () => {
  it('renders exactly as before: one stack, and out/ as committed is up to date with it', async () => {
    const { stacks } = await generateStacks({ cwd: repoRoot });
    expect(stacks.map((s) => s.environment)).toEqual([undefined]);
    const comparison = compareOutput(readOutputDir(join(repoRoot, 'out'), 'out'), stacks[0]!.generated.files);
    expect(staleFiles(comparison)).toEqual([]);
    expect(comparison.upToDate).toBe(true);
  });

  it('keeps the default inhibit rules equal on cluster and the thing, without environment', async () => {
    const stacks = await generate(base);
    expect(yamlOf(stacks, undefined, 'alertmanager/alertmanager.yml').inhibit_rules.map((r: { equal: string[] }) => r.equal)).toEqual([['cluster', 'model'], ['cluster', 'service'], ['cluster', 'instance', 'job']]);
  });
});

describe('a config with environments', () => {
  it('renders one stack per environment, in name order, each the merged config', async () => {
    const stacks = await generate({ ...base, environments });
    expect(stacks.stacks.map((s) => s.environment)).toEqual(['production', 'staging']);
    const staging = yamlOf(stacks, 'staging', 'alertmanager/alertmanager.yml');
    const production = yamlOf(stacks, 'production', 'alertmanager/alertmanager.yml');
    expect(staging.receivers.map((r: { name: string }) => r.name)).toContain('staging-sink');
    expect(staging.receivers.map((r: { name: string }) => r.name)).not.toContain('pagerduty-critical');
    expect(production.receivers.map((r: { name: string }) => r.name)).toContain('pagerduty-critical');
    expect(production.receivers.map((r: { name: string }) => r.name)).not.toContain('staging-sink');
    expect(fileOf(stacks, 'staging', 'prometheus/rules/thresholds.yml')).not.toContain('image-classifier');
    expect(fileOf(stacks, 'production', 'prometheus/rules/thresholds.yml')).toContain('image-classifier');
  });

  it('gives each environment its own environment external label, and its own Alertmanagers', async () => {
    const stacks = await generate({ ...base, environments });
    expect(yamlOf(stacks, 'staging', 'prometheus/prometheus.yml').global.external_labels).toEqual({ cluster: 'ml-cluster', environment: 'staging' });
    expect(yamlOf(stacks, 'production', 'prometheus/prometheus.yml').global.external_labels).toEqual({ cluster: 'ml-cluster', environment: 'production' });
    expect(JSON.stringify(yamlOf(stacks, 'production', 'prometheus/prometheus.yml').alerting)).toContain('alertmanager.prod:9093');
    expect(JSON.stringify(yamlOf(stacks, 'staging', 'prometheus/prometheus.yml').alerting)).toContain('alertmanager:9093');
  });

  it('keeps inhibitions within an environment: the default rules also require the same environment', async () => {
    const stacks = await generate({ ...base, environments: { staging: {}, production: {} } });
    for (const environment of ['staging', 'production']) {
      const rules = yamlOf(stacks, environment, 'alertmanager/alertmanager.yml').inhibit_rules as { equal: string[] }[];
      expect(rules.map((r) => r.equal)).toEqual([['cluster', 'environment', 'model'], ['cluster', 'environment', 'service'], ['cluster', 'environment', 'instance', 'job']]);
    }
  });

  it('keeps the GPU and revision inhibitions within an environment too (the GPU rule lacked `environment`)', async () => {
    const stacks = await generate({
      ...base,
      infrastructure: { ...base.infrastructure, gpus: { dcgm: { targets: ['dcgm-exporter:9400'] } } },
      services: { ...base.services, 'kserve-api': { discovery: { staticTargets: ['kserve-api:8080'] }, integration: { kserve: { version: '0.14' } } } },
      environments: { staging: {}, production: {} },
    });
    for (const environment of ['staging', 'production']) {
      const rules = yamlOf(stacks, environment, 'alertmanager/alertmanager.yml').inhibit_rules as { equal: string[] }[];
      expect(rules.map((r) => r.equal)).toContainEqual(['cluster', 'environment', 'instance', 'gpu']);
      expect(rules.map((r) => r.equal)).toContainEqual(['cluster', 'environment', 'service', 'revision_name']);
      for (const rule of rules) expect(rule.equal, JSON.stringify(rule)).toContain('environment');
    }
  });

  it('gives each environment its own proofs: the routing tests follow its own routes', async () => {
    const stacks = await generate({ ...base, environments });
    const receiversTested = (environment: string) => new Set([...fileOf(stacks, environment, 'alertmanager/routing-tests.yml').matchAll(/receivers:\n((?:\s+- .*\n)+)/g)].flatMap((m) => m[1]!.split('\n').map((l) => l.trim().replace(/^- /, '')).filter(Boolean)));
    expect(receiversTested('staging')).toContain('staging-sink');
    expect(receiversTested('staging')).not.toContain('pagerduty-critical');
    expect(receiversTested('production')).toContain('pagerduty-critical');
  });

  it("refuses a file only one environment's template override breaks, naming the file under that environment", async () => {
    const { dir, cleanup } = scratchDir('mlmon-env-out-');
    cleanups.push(cleanup);
    mkdirSync(join(dir, 'broken/prometheus'), { recursive: true });
    writeFileSync(join(dir, 'broken/prometheus/prometheus.yml.hbs'), 'global: [unclosed\n');
    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify({ ...base, environments: { staging: { templatesDir: 'broken' }, production: {} } }));
    const error = await generateStacks({ cwd: dir }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemsFound);
    expect((error as ProblemsFound).problems.filter((p) => p.severity === 'error')).toEqual([
      expect.objectContaining({ id: 'render/invalid-output', artifact: 'staging/prometheus/prometheus.yml', message: expect.stringMatching(/^environment staging: /) }),
    ]);
  });

  it('renders only the environment asked for, and generateInMemory needs one named', async () => {
    const only = await generate({ ...base, environments }, 'staging');
    expect(only.stacks.map((s) => s.environment)).toEqual(['staging']);
    const { dir, cleanup } = scratchDir('mlmon-env-out-');
    cleanups.push(cleanup);
    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify({ ...base, environments }));
    await expect(generateInMemory({ cwd: dir })).rejects.toBeInstanceOf(CouldNotRun);
    expect((await generateInMemory({ cwd: dir, environment: 'production' })).model.environment).toBe('production');
  });
});

describe('out/ seen per environment', () => {
  const staging = [{ path: 'a.yml', content: 'a' }, { path: 'b/c.yml', content: 'c' }];
  const production = [{ path: 'a.yml', content: 'A' }];
  const all = filesUnderFolders([{ environment: 'staging', files: staging }, { environment: 'production', files: production }, { environment: 'prod-eu', files: production }]);

  it('puts each environment under its folder, in code-unit order of the paths (prod-eu/ before prod/... before staging/)', () => {
    expect(all.map((f) => f.path)).toEqual(['prod-eu/a.yml', 'production/a.yml', 'staging/a.yml', 'staging/b/c.yml']);
    expect(filesUnderFolders([{ environment: undefined, files: staging }])).toBe(staging);
  });

  it('an up-to-date out/ is up to date from every folder, and from outside them', () => {
    const out = snapshotOf(all, buildManifest(all));
    expect(compareOutput(scopeSnapshot(out, 'staging'), staging).upToDate).toBe(true);
    expect(compareOutput(scopeSnapshot(out, 'production'), production).upToDate).toBe(true);
    expect(compareOutput(outsideSnapshot(out, ['prod-eu', 'production', 'staging']), []).upToDate).toBe(true);
    expect(scopeSnapshot(out, 'staging').label).toBe('out/staging');
    expect(scopeSnapshot({ ...out, label: 'out at main' }, 'staging').label).toBe('out/staging at main');
  });

  it('a change in one environment is stale from its folder only', () => {
    const out = snapshotOf(all, buildManifest(all));
    const changed = [{ path: 'a.yml', content: 'a2' }, staging[1]!];
    expect(staleFiles(compareOutput(scopeSnapshot(out, 'staging'), changed))).toEqual([{ path: manifestName, status: 'changed', handEdited: false }, { path: 'a.yml', status: 'changed', handEdited: false }]);
    expect(compareOutput(scopeSnapshot(out, 'production'), production).upToDate).toBe(true);
  });

  it('a hand edit in one environment is found from its folder, against its part of the manifest', () => {
    const edited = all.map((f) => (f.path === 'staging/b/c.yml' ? { ...f, content: 'edited' } : f));
    const out = snapshotOf(edited, buildManifest(all));
    expect(compareOutput(scopeSnapshot(out, 'staging'), staging).handEdits).toEqual([{ path: 'b/c.yml', nextGenerate: 'overwrites' }]);
    expect(compareOutput(scopeSnapshot(out, 'production'), production).upToDate).toBe(true);
  });

  it('an out/ without a manifest is missing it from every folder', () => {
    const out = snapshotOf(all);
    expect(compareOutput(scopeSnapshot(out, 'staging'), staging).manifestStatus).toBe('added');
  });

  it("mlmon's files outside the environments' folders (an older layout, a removed environment) are extra; other files are not", () => {
    const old = [{ path: 'prometheus/prometheus.yml', content: 'old' }, { path: 'qa/a.yml', content: 'qa' }];
    const files = [...all, ...old, { path: 'README.md', content: 'mine' }];
    const out = snapshotOf(files, buildManifest([...all, ...old]));
    const outside = compareOutput(outsideSnapshot(out, ['prod-eu', 'production', 'staging']), []);
    expect(outside.differences.map((d) => `${d.status} ${d.path}`)).toEqual(['removed prometheus/prometheus.yml', 'removed qa/a.yml']);
  });

  it('writing one environment gives the manifest generating all of them would', () => {
    const before = buildManifest(all);
    const changed = [{ path: 'a.yml', content: 'a2' }, staging[1]!];
    const afterAll = buildManifest(filesUnderFolders([{ environment: 'staging', files: changed }, { environment: 'production', files: production }, { environment: 'prod-eu', files: production }]));
    const comparison = compareOutput(scopeSnapshot(snapshotOf(all, before), 'staging'), changed);
    expect(manifestWithEnvironment(parseManifest(before.content), 'staging', comparison.manifest)).toEqual(afterAll);
  });
});
